package org.pricingengine.job.config;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every setting of the job, in one place, each with its default and what it means (README lists
 * them all; a test keeps the two in step). Values come from {@code --key value} arguments, or from
 * a properties file given as {@code --config FILE} (arguments win). Unknown keys and malformed values
 * stop the job at start-up with a message naming the option.
 *
 * <p>Keys starting with {@code kafka.client.} are passed to every Kafka client as they are (minus the
 * prefix), for security settings such as {@code security.protocol} or {@code sasl.jaas.config}.
 */
public final class PricingConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";

    public record Option(String key, String defaultValue, String description) implements Serializable {}

    private static final Map<String, Option> OPTIONS = new LinkedHashMap<>();

    private static Option option(String key, String defaultValue, String description) {
        Option o = new Option(key, defaultValue, description);
        OPTIONS.put(key, o);
        return o;
    }

    // --- Kafka ---
    public static final Option BOOTSTRAP_SERVERS = option("kafka.bootstrap-servers", "localhost:9092",
            "Kafka bootstrap servers.");
    public static final Option GROUP_ID = option("kafka.group-id", "pricing-engine",
            "Consumer group id (offsets are committed on checkpoints, for monitoring only).");
    public static final Option STARTING_OFFSETS = option("kafka.starting-offsets", "committed-or-earliest",
            "Where a job without a savepoint starts reading: committed-or-earliest, earliest or latest.");
    public static final Option BOUNDED = option("kafka.bounded", "false",
            "true: read the input topics up to their latest offsets at start, then finish (backfills, replays, tests).");
    public static final Option TOPIC_BEHAVIOUR = option("topic.behaviour-events", "pricing.behaviour-events",
            "Input topic: shopper behaviour events.");
    public static final Option TOPIC_CATALOG = option("topic.catalog-updates", "pricing.catalog-updates",
            "Input topic: catalog updates (compacted, keyed by item).");
    public static final Option TOPIC_REQUESTS = option("topic.price-requests", "pricing.price-requests",
            "Input topic: price-quote requests.");
    public static final Option TOPIC_DECISIONS = option("topic.price-decisions", "pricing.price-decisions",
            "Output topic: priced decisions.");
    public static final Option TOPIC_FEEDBACK = option("topic.feedback-outcomes", "pricing.feedback-outcomes",
            "Output topic: attributed feedback outcomes.");
    public static final Option TOPIC_DEAD_LETTERS = option("topic.dead-letters", "pricing.dead-letters",
            "Output topic: refused input records with their reason.");
    /** The job's six topics, inputs first. */
    public static final List<Option> TOPICS = List.of(TOPIC_BEHAVIOUR, TOPIC_CATALOG, TOPIC_REQUESTS,
            TOPIC_DECISIONS, TOPIC_FEEDBACK, TOPIC_DEAD_LETTERS);

    public static final Option WATERMARK_OUT_OF_ORDERNESS = option("watermark.out-of-orderness", "5s",
            "How far behind the newest event time an event may arrive and still count as on time.");
    public static final Option WATERMARK_IDLENESS = option("watermark.idleness", "30s",
            "A Kafka partition without records for this long stops holding back event time.");

    // --- Validation ---
    public static final Option MAX_RECORD_BYTES = option("validation.max-record-bytes", "65536",
            "Input records larger than this go to the dead-letter topic.");
    public static final Option MAX_FUTURE_SKEW = option("validation.max-future-skew", "1d",
            "Event times further than this ahead of the wall clock are refused.");
    public static final Option EARLIEST_EVENT_TIME = option("validation.earliest-event-time", "2000-01-01T00:00:00Z",
            "Event times before this instant are refused.");
    public static final Option MAX_EVENT_LATENESS = option("validation.max-event-lateness", "1h",
            "A behaviour event older than the user's newest event by more than this is refused (dead letter LATE_EVENT): it would rewrite a sequence that has moved on. Events out of order by less are accepted and placed by event time.");
    public static final Option DUPLICATE_WINDOW = option("validation.duplicate-window", "64",
            "How many of a user's latest behaviour event ids are remembered to refuse a repeat (dead letter DUPLICATE_EVENT) before it is counted twice. 8 bytes of state per id and user.");
    public static final Option DEAD_LETTER_MAX_CHARS = option("validation.dead-letter-max-chars", "4096",
            "The raw record kept in a dead letter is truncated to this many characters.");

    // --- Delivery ---
    public static final Option DELIVERY_DECISIONS = option("delivery.decisions", "at-least-once",
            "at-least-once: a decision is sent the moment it is made; after a failure a request may be priced again (same decision_id: consumers keep one per decision_id). exactly-once: Kafka transactions, visible to read_committed consumers only when the checkpoint commits (checkpoint-interval latency).");
    public static final Option DELIVERY_FEEDBACK = option("delivery.feedback", "exactly-once",
            "exactly-once (Kafka transactions, committed on each checkpoint; consumers read with isolation.level=read_committed) or at-least-once. Feedback outcomes are training and evaluation data: a duplicate would count a purchase twice.");
    public static final Option TRANSACTIONAL_ID_PREFIX = option("delivery.transactional-id-prefix", "pricing-engine",
            "Prefix of the Kafka transactional ids of exactly-once sinks. Unique per deployment on a Kafka cluster: two jobs with one prefix fence each other. Keep it across savepoint restarts and rollouts, so a restarted job aborts its predecessor's open transactions.");
    public static final Option TRANSACTION_TIMEOUT = option("delivery.transaction-timeout", "10min",
            "Kafka transaction timeout of exactly-once sinks: longer than a checkpoint interval plus a restart, and at most the broker's transaction.max.timeout.ms (15 min by default; the producer fails at start-up otherwise).");

    // --- State ---
    public static final Option CHECKPOINT_INTERVAL = option("checkpoint.interval", "60s",
            "Checkpoint interval. Each checkpoint holds decisions back for a moment (150-400 ms on a 2-core machine, see BENCHMARKS.md); a longer interval means fewer such moments but more input replayed after a failure.");
    public static final Option CHECKPOINT_INCREMENTAL = option("checkpoint.incremental", "true",
            "Incremental RocksDB checkpoints (only new SST files are uploaded). Their synchronous part flushes RocksDB's memtables on the task thread; full checkpoints only take a RocksDB snapshot there and copy everything asynchronously.");
    public static final Option CHECKPOINT_UNALIGNED = option("checkpoint.unaligned", "false",
            "Unaligned checkpoints: barriers overtake records in flight, so checkpoints stay short under backpressure (in-flight records are stored in the checkpoint instead). Did not shorten the checkpoint stall at moderate load in the benchmark.");
    public static final Option CHECKPOINT_DIR = option("checkpoint.dir", "",
            "Checkpoint storage URI, e.g. file:///var/flink/checkpoints; empty keeps the cluster's setting.");
    public static final Option USER_SEQUENCE_CAPACITY = option("user.sequence-capacity", "64",
            "Behaviour events remembered per user (at least the model's sequence length, 32).");
    public static final Option USER_TTL = option("user.ttl", "30d",
            "User state is dropped after this long without a behaviour event.");
    public static final Option ITEM_TTL = option("item.ttl", "90d",
            "Item state is dropped after this long without a catalog update or event.");
    public static final Option CATALOG_WAIT = option("item.catalog-wait", "2s",
            "How long a request for an item without catalog entry waits for one before the fallback prices it.");
    public static final Option MAX_PENDING_REQUESTS = option("item.max-pending-requests", "100",
            "Requests that may wait for one item's catalog entry; more are priced by the fallback at once.");

    // --- Model and scoring ---
    public static final Option MODEL_DIR = option("model.dir", "model-assets/models",
            "Directory holding one sub-directory per model version (manifest.json + model.onnx).");
    public static final Option MODEL_VERSION = option("model.version", "v1",
            "Model version to serve.");
    public static final Option CANARY_MODEL_VERSION = option("canary.model-version", "",
            "Candidate model version that prices a share of users (canary arm); empty: no canary. Decisions and feedback outcomes carry arm and model version; deploy/rollout.sh canary and promote manage it.");
    public static final Option CANARY_SHARE = option("canary.share", "0.0",
            "Share of users (0 to 1) the canary model prices, chosen deterministically from the user id (salted with the canary version).");
    public static final Option MODEL_DEVICE = option("model.device", "auto",
            "auto (CUDA when an NVIDIA GPU is present, else CPU), cpu, or cuda (fail if CUDA cannot be used).");
    public static final Option MODEL_CUDA_DEVICE = option("model.cuda-device-id", "0",
            "CUDA device id for the CUDA execution provider.");
    public static final Option MODEL_INTRA_OP_THREADS = option("model.intra-op-threads", "1",
            "ONNX Runtime intra-op threads per model session.");
    public static final Option SCORING_MODE = option("scoring.mode", "async",
            "async: micro-batched async scoring (production); sync: one model call per record on the task thread (the naive baseline the benchmark compares against; not savepoint-compatible with async).");
    public static final Option SCORING_BATCH_SIZE = option("scoring.max-batch-size", "64",
            "Most requests scored in one model call.");
    public static final Option SCORING_MAX_WAIT = option("scoring.max-batch-wait", "2ms",
            "Longest a request waits for others to fill a batch.");
    public static final Option SCORING_TIMEOUT = option("scoring.timeout", "500ms",
            "A request not scored within this time gets a fallback decision (MODEL_TIMEOUT).");
    public static final Option SCORING_CAPACITY = option("scoring.capacity", "256",
            "Requests in flight in the async scoring operator per subtask. Keep capacity x per-request scoring time well under scoring.timeout: beyond it, a backlog turns into timeouts instead of backpressure on Kafka.");

    public static final Option BREAKER_FAILURES = option("scoring.breaker.failures", "20",
            "Consecutive model errors or timeouts that open the circuit breaker (requests then get list-price fallbacks without calling the model).");
    public static final Option BREAKER_COOLDOWN = option("scoring.breaker.cooldown", "5s",
            "How long an open breaker skips the model before letting requests try it again.");

    // --- Pricing policy ---
    public static final Option OBJECTIVE = option("pricing.objective", "margin",
            "What the policy maximises: margin (expected (price - cost) x conversion) or revenue (price x conversion).");
    public static final Option COST_RATIO = option("pricing.cost-ratio", "0.6",
            "Unit cost assumed as a share of the list price when the catalog gives none.");
    public static final Option MIN_MARGIN = option("pricing.min-margin", "0.05",
            "Floor: the price is at least unit cost x (1 + this).");
    public static final Option MAX_DISCOUNT = option("pricing.max-discount", "0.3",
            "Floor: the price is at least list price x (1 - this). Also bounds how far two shoppers' prices for one item can differ.");
    public static final Option MAX_MARKUP = option("pricing.max-markup", "0",
            "Ceiling: the price is at most list price x (1 + this); 0 means never above list price.");
    public static final Option PRICE_GRID_POINTS = option("pricing.grid-points", "61",
            "Candidate prices evaluated between floor and ceiling.");
    public static final Option ROUNDING_UNIT = option("pricing.rounding-unit", "0.01",
            "Prices are rounded to a multiple of this (inside the guardrails).");
    public static final Option QUOTE_TTL = option("pricing.quote-ttl", "15min",
            "A user asking again for the same item within this time (event time) gets the same price.");
    public static final Option MAX_CHANGE = option("pricing.max-change", "0.1",
            "A new quote differs from the user's previous quote for the item by at most this share (0 disables).");
    public static final Option CHANGE_MEMORY = option("pricing.change-memory", "1d",
            "How long a previous quote constrains the next one (and is kept in state).");
    public static final Option DISCLOSURE_TEXT = option("pricing.disclosure-text",
            "THIS PRICE WAS SET BY AN ALGORITHM USING YOUR PERSONAL DATA.",
            "Disclosure shown with personalized prices (e.g. New York's Algorithmic Pricing Disclosure Act).");

    // --- Feedback ---
    public static final Option ATTRIBUTION_WINDOW = option("feedback.attribution-window", "1h",
            "A cart or purchase of the priced item by the same user within this time (event time) is the decision's outcome.");

    // --- Job ---
    public static final Option JOB_NAME = option("job.name", "personalized-pricing",
            "Flink job name.");
    public static final Option PARALLELISM = option("job.parallelism", "0",
            "Job parallelism; 0 keeps the cluster's default.");

    private final Map<String, String> values;

    private PricingConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static List<Option> options() {
        return List.copyOf(OPTIONS.values());
    }

    public static PricingConfig defaults() {
        return of(Map.of());
    }

    /** Builds a validated configuration; throws {@link IllegalArgumentException} naming the bad option. */
    public static PricingConfig of(Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!OPTIONS.containsKey(e.getKey()) && !e.getKey().startsWith(KAFKA_CLIENT_PREFIX)) {
                throw new IllegalArgumentException("unknown option '" + e.getKey() + "'" + suggestion(e.getKey()));
            }
            values.put(e.getKey(), e.getValue());
        }
        PricingConfig config = new PricingConfig(values);
        config.validate();
        return config;
    }

    /** Parses {@code --key value} pairs; {@code --config FILE} loads a properties file first. */
    public static PricingConfig fromArgs(String[] args) {
        Map<String, String> fromArgs = new LinkedHashMap<>();
        Map<String, String> fromFile = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected '--key value' pairs, got '" + arg + "'");
            }
            String key = arg.substring(2);
            String value = args[++i];
            if (key.equals("config")) {
                fromFile.putAll(loadProperties(Path.of(value)));
            } else {
                fromArgs.put(key, value);
            }
        }
        fromFile.putAll(fromArgs);
        return of(fromFile);
    }

    private static Map<String, String> loadProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).strip()));
        return m;
    }

    private void validate() {
        for (Option o : OPTIONS.values()) {
            String v = get(o);
            try {
                switch (o.key()) {
                    case "kafka.starting-offsets" -> oneOf(v, "committed-or-earliest", "earliest", "latest");
                    case "model.device" -> oneOf(v, "auto", "cpu", "cuda");
                    case "pricing.objective" -> oneOf(v, "margin", "revenue");
                    case "kafka.bounded" -> oneOf(v, "true", "false");
                    case "scoring.mode" -> oneOf(v, "async", "sync");
                    case "delivery.decisions", "delivery.feedback" -> oneOf(v, "at-least-once", "exactly-once");
                    case "validation.earliest-event-time" -> Instant.parse(v);
                    default -> validateByShape(o, v);
                }
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new IllegalArgumentException("option '" + o.key() + "' has a bad value '" + v + "': "
                        + e.getMessage(), e);
            }
        }
        if (getInt(USER_SEQUENCE_CAPACITY) < 32) {
            throw new IllegalArgumentException("option 'user.sequence-capacity' must be at least 32 (the model's sequence length)");
        }
        if (getDouble(MAX_DISCOUNT) < 0 || getDouble(MAX_DISCOUNT) >= 1) {
            throw new IllegalArgumentException("option 'pricing.max-discount' must be in [0, 1)");
        }
        if (getDouble(COST_RATIO) < 0 || getDouble(MIN_MARGIN) < 0 || getDouble(MAX_MARKUP) < 0 || getDouble(MAX_CHANGE) < 0) {
            throw new IllegalArgumentException("pricing ratios (cost-ratio, min-margin, max-markup, max-change) must be >= 0");
        }
        if (!(getDouble(ROUNDING_UNIT) > 0) || getInt(PRICE_GRID_POINTS) < 2) {
            throw new IllegalArgumentException("'pricing.rounding-unit' must be > 0 and 'pricing.grid-points' >= 2");
        }
        if (getInt(SCORING_BATCH_SIZE) < 1 || getInt(SCORING_CAPACITY) < 1 || getInt(MODEL_INTRA_OP_THREADS) < 1) {
            throw new IllegalArgumentException("scoring batch size, capacity and intra-op threads must be >= 1");
        }
        if (getDuration(TRANSACTION_TIMEOUT).compareTo(getDuration(CHECKPOINT_INTERVAL)) <= 0
                && (get(DELIVERY_FEEDBACK).equals("exactly-once") || get(DELIVERY_DECISIONS).equals("exactly-once"))) {
            throw new IllegalArgumentException("option 'delivery.transaction-timeout' (" + get(TRANSACTION_TIMEOUT)
                    + ") must be longer than 'checkpoint.interval' (" + get(CHECKPOINT_INTERVAL)
                    + "): a transaction stays open from one checkpoint to the next");
        }
        if (getDouble(CANARY_SHARE) < 0 || getDouble(CANARY_SHARE) > 1) {
            throw new IllegalArgumentException("option 'canary.share' must be in [0, 1]");
        }
        if (!getString(CANARY_MODEL_VERSION).isBlank() && getString(CANARY_MODEL_VERSION).equals(getString(MODEL_VERSION))) {
            throw new IllegalArgumentException("option 'canary.model-version' must differ from 'model.version' ("
                    + getString(MODEL_VERSION) + ")");
        }
        if (getString(BOOTSTRAP_SERVERS).isBlank()) {
            throw new IllegalArgumentException("option 'kafka.bootstrap-servers' must not be empty");
        }
    }

    private static void validateByShape(Option o, String v) {
        String d = o.defaultValue();
        if (d.matches("\\d+(ms|s|min|h|d)")) {
            parseDuration(v);
        } else if (d.matches("-?\\d+")) {
            Long.parseLong(v);
        } else if (d.matches("-?\\d+\\.\\d+")) {
            double x = Double.parseDouble(v);
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("not a finite number");
            }
        }
    }

    private static void oneOf(String v, String... allowed) {
        if (!List.of(allowed).contains(v)) {
            throw new IllegalArgumentException("expected one of " + List.of(allowed));
        }
    }

    private static String suggestion(String key) {
        List<String> close = new ArrayList<>();
        String tail = key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key;
        for (String k : OPTIONS.keySet()) {
            if (k.endsWith(tail) || k.contains(tail)) {
                close.add(k);
            }
        }
        return close.isEmpty() ? " (see README, Configuration)" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    public String get(Option option) {
        return values.getOrDefault(option.key(), option.defaultValue());
    }

    public String getString(Option option) {
        return get(option);
    }

    public int getInt(Option option) {
        return Integer.parseInt(get(option));
    }

    public boolean getBoolean(Option option) {
        return Boolean.parseBoolean(get(option));
    }

    public double getDouble(Option option) {
        return Double.parseDouble(get(option));
    }

    public Duration getDuration(Option option) {
        return parseDuration(get(option));
    }

    /** Pass-through Kafka client properties ({@code kafka.client.*} without the prefix). */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (k.startsWith(KAFKA_CLIENT_PREFIX)) {
                p.setProperty(k.substring(KAFKA_CLIENT_PREFIX.length()), v);
            }
        });
        return p;
    }

    public PricingConfig with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.put(key, value);
        return of(m);
    }

    public Set<String> explicitKeys() {
        return values.keySet();
    }

    /** Durations as {@code 500ms}, {@code 5s}, {@code 15min}, {@code 2h}, {@code 30d}. */
    public static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|min|h|d)").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration like 500ms, 5s, 15min, 2h or 30d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Option o : OPTIONS.values()) {
            sb.append(o.key()).append('=').append(get(o)).append('\n');
        }
        values.keySet().stream().filter(k -> k.startsWith(KAFKA_CLIENT_PREFIX))
                .forEach(k -> sb.append(k).append("=<set>\n"));
        return sb.toString();
    }
}
