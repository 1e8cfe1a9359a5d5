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
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

/**
 * Every setting of the job, in one place, each a typed Flink {@link ConfigOption} with its default and
 * what it means (CONFIGURATION.md's tables are generated from them, see {@link ConfigurationDocs}). Values come
 * from {@code --key value} arguments, or from a properties file given as {@code --config FILE}
 * (arguments win). Unknown keys and malformed values stop the job at start-up with a message naming
 * the option; read values with {@link #get(ConfigOption)}.
 *
 * <p>Keys starting with {@code kafka.client.} are passed to every Kafka client as they are (minus the
 * prefix), for security settings such as {@code security.protocol} or {@code sasl.jaas.config}.
 * {@code --kafka-config FILE} reads them from a file in Kafka's own client format (no prefix), the one
 * {@code deploy/local/kafka.sh} writes and Kafka's tools take as {@code --command-config}; the secrets
 * then stay out of the command line.
 */
public final class PricingConfig implements Serializable {
    private static final long serialVersionUID = 2L;

    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";

    /** The argument naming a Kafka client properties file: {@code --kafka-config FILE}. */
    public static final String KAFKA_CONFIG_ARG = "kafka-config";

    private static final Map<String, ConfigOption<?>> OPTIONS = new LinkedHashMap<>();
    private static final Map<String, String> SHOWN_DEFAULTS = new HashMap<>();

    private static <T> ConfigOption<T> register(ConfigOption<T> option) {
        OPTIONS.put(option.key(), option);
        return option;
    }

    /**
     * For a default that reads better as written than in its canonical form (60s rather than 1min);
     * it must parse to the same value, so docs and behaviour cannot drift apart.
     */
    private static <T> ConfigOption<T> register(ConfigOption<T> option, String shownDefault) {
        Object parsed =
                Configuration.fromMap(Map.of(option.key(), shownDefault)).get(option);
        if (!parsed.equals(option.defaultValue())) {
            throw new IllegalStateException("shown default '" + shownDefault + "' of " + option.key()
                    + " is not its default " + option.defaultValue());
        }
        SHOWN_DEFAULTS.put(option.key(), shownDefault);
        return register(option);
    }

    /** Whether the policy randomizes its prices to learn the price response. */
    public enum Exploration {
        THOMPSON,
        OFF;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /** Where a job without a savepoint starts reading its input topics. */
    public enum StartingOffsets {
        COMMITTED_OR_EARLIEST,
        EARLIEST,
        LATEST;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /**
     * Where the model runs: AUTO takes CUDA when the machine has an NVIDIA GPU, else the CPU; CUDA fails
     * when CUDA cannot be used. Scoring sets up its ONNX Runtime sessions with it.
     */
    public enum ModelDevice {
        AUTO,
        CPU,
        CUDA;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /** Which variation of the quoted prices the learner reads price response from. */
    public enum PriceVariation {
        ALL,
        RANDOMIZED;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /** What the pricing policy maximises. */
    public enum Objective {
        MARGIN,
        REVENUE;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /**
     * How a sink delivers. Not Flink's {@code DeliveryGuarantee}: that one also has NONE, which the job
     * does not offer.
     */
    public enum Delivery {
        AT_LEAST_ONCE,
        EXACTLY_ONCE;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /** What the job keeps and publishes as a shopper's id. */
    public enum UserIds {
        /** A keyed hash of the id, made where records are read: no raw id in state or output. */
        PSEUDONYMOUS,
        /** The id as the storefront sent it. */
        RAW;

        @Override
        public String toString() {
            return spelling(this);
        }
    }

    /**
     * How users write an enum value (committed-or-earliest). Flink parses enum options by matching
     * {@code toString()} case-insensitively, so this is also what the command line accepts.
     */
    private static String spelling(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    // --- Kafka ---
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = register(ConfigOptions.key("kafka.bootstrap-servers")
            .stringType()
            .defaultValue("localhost:9092")
            .withDescription("Kafka bootstrap servers."));
    public static final ConfigOption<String> GROUP_ID = register(ConfigOptions.key("kafka.group-id")
            .stringType()
            .defaultValue("pricing-engine")
            .withDescription("Consumer group id (offsets are committed on checkpoints, for monitoring only)."));
    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = register(
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED_OR_EARLIEST)
                    .withDescription(
                            "Where a job without a savepoint starts reading: committed-or-earliest, earliest or latest."));
    public static final ConfigOption<Boolean> BOUNDED = register(
            ConfigOptions.key("kafka.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "true: read the input topics up to their latest offsets at start, then finish (backfills, replays, tests)."));
    public static final ConfigOption<String> TOPIC_BEHAVIOUR = register(ConfigOptions.key("topic.behaviour-events")
            .stringType()
            .defaultValue("pricing.behaviour-events")
            .withDescription("Input topic: shopper behaviour events."));
    public static final ConfigOption<String> TOPIC_CATALOG = register(ConfigOptions.key("topic.catalog-updates")
            .stringType()
            .defaultValue("pricing.catalog-updates")
            .withDescription("Input topic: catalog updates (compacted, keyed by item)."));
    public static final ConfigOption<String> TOPIC_REQUESTS = register(ConfigOptions.key("topic.price-requests")
            .stringType()
            .defaultValue("pricing.price-requests")
            .withDescription("Input topic: price-quote requests."));
    public static final ConfigOption<String> TOPIC_DECISIONS = register(ConfigOptions.key("topic.price-decisions")
            .stringType()
            .defaultValue("pricing.price-decisions")
            .withDescription("Output topic: priced decisions."));
    public static final ConfigOption<String> TOPIC_FEEDBACK = register(ConfigOptions.key("topic.feedback-outcomes")
            .stringType()
            .defaultValue("pricing.feedback-outcomes")
            .withDescription("Output topic: attributed feedback outcomes."));
    public static final ConfigOption<String> TOPIC_DEAD_LETTERS = register(ConfigOptions.key("topic.dead-letters")
            .stringType()
            .defaultValue("pricing.dead-letters")
            .withDescription("Output topic: refused input records with their reason."));
    public static final ConfigOption<String> TOPIC_MODEL_CONTROL = register(
            ConfigOptions.key("topic.model-control")
                    .stringType()
                    .defaultValue("pricing.model-control")
                    .withDescription(
                            "Input topic (compacted, one partition): the wanted serving state (model version, canary version and share, exploration), applied without a restart (model-assets/CONTRACT.md, \"Serving control\"). Empty: no hot swap, the job serves the versions it was started with."));
    public static final ConfigOption<String> TOPIC_MODEL_SERVING = register(
            ConfigOptions.key("topic.model-serving")
                    .stringType()
                    .defaultValue("pricing.model-serving")
                    .withDescription(
                            "Output topic: each scoring subtask's answer to a control record: the versions it serves now, or why it refused them."));
    public static final ConfigOption<String> TOPIC_COMPETITOR_PRICES = register(
            ConfigOptions.key("topic.competitor-prices")
                    .stringType()
                    .defaultValue("pricing.competitor-prices")
                    .withDescription(
                            "Input topic (keyed by item): competitors' observed prices (item, competitor, price, observed time), validated like every input. The competitor guardrail bounds prices by the lowest live one. Empty: no competitor input."));
    public static final ConfigOption<String> TOPIC_ERASURE = register(
            ConfigOptions.key("topic.erasure-requests")
                    .stringType()
                    .defaultValue("pricing.erasure-requests")
                    .withDescription(
                            "Input topic: shoppers to forget (GDPR/CCPA erasure); every operator drops what it keeps about the user (ARCHITECTURE.md, \"Privacy\"). Empty: not read."));
    /** The job's topics, inputs first. */
    public static final List<ConfigOption<String>> TOPICS = List.of(
            TOPIC_BEHAVIOUR,
            TOPIC_CATALOG,
            TOPIC_REQUESTS,
            TOPIC_COMPETITOR_PRICES,
            TOPIC_MODEL_CONTROL,
            TOPIC_ERASURE,
            TOPIC_DECISIONS,
            TOPIC_FEEDBACK,
            TOPIC_DEAD_LETTERS,
            TOPIC_MODEL_SERVING);

    public static final ConfigOption<Duration> WATERMARK_OUT_OF_ORDERNESS = register(ConfigOptions.key(
                    "watermark.out-of-orderness")
            .durationType()
            .defaultValue(Duration.ofSeconds(5))
            .withDescription("How far behind the newest event time an event may arrive and still count as on time."));
    public static final ConfigOption<Duration> WATERMARK_IDLENESS = register(ConfigOptions.key("watermark.idleness")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("A Kafka partition without records for this long stops holding back event time."));

    // --- Validation ---
    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            register(ConfigOptions.key("validation.max-record-bytes")
                    .intType()
                    .defaultValue(65536)
                    .withDescription("Input records larger than this go to the dead-letter topic."));
    public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
            register(ConfigOptions.key("validation.max-future-skew")
                    .durationType()
                    .defaultValue(Duration.ofDays(1))
                    .withDescription("Event times further than this ahead of the wall clock are refused."));
    public static final ConfigOption<String> EARLIEST_EVENT_TIME =
            register(ConfigOptions.key("validation.earliest-event-time")
                    .stringType()
                    .defaultValue("2000-01-01T00:00:00Z")
                    .withDescription("Event times before this instant are refused."));
    public static final ConfigOption<Duration> MAX_EVENT_LATENESS = register(
            ConfigOptions.key("validation.max-event-lateness")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A behaviour event older than the user's newest event by more than this is refused (`LATE_EVENT`); events out of order by less are accepted and placed by event time."));
    public static final ConfigOption<Integer> DUPLICATE_WINDOW = register(
            ConfigOptions.key("validation.duplicate-window")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "How many of a user's latest behaviour event ids are remembered to refuse a repeat (`DUPLICATE_EVENT`); 8 bytes of state per id and user."));
    public static final ConfigOption<Integer> DEAD_LETTER_MAX_CHARS =
            register(ConfigOptions.key("validation.dead-letter-max-chars")
                    .intType()
                    .defaultValue(4096)
                    .withDescription("The raw record kept in a dead letter is truncated to this many characters."));

    // --- Delivery ---
    public static final ConfigOption<Delivery> DELIVERY_DECISIONS = register(
            ConfigOptions.key("delivery.decisions")
                    .enumType(Delivery.class)
                    .defaultValue(Delivery.AT_LEAST_ONCE)
                    .withDescription(
                            "at-least-once: a decision is sent the moment it is made; after a failure a request may be priced again (same decision_id: consumers keep one per decision_id). exactly-once: Kafka transactions, visible to read_committed consumers only when the checkpoint commits (checkpoint-interval latency)."));
    public static final ConfigOption<Delivery> DELIVERY_FEEDBACK = register(
            ConfigOptions.key("delivery.feedback")
                    .enumType(Delivery.class)
                    .defaultValue(Delivery.EXACTLY_ONCE)
                    .withDescription(
                            "exactly-once (Kafka transactions, committed on each checkpoint; consumers read with isolation.level=read_committed) or at-least-once. Feedback outcomes are training and evaluation data: a duplicate would count a purchase twice."));
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = register(
            ConfigOptions.key("delivery.transactional-id-prefix")
                    .stringType()
                    .defaultValue("pricing-engine")
                    .withDescription(
                            "Prefix of the Kafka transactional ids of exactly-once sinks. Unique per deployment on a Kafka cluster: two jobs with one prefix fence each other. Keep it across savepoint restarts and rollouts, so a restarted job aborts its predecessor's open transactions."));
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = register(
            ConfigOptions.key("delivery.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout of exactly-once sinks: longer than a checkpoint interval plus a restart, and at most the broker's transaction.max.timeout.ms (15 min by default; the producer fails at start-up otherwise)."));

    // --- State ---
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = register(
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Checkpoint interval. Each checkpoint holds decisions back while the stateful tasks flush RocksDB (two to three seconds on a 2-core machine at half load whose cores the broker and the load share, see BENCHMARKS.md); a longer interval means fewer such moments but more input replayed after a failure."),
            "60s");
    public static final ConfigOption<Boolean> CHECKPOINT_INCREMENTAL = register(
            ConfigOptions.key("checkpoint.incremental")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Incremental RocksDB checkpoints (only new SST files are uploaded). Their synchronous part flushes RocksDB's memtables on the task thread; full checkpoints only take a RocksDB snapshot there and copy everything asynchronously."));
    public static final ConfigOption<Boolean> CHECKPOINT_UNALIGNED = register(
            ConfigOptions.key("checkpoint.unaligned")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Unaligned checkpoints: barriers overtake records in flight, so checkpoints stay short under backpressure (in-flight records are stored in the checkpoint instead). Did not shorten the checkpoint stall at moderate load in the benchmark."));
    public static final ConfigOption<String> CHECKPOINT_DIR = register(ConfigOptions.key("checkpoint.dir")
            .stringType()
            .defaultValue("")
            .withDescription(
                    "Checkpoint storage URI, e.g. file:///var/flink/checkpoints; empty keeps the cluster's setting."));
    public static final ConfigOption<Integer> USER_SEQUENCE_CAPACITY = register(ConfigOptions.key(
                    "user.sequence-capacity")
            .intType()
            .defaultValue(64)
            .withDescription("Behaviour events remembered per user (at least the model's sequence length, 32)."));
    public static final ConfigOption<Duration> USER_TTL = register(ConfigOptions.key("user.ttl")
            .durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription("User state is dropped after this long without a behaviour event."));
    public static final ConfigOption<Duration> ITEM_TTL = register(ConfigOptions.key("item.ttl")
            .durationType()
            .defaultValue(Duration.ofDays(90))
            .withDescription("Item state is dropped after this long without a catalog update or event."));
    public static final ConfigOption<Duration> CATALOG_WAIT = register(
            ConfigOptions.key("item.catalog-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "How long a request for an item without catalog entry waits for one before the fallback prices it."));
    public static final ConfigOption<Integer> MAX_PENDING_REQUESTS = register(
            ConfigOptions.key("item.max-pending-requests")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "Requests that may wait for one item's catalog entry; more are priced by the fallback at once."));

    // --- Model and scoring ---
    public static final ConfigOption<String> MODEL_DIR = register(ConfigOptions.key("model.dir")
            .stringType()
            .defaultValue("model-assets/models")
            .withDescription("Directory holding one sub-directory per model version (manifest.json + model.onnx)."));
    public static final ConfigOption<String> MODEL_VERSION = register(ConfigOptions.key("model.version")
            .stringType()
            .defaultValue("v1")
            .withDescription("Model version to serve."));
    public static final ConfigOption<Long> MODEL_SERVING_REVISION = register(
            ConfigOptions.key("model.serving-revision")
                    .longType()
                    .defaultValue(0L)
                    .withDescription(
                            "The model-control revision that 'model.version', 'canary.model-version' and 'canary.share' stand for. On a restore the serving state with the highest revision wins: this one, or the one restored from the checkpoint or savepoint (what the control topic last asked for); control records with a revision not above the serving one are ignored. 0: a restored serving state always wins. deploy/rollout.sh sets it on every submission."));
    public static final ConfigOption<String> CANARY_MODEL_VERSION = register(
            ConfigOptions.key("canary.model-version")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Candidate model version that prices a share of users (canary arm); empty: no canary. Decisions and feedback outcomes carry arm and model version; deploy/rollout.sh canary and promote manage it."));
    public static final ConfigOption<Double> CANARY_SHARE = register(
            ConfigOptions.key("canary.share")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "Share of users (0 to 1) the canary model prices, chosen deterministically from the user id (salted with the canary version)."));
    public static final ConfigOption<ModelDevice> MODEL_DEVICE = register(
            ConfigOptions.key("model.device")
                    .enumType(ModelDevice.class)
                    .defaultValue(ModelDevice.AUTO)
                    .withDescription(
                            "auto (CUDA when an NVIDIA GPU is present, else CPU), cpu, or cuda (fail if CUDA cannot be used)."));
    public static final ConfigOption<Integer> MODEL_CUDA_DEVICE = register(ConfigOptions.key("model.cuda-device-id")
            .intType()
            .defaultValue(0)
            .withDescription("CUDA device id for the CUDA execution provider."));
    public static final ConfigOption<Integer> MODEL_INTRA_OP_THREADS =
            register(ConfigOptions.key("model.intra-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription("ONNX Runtime intra-op threads per model session."));
    public static final ConfigOption<Integer> SCORING_BATCH_SIZE = register(ConfigOptions.key("scoring.max-batch-size")
            .intType()
            .defaultValue(64)
            .withDescription("Most requests scored in one model call."));
    public static final ConfigOption<Duration> SCORING_MAX_WAIT = register(ConfigOptions.key("scoring.max-batch-wait")
            .durationType()
            .defaultValue(Duration.ofMillis(2))
            .withDescription("Longest a request waits for others to fill a batch."));
    public static final ConfigOption<Duration> SCORING_TIMEOUT = register(ConfigOptions.key("scoring.timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(500))
            .withDescription("A request not scored within this time gets a fallback decision (MODEL_TIMEOUT)."));
    public static final ConfigOption<Integer> SCORING_CAPACITY = register(
            ConfigOptions.key("scoring.capacity")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Requests in flight in the async scoring operator per subtask. Keep capacity x per-request scoring time well under scoring.timeout: beyond it, a backlog turns into timeouts instead of backpressure on Kafka."));

    public static final ConfigOption<Integer> BREAKER_FAILURES = register(
            ConfigOptions.key("scoring.breaker.failures")
                    .intType()
                    .defaultValue(20)
                    .withDescription(
                            "Consecutive model errors or timeouts that open the circuit breaker (requests then get list-price fallbacks without calling the model)."));
    public static final ConfigOption<Duration> BREAKER_COOLDOWN = register(ConfigOptions.key("scoring.breaker.cooldown")
            .durationType()
            .defaultValue(Duration.ofSeconds(5))
            .withDescription("How long an open breaker skips the model before letting requests try it again."));

    // --- Pricing policy ---
    public static final ConfigOption<Objective> OBJECTIVE = register(
            ConfigOptions.key("pricing.objective")
                    .enumType(Objective.class)
                    .defaultValue(Objective.MARGIN)
                    .withDescription(
                            "What the policy maximises: margin (expected (price - cost) x conversion) or revenue (price x conversion)."));
    public static final ConfigOption<Double> COST_RATIO = register(ConfigOptions.key("pricing.cost-ratio")
            .doubleType()
            .defaultValue(0.6)
            .withDescription("Unit cost assumed as a share of the list price when the catalog gives none."));
    public static final ConfigOption<Double> MIN_MARGIN = register(ConfigOptions.key("pricing.min-margin")
            .doubleType()
            .defaultValue(0.05)
            .withDescription("Floor: the price is at least unit cost x (1 + this)."));
    public static final ConfigOption<Double> MAX_DISCOUNT = register(
            ConfigOptions.key("pricing.max-discount")
                    .doubleType()
                    .defaultValue(0.3)
                    .withDescription(
                            "Floor: the price is at least list price x (1 - this). Also bounds how far two shoppers' prices for one item can differ."));
    public static final ConfigOption<Double> MAX_MARKUP = register(
            ConfigOptions.key("pricing.max-markup")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "Ceiling: the price is at most list price x (1 + this); 0 means never above list price."),
            "0");
    public static final ConfigOption<String> PRICE_LADDER = register(
            ConfigOptions.key("pricing.price-ladder")
                    .stringType()
                    .defaultValue("1.0,0.97,0.95,0.92,0.9,0.85")
                    .withDescription(
                            "Candidate prices as shares of the list price, comma-separated; each is cut to the guardrails and rounded, duplicates merge. The policy chooses among them."));
    public static final ConfigOption<Double> ROUNDING_UNIT = register(ConfigOptions.key("pricing.rounding-unit")
            .doubleType()
            .defaultValue(0.01)
            .withDescription("Prices are rounded to a multiple of this (inside the guardrails)."));
    public static final ConfigOption<Duration> QUOTE_TTL = register(ConfigOptions.key("pricing.quote-ttl")
            .durationType()
            .defaultValue(Duration.ofMinutes(15))
            .withDescription(
                    "A user asking again for the same item within this time (event time) gets the same price."));
    public static final ConfigOption<Double> MAX_CHANGE = register(
            ConfigOptions.key("pricing.max-change")
                    .doubleType()
                    .defaultValue(0.1)
                    .withDescription(
                            "A new quote differs from the user's previous quote for the item by at most this share (0 disables)."));
    public static final ConfigOption<Duration> CHANGE_MEMORY = register(ConfigOptions.key("pricing.change-memory")
            .durationType()
            .defaultValue(Duration.ofDays(1))
            .withDescription("How long a previous quote constrains the next one (and is kept in state)."));
    public static final ConfigOption<String> DISCLOSURE_TEXT = register(ConfigOptions.key("pricing.disclosure-text")
            .stringType()
            .defaultValue("THIS PRICE WAS SET BY AN ALGORITHM USING YOUR PERSONAL DATA.")
            .withDescription(
                    "Disclosure shown with personalized prices (e.g. New York's Algorithmic Pricing Disclosure Act)."));

    public static final ConfigOption<String> POLICY_ID = register(
            ConfigOptions.key("pricing.policy-id")
                    .stringType()
                    .defaultValue("thompson-ladder")
                    .withDescription(
                            "Names the policy on every decision (experiment.policy_id), so logs from different policy settings can be told apart in evaluation."));
    public static final ConfigOption<Exploration> EXPLORATION = register(
            ConfigOptions.key("pricing.exploration")
                    .enumType(Exploration.class)
                    .defaultValue(Exploration.THOMPSON)
                    .withDescription(
                            "THOMPSON: each request's price is the best candidate under a draw from the request's posterior of the price response (mixed with the uniform share); OFF: the best candidate under the posterior mean, no randomization (nothing new is learned about price response)."));
    public static final ConfigOption<Double> UNIFORM_SHARE = register(
            ConfigOptions.key("pricing.exploration.uniform-share")
                    .doubleType()
                    .defaultValue(0.02)
                    .withDescription(
                            "Share of requests priced at a candidate drawn uniformly, so every candidate keeps at least this / candidates probability (importance weights at most candidates / this). Expected cost: this share x the margin gap between the best and the average candidate, about 0.3% of margin at 2% where that gap is 15%."));
    public static final ConfigOption<Double> HOLDOUT_SHARE = register(
            ConfigOptions.key("pricing.holdout-share")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "Share of shoppers (chosen from the user id, stable across restarts) who always get the list price inside the guardrails, so lift is measured on live traffic."));

    // --- Learning price response ---
    public static final ConfigOption<Boolean> LEARNING_ENABLED = register(
            ConfigOptions.key("learning.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Read the feedback topic back (read_committed) and update the posterior of the price response; off: the policy uses the prior."));
    public static final ConfigOption<Double> PRIOR_LEVEL_SD = register(
            ConfigOptions.key("learning.prior.level-sd")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Prior sd of each segment's correction of the model's purchase log-odds, and of the correction's coefficient on each observable trait (prior mean 0: the model is right on average)."));
    public static final ConfigOption<Double> PRIOR_SHIFT_MEAN = register(ConfigOptions.key("learning.prior.shift-mean")
            .doubleType()
            .defaultValue(0.0)
            .withDescription("Prior mean of the shared part of the correction of the model's price sensitivity."));
    public static final ConfigOption<Double> PRIOR_SHIFT_SD = register(
            ConfigOptions.key("learning.prior.shift-sd")
                    .doubleType()
                    .defaultValue(2.0)
                    .withDescription(
                            "Prior sd of the shared part of the correction of the model's price sensitivity (its coefficient on the intercept trait): how far exploration reaches before feedback arrives."));
    public static final ConfigOption<Double> PRIOR_TRAIT_SD = register(
            ConfigOptions.key("learning.prior.trait-sd")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Prior sd of the sensitivity correction's coefficient on each observable trait (price level, returning, past purchases, item interest, cart removal rate; prior mean 0)."));
    public static final ConfigOption<Double> PRIOR_SEGMENT_SHIFT_SD = register(
            ConfigOptions.key("learning.prior.segment-shift-sd")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription(
                            "Prior sd of each segment's own deviation from the sensitivity correction its traits give: how far a segment may depart from what all requests share before its own outcomes show it."));
    public static final ConfigOption<PriceVariation> PRICE_VARIATION = register(
            ConfigOptions.key("learning.price-variation")
                    .enumType(PriceVariation.class)
                    .defaultValue(PriceVariation.ALL)
                    .withDescription(
                            "What the sensitivity is learned from. all: every outcome's quoted price against list, randomized or not (the most information; the learned correction of the purchase odds, by segment, trait and the model's own odds, must take what the model misses, or where the policy discounts passes for price response). randomized: only the randomized part of each price, the quoted price minus the policy's expected price for the request (immune to what the odds correction misses, e.g. demand drifting by the hour while the discounts move too, but it learns several times slower)."));
    public static final ConfigOption<Integer> THOMPSON_DRAWS = register(
            ConfigOptions.key("learning.thompson-draws")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "Fixed posterior draws (common to all requests, scaled by each request's posterior) the Thompson sampler picks one of; the share of draws a candidate wins is its exact probability."));
    public static final ConfigOption<String> SEGMENT_PRICE_BANDS = register(
            ConfigOptions.key("learning.segment-price-bands")
                    .stringType()
                    .defaultValue("10,50")
                    .withDescription(
                            "List-price limits between the price bands of the learning segments (segments: price band x new/returning/buyer shopper x first/repeat view of the item)."));
    public static final ConfigOption<Integer> PUBLISH_EVERY = register(
            ConfigOptions.key("learning.publish-every")
                    .intType()
                    .defaultValue(250)
                    .withDescription(
                            "A model version's posterior goes to the policy after this many new outcomes (or after learning.publish-interval)."));
    public static final ConfigOption<Duration> PUBLISH_INTERVAL =
            register(ConfigOptions.key("learning.publish-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription("Longest an updated posterior waits before it goes to the policy."));
    public static final ConfigOption<Duration> POSTERIOR_TTL = register(ConfigOptions.key("learning.posterior-ttl")
            .durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription(
                    "A model version's posterior not updated for this long is dropped (retired model versions)."));
    public static final ConfigOption<String> TOPIC_DECISION_FEATURES = register(
            ConfigOptions.key("topic.decision-features")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Topic for the model input of randomized decisions, keyed by decision id (retraining from feedback reads it); blank: not written."));

    // --- Feedback ---
    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW = register(
            ConfigOptions.key("feedback.attribution-window")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A cart or purchase of the priced item by the same user within this time (event time) is the decision's outcome."));

    // --- Privacy ---
    public static final ConfigOption<UserIds> USER_IDS = register(
            ConfigOptions.key("privacy.user-ids")
                    .enumType(UserIds.class)
                    .defaultValue(UserIds.RAW)
                    .withDescription(
                            "pseudonymous: every user id is replaced where records are read (behaviour events, price requests, erasure requests) by \"u_\" and 24 base64url characters of HMAC-SHA256(key, id), so state, decisions, features and outcomes hold no raw id; the job refuses to start without a usable key. raw: ids are kept as sent (tools that link decisions to their own ids; see ARCHITECTURE.md, \"Privacy\")."));
    public static final ConfigOption<String> USER_ID_KEY_FILE = register(
            ConfigOptions.key("privacy.user-id-key-file")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "File holding the secret key of the pseudonyms (at least 32 bytes, surrounding whitespace dropped), readable by the job manager and every task manager (a mounted secret). Empty: the key comes from 'privacy.user-id-key-env'."));
    public static final ConfigOption<String> USER_ID_KEY_ENV = register(
            ConfigOptions.key("privacy.user-id-key-env")
                    .stringType()
                    .defaultValue("PRICING_USER_ID_KEY")
                    .withDescription(
                            "Environment variable holding the secret key of the pseudonyms when no key file is given (set on the job manager and every task manager). Only its name is configured: the key is never in the configuration."));

    // --- Job ---
    public static final ConfigOption<String> JOB_NAME = register(ConfigOptions.key("job.name")
            .stringType()
            .defaultValue("personalized-pricing")
            .withDescription("Flink job name."));
    public static final ConfigOption<Duration> BUFFER_TIMEOUT = register(
            ConfigOptions.key("job.buffer-timeout")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Longest a record waits in a network buffer before it is sent to the next task. 0 sends each record at once and starts no flusher threads: a shopper waits for every decision, and at this job's rates a flusher waking every few milliseconds per task costs more CPU than sending records one by one (see BENCHMARKS.md). Larger values trade latency for throughput."));
    public static final ConfigOption<Integer> PARALLELISM = register(ConfigOptions.key("job.parallelism")
            .intType()
            .defaultValue(0)
            .withDescription("Job parallelism; 0 keeps the cluster's default."));

    public static final ConfigOption<Integer> MAX_PARALLELISM = register(ConfigOptions.key("job.max-parallelism")
            .intType()
            .defaultValue(128)
            .withDescription("The most subtasks the job can ever be rescaled to: the number of key groups its keyed"
                    + " state is split into. Fixed for the life of the state: a savepoint restores only into a job"
                    + " with the max parallelism it was taken with. 128 is what Flink derives for parallelism up to"
                    + " 85, so savepoints taken before this was set keep restoring. Set it higher before the first"
                    + " deployment that may ever need more subtasks (a power of two up to 32768; each key group"
                    + " costs a little per checkpoint)."));

    // --- Stock ---
    public static final ConfigOption<Boolean> STOCK_ENABLED = register(ConfigOptions.key("stock.enabled")
            .booleanType()
            .defaultValue(true)
            .withDescription("Weigh each item's stock against its expected demand: scarce stock discounts less (its"
                    + " opportunity cost), overstock may clear deeper inside the guardrails. Needs inventory on"
                    + " catalog updates; items without it are priced as before."));
    public static final ConfigOption<Duration> STOCK_LOW_COVER = register(ConfigOptions.key("stock.low-cover")
            .durationType()
            .defaultValue(Duration.ofDays(7))
            .withDescription("Stock is scarce (reason LOW_STOCK) when inventory / expected daily demand is below this"
                    + " or inventory is 0. Scarcity s = 1 - cover / low-cover: the objective's unit cost becomes"
                    + " cost + s x (list - cost), the discount floor list x (1 - max-discount x (1 - s))."));
    public static final ConfigOption<Duration> STOCK_HIGH_COVER = register(ConfigOptions.key("stock.high-cover")
            .durationType()
            .defaultValue(Duration.ofDays(90))
            .withDescription("Stock is overstocked (reason OVERSTOCK) when its cover is above this. Glut g = min(1,"
                    + " (cover - high-cover) / high-cover): the discount may go to max-discount + g x"
                    + " (clearance-max-discount - max-discount), and the objective's unit cost is lowered by g x"
                    + " overstock-cost-relief x cost."));
    public static final ConfigOption<Double> STOCK_CLEARANCE_MAX_DISCOUNT =
            register(ConfigOptions.key("stock.clearance-max-discount")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription("The deepest discount (share of list price) a fully overstocked item may get;"
                            + " the minimum margin still holds."));
    public static final ConfigOption<Double> STOCK_OVERSTOCK_COST_RELIEF =
            register(ConfigOptions.key("stock.overstock-cost-relief")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription("How much of the unit cost a fully overstocked item's objective forgets (a unit"
                            + " that would sit in the warehouse is worth less than its cost); in [0, 1]."));
    public static final ConfigOption<Integer> STOCK_MIN_PURCHASES = register(ConfigOptions.key("stock.min-purchases")
            .intType()
            .defaultValue(3)
            .withDescription("Purchases an item must have had before its cover can call it overstocked: a new"
                    + " item's demand is unknown, not zero."));
    public static final ConfigOption<Duration> STOCK_DEMAND_HALF_LIFE =
            register(ConfigOptions.key("stock.demand-half-life")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription("Expected daily demand counts past purchases (event time) with this half-life."));

    // --- Competitors ---
    public static final ConfigOption<Boolean> COMPETITOR_GUARDRAIL = register(ConfigOptions.key("competitor.guardrail")
            .booleanType()
            .defaultValue(true)
            .withDescription("Never quote more than max-above-lowest above the lowest live competitor price (the"
                    + " minimum margin wins over it). The decision names the competitor that bound it."));
    public static final ConfigOption<Double> COMPETITOR_MAX_ABOVE_LOWEST =
            register(ConfigOptions.key("competitor.max-above-lowest")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription("The ceiling is the lowest live competitor price x (1 + this)."));
    public static final ConfigOption<Boolean> COMPETITOR_MATCH = register(ConfigOptions.key("competitor.match")
            .booleanType()
            .defaultValue(false)
            .withDescription("Match the lowest live competitor price (ceiling at it, not above it) whenever the"
                    + " margin floor allows."));
    public static final ConfigOption<Duration> COMPETITOR_PRICE_TTL = register(ConfigOptions.key("competitor.price-ttl")
            .durationType()
            .defaultValue(Duration.ofHours(24))
            .withDescription("A competitor's price counts for this long after it was observed (event time)."));
    public static final ConfigOption<Integer> COMPETITOR_MAX_PER_ITEM = register(ConfigOptions.key(
                    "competitor.max-per-item")
            .intType()
            .defaultValue(16)
            .withDescription("How many competitors' prices an item keeps; past it the oldest observation goes."));

    // --- Fairness ---
    public static final ConfigOption<Double> FAIRNESS_MAX_SPREAD = register(ConfigOptions.key("fairness.max-spread")
            .doubleType()
            .defaultValue(0.2)
            .withDescription("Quotes for the same item inside one fairness window stay within this share of its"
                    + " list price of each other: the window's top price (list and competitor bound when it opened)"
                    + " less this is a floor for everyone. 0 or at least max-discount + max-markup: no"
                    + " fairness floor tighter than the others."));
    public static final ConfigOption<Duration> FAIRNESS_WINDOW = register(ConfigOptions.key("fairness.window")
            .durationType()
            .defaultValue(Duration.ofHours(1))
            .withDescription("How long an item's fairness window stays open: it opens with the item's first request"
                    + " after the last one closed, and a list-price change opens a new one. 0: no fairness floor."));

    /** The raw values given (arguments, properties file), as written; Flink's typed view of them. */
    private final Map<String, String> values;

    private final Configuration conf;

    private PricingConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.conf = Configuration.fromMap(this.values);
    }

    public static List<ConfigOption<?>> options() {
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

    /**
     * Parses {@code --key value} pairs; {@code --config FILE} loads a properties file of job options and
     * {@code --kafka-config FILE} one of Kafka client properties (each becomes {@code kafka.client.KEY});
     * the files are read in the order given, and {@code --key value} pairs win over both.
     */
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
            } else if (key.equals(KAFKA_CONFIG_ARG)) {
                fromFile.putAll(kafkaClientOptions(Path.of(value)));
            } else {
                fromArgs.put(key, value);
            }
        }
        fromFile.putAll(fromArgs);
        return of(fromFile);
    }

    /** A Kafka client properties file (no prefix) as {@code kafka.client.*} options. */
    public static Map<String, String> kafkaClientOptions(Path file) {
        Map<String, String> m = new LinkedHashMap<>();
        loadProperties(file).forEach((k, v) -> m.put(KAFKA_CLIENT_PREFIX + k, v));
        return m;
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
        for (ConfigOption<?> o : OPTIONS.values()) {
            Object value;
            try {
                value = conf.get(o);
            } catch (IllegalArgumentException e) {
                throw badValue(o, expected(o.defaultValue()), e);
            }
            if (value instanceof Double d && !Double.isFinite(d)) {
                throw badValue(o, "not a finite number", null);
            }
            // Flink reads a bare number as milliseconds: "--checkpoint.interval 60" would mean 60 ms.
            if (value instanceof Duration
                    && values.containsKey(o.key())
                    && values.get(o.key()).strip().matches("\\d+")) {
                throw badValue(o, "a duration needs a unit, e.g. " + shownDefault(o), null);
            }
        }
        try {
            Instant.parse(get(EARLIEST_EVENT_TIME));
        } catch (DateTimeParseException e) {
            throw badValue(EARLIEST_EVENT_TIME, e.getMessage(), e);
        }
        if (get(USER_SEQUENCE_CAPACITY) < 32) {
            throw new IllegalArgumentException(
                    "option 'user.sequence-capacity' must be at least 32 (the model's sequence length)");
        }
        if (get(MAX_DISCOUNT) < 0 || get(MAX_DISCOUNT) >= 1) {
            throw new IllegalArgumentException("option 'pricing.max-discount' must be in [0, 1)");
        }
        if (get(COST_RATIO) < 0 || get(MIN_MARGIN) < 0 || get(MAX_MARKUP) < 0 || get(MAX_CHANGE) < 0) {
            throw new IllegalArgumentException(
                    "pricing ratios (cost-ratio, min-margin, max-markup, max-change) must be >= 0");
        }
        if (!(get(ROUNDING_UNIT) > 0)) {
            throw new IllegalArgumentException("'pricing.rounding-unit' must be > 0");
        }
        double[] ladder = priceLadder();
        for (double r : ladder) {
            if (!(r > 0) || r > 10) {
                throw badValue(PRICE_LADDER, "shares of the list price must be in (0, 10]", null);
            }
        }
        double[] bands = segmentPriceBands();
        for (int i = 0; i < bands.length; i++) {
            if (!(bands[i] > 0) || (i > 0 && bands[i] <= bands[i - 1])) {
                throw badValue(SEGMENT_PRICE_BANDS, "limits must be positive and increasing", null);
            }
        }
        if (get(UNIFORM_SHARE) < 0 || get(UNIFORM_SHARE) > 1 || get(HOLDOUT_SHARE) < 0 || get(HOLDOUT_SHARE) > 1) {
            throw new IllegalArgumentException(
                    "options 'pricing.exploration.uniform-share' and 'pricing.holdout-share' must be in [0, 1]");
        }
        if (!(get(PRIOR_LEVEL_SD) > 0)
                || !(get(PRIOR_SHIFT_SD) > 0)
                || !(get(PRIOR_TRAIT_SD) > 0)
                || !(get(PRIOR_SEGMENT_SHIFT_SD) > 0)
                || !Double.isFinite(get(PRIOR_SHIFT_MEAN))) {
            throw new IllegalArgumentException(
                    "prior sds ('learning.prior.level-sd', 'learning.prior.shift-sd', 'learning.prior.trait-sd', 'learning.prior.segment-shift-sd') must be > 0 and the mean finite");
        }
        if (get(THOMPSON_DRAWS) < 2 || get(THOMPSON_DRAWS) > 4096 || get(PUBLISH_EVERY) < 1) {
            throw new IllegalArgumentException(
                    "'learning.thompson-draws' must be in [2, 4096] and 'learning.publish-every' >= 1");
        }
        if (get(SCORING_BATCH_SIZE) < 1 || get(SCORING_CAPACITY) < 1 || get(MODEL_INTRA_OP_THREADS) < 1) {
            throw new IllegalArgumentException("scoring batch size, capacity and intra-op threads must be >= 1");
        }
        if (get(TRANSACTION_TIMEOUT).compareTo(get(CHECKPOINT_INTERVAL)) <= 0
                && (get(DELIVERY_FEEDBACK) == Delivery.EXACTLY_ONCE
                        || get(DELIVERY_DECISIONS) == Delivery.EXACTLY_ONCE)) {
            throw new IllegalArgumentException("option 'delivery.transaction-timeout' (" + text(TRANSACTION_TIMEOUT)
                    + ") must be longer than 'checkpoint.interval' (" + text(CHECKPOINT_INTERVAL)
                    + "): a transaction stays open from one checkpoint to the next");
        }
        if (get(CANARY_SHARE) < 0 || get(CANARY_SHARE) > 1) {
            throw new IllegalArgumentException("option 'canary.share' must be in [0, 1]");
        }
        int maxParallelism = get(MAX_PARALLELISM);
        if (maxParallelism < 1 || maxParallelism > 32768 || get(PARALLELISM) > maxParallelism) {
            throw new IllegalArgumentException("option 'job.max-parallelism' must be in [1, 32768] and at least"
                    + " 'job.parallelism', got " + maxParallelism + " (parallelism " + get(PARALLELISM) + ")");
        }
        if (!get(CANARY_MODEL_VERSION).isBlank() && get(CANARY_MODEL_VERSION).equals(get(MODEL_VERSION))) {
            throw new IllegalArgumentException(
                    "option 'canary.model-version' must differ from 'model.version' (" + get(MODEL_VERSION) + ")");
        }
        if (get(STOCK_CLEARANCE_MAX_DISCOUNT) < 0
                || get(STOCK_CLEARANCE_MAX_DISCOUNT) >= 1
                || get(STOCK_OVERSTOCK_COST_RELIEF) < 0
                || get(STOCK_OVERSTOCK_COST_RELIEF) > 1
                || get(STOCK_MIN_PURCHASES) < 0) {
            throw new IllegalArgumentException("options 'stock.clearance-max-discount' must be in [0, 1),"
                    + " 'stock.overstock-cost-relief' in [0, 1] and 'stock.min-purchases' >= 0");
        }
        if (get(STOCK_LOW_COVER).isNegative() || get(STOCK_HIGH_COVER).compareTo(get(STOCK_LOW_COVER)) <= 0) {
            throw new IllegalArgumentException("option 'stock.high-cover' (" + text(STOCK_HIGH_COVER)
                    + ") must be longer than 'stock.low-cover' (" + text(STOCK_LOW_COVER) + ")");
        }
        if (get(COMPETITOR_MAX_ABOVE_LOWEST) < 0
                || get(COMPETITOR_MAX_PER_ITEM) < 1
                || get(COMPETITOR_PRICE_TTL).isNegative()
                || get(COMPETITOR_PRICE_TTL).isZero()) {
            throw new IllegalArgumentException("options 'competitor.max-above-lowest' must be >= 0,"
                    + " 'competitor.max-per-item' >= 1 and 'competitor.price-ttl' > 0");
        }
        if (get(FAIRNESS_MAX_SPREAD) < 0 || get(FAIRNESS_WINDOW).isNegative()) {
            throw new IllegalArgumentException("options 'fairness.max-spread' and 'fairness.window' must be >= 0");
        }
        if (get(BOOTSTRAP_SERVERS).isBlank()) {
            throw new IllegalArgumentException("option 'kafka.bootstrap-servers' must not be empty");
        }
    }

    /** {@link #PRICE_LADDER} as numbers. */
    public double[] priceLadder() {
        return numbers(PRICE_LADDER);
    }

    /** {@link #SEGMENT_PRICE_BANDS} as numbers; empty for one band. */
    public double[] segmentPriceBands() {
        return numbers(SEGMENT_PRICE_BANDS);
    }

    private double[] numbers(ConfigOption<String> option) {
        String text = get(option).strip();
        if (text.isEmpty()) {
            if (option == PRICE_LADDER) {
                throw badValue(option, "at least one share of the list price is needed", null);
            }
            return new double[0];
        }
        try {
            return Arrays.stream(text.split(","))
                    .map(String::strip)
                    .mapToDouble(Double::parseDouble)
                    .toArray();
        } catch (NumberFormatException e) {
            throw badValue(option, "expected comma-separated numbers", e);
        }
    }

    private IllegalArgumentException badValue(ConfigOption<?> o, String why, Exception cause) {
        return new IllegalArgumentException(
                "option '" + o.key() + "' has a bad value '" + text(o) + "': " + why, cause);
    }

    private static String expected(Object defaultValue) {
        if (defaultValue instanceof Enum<?> e) {
            return "expected one of " + Arrays.toString(e.getDeclaringClass().getEnumConstants());
        } else if (defaultValue instanceof Duration) {
            return "not a duration like 500ms, 5s, 15min, 2h or 30d";
        } else if (defaultValue instanceof Boolean) {
            return "expected true or false";
        } else if (defaultValue instanceof Integer) {
            return "not a whole number in the int range";
        } else if (defaultValue instanceof Double) {
            return "not a number";
        }
        return "cannot be read";
    }

    private static String suggestion(String key) {
        List<String> close = new ArrayList<>();
        String tail = key.contains(".") ? key.substring(key.lastIndexOf('.') + 1) : key;
        for (String k : OPTIONS.keySet()) {
            if (k.endsWith(tail) || k.contains(tail)) {
                close.add(k);
            }
        }
        return close.isEmpty() ? " (see CONFIGURATION.md)" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /** The option's value, or its default; values were checked when this configuration was built. */
    public <T> T get(ConfigOption<T> option) {
        return conf.get(option);
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

    /** The default as a user writes it ({@code 5s}, {@code at-least-once}); empty for an empty default. */
    public static String shownDefault(ConfigOption<?> option) {
        String shown = SHOWN_DEFAULTS.get(option.key());
        if (shown != null) {
            return shown;
        }
        Object d = option.defaultValue();
        return d instanceof Duration duration ? formatDuration(duration) : String.valueOf(d);
    }

    /** The option's description as plain text. */
    public static String description(ConfigOption<?> option) {
        StringBuilder sb = new StringBuilder();
        for (BlockElement block : option.description().getBlocks()) {
            if (block instanceof TextElement text) {
                sb.append(text.getFormat());
            }
        }
        return sb.toString();
    }

    /** The value as given, or the default as a user writes it. */
    private String text(ConfigOption<?> option) {
        return values.getOrDefault(option.key(), shownDefault(option));
    }

    /**
     * Durations as {@code 500ms}, {@code 5s}, {@code 15min}, {@code 2h}, {@code 30d} (Flink's
     * {@link TimeUtils#parseDuration}, which also reads {@code 5 s} or {@code 2 hours}).
     */
    public static Duration parseDuration(String text) {
        return TimeUtils.parseDuration(text);
    }

    /** The shortest exact spelling of a duration in the units above: {@code 30d}, {@code 1500ms}. */
    public static String formatDuration(Duration duration) {
        long ms = duration.toMillis();
        long[] unitMs = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "min", "s"};
        for (int i = 0; i < unitMs.length; i++) {
            if (ms != 0 && ms % unitMs[i] == 0) {
                return ms / unitMs[i] + units[i];
            }
        }
        return ms + "ms";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (ConfigOption<?> o : OPTIONS.values()) {
            sb.append(o.key()).append('=').append(text(o)).append('\n');
        }
        values.keySet().stream().filter(k -> k.startsWith(KAFKA_CLIENT_PREFIX)).forEach(k -> sb.append(k)
                .append("=<set>\n"));
        return sb.toString();
    }
}
