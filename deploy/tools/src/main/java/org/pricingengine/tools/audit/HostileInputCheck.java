package org.pricingengine.tools.audit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.Rees46Converter;
import org.pricingengine.features.rees46.Rees46Reader;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.features.rees46.ReplayRecord.Role;
import org.pricingengine.features.validation.EventParser;
import org.pricingengine.features.validation.ParseResult;
import org.pricingengine.features.validation.RejectReason;
import org.pricingengine.features.validation.ValidationRules;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.PricingTopics;

/**
 * Hostile input, end to end: sends valid REES46 traffic, files of bad records (one per line, raw bytes)
 * and seeded fuzz mutations of valid records to the input topics, runs the pricing job over them to the
 * end of the topics with no restarts allowed, and checks every record's fate:
 * <ul>
 *   <li>a record with an expected verdict (a {@code .expected} file next to its records file, one line
 *       per record: {@code ACCEPT} or a reason code) got exactly that;</li>
 *   <li>any other record got what the parser says: refused ones are in the dead-letter topic, once, at
 *       their source partition and offset, with the parser's reason code; accepted ones are not (a
 *       behaviour event may still be refused as DUPLICATE_EVENT or LATE_EVENT by the user's history);</li>
 *   <li>every record the parser accepted really is valid, checked here without the parser (ids present
 *       and short, prices finite and in range, times in range): the fuzz tries to slip records past it;</li>
 *   <li>every valid request has a decision, and repeated decisions are identical ({@link DeliveryAudit});</li>
 *   <li>the job finished: with the restart strategy "none", one exception anywhere would have failed it.</li>
 * </ul>
 *
 * <p>Arguments: {@code --bootstrap-servers HOST:PORT} (required); {@code --records FILE:ROLE}, repeatable,
 * ROLE one of behaviour, requests, catalog; {@code --fuzz N} mutants (default 3000); {@code --seed S}
 * (default 46); {@code --rows N} valid REES46 rows sent first and mutated (default 3000); {@code --data
 * FILE} (the bundled cosmetics log); {@code --topic-prefix P} (default hostile-TIME, fresh topics); any
 * other {@code --key value} is a job option. Prints {@code hostile: {json}} last; exit status 1 when a
 * check failed.
 */
public final class HostileInputCheck {
    private static final String ACCEPT = "ACCEPT";
    private static final Set<String> GATE_REFUSALS =
            Set.of(RejectReason.DUPLICATE_EVENT.name(), RejectReason.LATE_EVENT.name());

    /** A records file and the topic it goes to. */
    public record RecordsFile(Path path, Role role) {
        public static RecordsFile parse(String spec) {
            int colon = spec.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(
                        "--records " + spec + ": expected FILE:ROLE (behaviour, requests, catalog, competitors)");
            }
            Role role =
                    switch (spec.substring(colon + 1)) {
                        case "behaviour", "behaviour-events" -> Role.BEHAVIOUR;
                        case "requests", "price-requests" -> Role.REQUEST;
                        case "catalog", "catalog-updates" -> Role.CATALOG;
                        case "competitors", "competitor-prices" -> Role.COMPETITOR_PRICE;
                        default ->
                            throw new IllegalArgumentException(
                                    "--records " + spec + ": role must be behaviour, requests, catalog or competitors");
                    };
            Path path = Path.of(spec.substring(0, colon));
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("--records " + path + ": no such file");
            }
            return new RecordsFile(path, role);
        }
    }

    public record Settings(
            String bootstrapServers,
            List<RecordsFile> files,
            int fuzz,
            long seed,
            int rows,
            Path data,
            String topicPrefix) {}

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/hostile-input.sh",
                    "Sends bad records, fuzz mutants and valid traffic through the job and checks every record's fate.")
            .required("bootstrap-servers", "the Kafka broker, HOST:PORT")
            .repeatable(
                    "records", "FILE:ROLE, a file of records (one per line) for ROLE behaviour, requests or catalog")
            .option("fuzz", "3000", "seeded fuzz mutants of valid records")
            .option("seed", "46", "the fuzz seed")
            .option("rows", "3000", "valid REES46 rows sent first (and mutated)")
            .option(
                    "data",
                    "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv",
                    "the REES46 log the rows come from")
            .option("topic-prefix", null, "prefix of the fresh topics of this run (default hostile-TIME)")
            .jobOptions("a job option", false);

    /** The {@code hostile: {json}} line. */
    @JsonPropertyOrder({
        "records_sent",
        "refused_by_broker",
        "dead_letters",
        "mismatches",
        "dead_lettered_twice",
        "unexplained_dead_letters",
        "accepted_but_invalid",
        "job",
        "job_seconds",
        "verdicts",
        "by_origin",
        "fuzz_mutations",
        "delivery"
    })
    public record Summary(
            @JsonProperty("records_sent") int recordsSent,
            @JsonProperty("refused_by_broker") long refusedByBroker,
            @JsonProperty("dead_letters") long deadLetters,
            @JsonProperty("mismatches") long mismatches,
            @JsonProperty("dead_lettered_twice") long deadLetteredTwice,
            @JsonProperty("unexplained_dead_letters") long unexplainedDeadLetters,
            @JsonProperty("accepted_but_invalid") long acceptedButInvalid,
            @JsonProperty("job") String job,
            @JsonProperty("job_seconds") double jobSeconds,
            /** Records by verdict: ACCEPT or the reason code they were dead-lettered with. */
            @JsonProperty("verdicts") Map<String, Long> verdicts,
            /** Per origin (rees46, fuzz, file:NAME): sent, accepted, dead_lettered and by reason. */
            @JsonProperty("by_origin") Map<String, Map<String, Long>> byOrigin,
            @JsonProperty("fuzz_mutations") Map<String, Long> fuzzMutations,
            @JsonProperty("delivery") DeliveryAudit.Result delivery) {}

    /** What the check found; {@link #problems()} is empty when every record met its fate. */
    public record Report(Summary summary, List<String> problems, List<String> examples) {}

    /** One record sent, what must happen to it, and the broker's answer (where it landed). */
    private record Sent(String origin, Role role, Set<String> allowed, Future<RecordMetadata> landed) {}

    private final Settings settings;
    private final PricingConfig config;
    private final EventParser parser;
    private final ValidationRules rules;
    private final Map<String, Map<String, Long>> origins = new TreeMap<>();
    private final Map<String, Long> mutations = new TreeMap<>();
    private final List<String> examples = new ArrayList<>();
    /** Every record in the order sent. */
    private final List<Sent> sent = new ArrayList<>();

    private KafkaProducer<byte[], byte[]> producer;
    private long acceptedButInvalid;
    private long refusedByBroker;

    private HostileInputCheck(Settings settings, PricingConfig config) {
        this.settings = settings;
        this.config = config;
        this.rules = KafkaEndpoints.validationRules(config);
        this.parser = new EventParser(rules);
    }

    public static void main(String[] args) throws Exception {
        Report report = run(OPTIONS.parseOrExit(args));
        report.examples().forEach(e -> System.out.println("  " + e));
        report.problems().forEach(p -> System.out.println("PROBLEM: " + p));
        System.out.println("hostile: " + Json.toJson(report.summary()));
        System.exit(report.problems().isEmpty() ? 0 : 1);
    }

    public static Report run(String... args) throws Exception {
        return run(OPTIONS.parse(args));
    }

    private static Report run(ToolArguments a) throws Exception {
        String bootstrap = a.string("bootstrap-servers");
        List<RecordsFile> files =
                a.all("records").stream().map(RecordsFile::parse).toList();
        String prefix = a.optional("topic-prefix").orElse("hostile-" + System.currentTimeMillis());
        Settings settings = new Settings(
                bootstrap, files, a.integer("fuzz"), a.longValue("seed"), a.integer("rows"), a.path("data"), prefix);
        Map<String, String> options = PricingTopics.isolatedRun(prefix);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(PricingConfig.BOUNDED.key(), "true");
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "2s");
        options.putAll(a.jobOptions());
        return new HostileInputCheck(settings, PricingConfig.of(options)).run();
    }

    private Report run() throws Exception {
        PricingTopics.createMissing(settings.bootstrapServers(), config);
        Map<Sent, RecordMetadata> landed = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            producer = p;
            Map<Role, List<ReplayRecord>> validPool = sendRees46();
            for (RecordsFile file : settings.files()) {
                sendFile(file);
            }
            sendFuzz(validPool);
            producer.flush();
            for (Sent s : sent) {
                try {
                    landed.put(s, s.landed().get());
                } catch (ExecutionException e) {
                    // The broker's own limit (message.max.bytes) stops a record before the job could see it.
                    refusedByBroker++;
                    example("refused by the broker, never reached the job: " + s.origin() + ": "
                            + e.getCause().getMessage());
                }
            }
        }

        long started = System.nanoTime();
        String jobOutcome = "FINISHED";
        try {
            Configuration flinkConf = PricingJob.flinkConfiguration(config);
            // No restarts: the job must survive every record by routing it, not by retrying.
            flinkConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
            new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
            env.execute("pricing-hostile-input-check");
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            jobOutcome = "FAILED: " + root;
        }
        double jobSeconds = (System.nanoTime() - started) / 1e9;

        return verify(landed, jobOutcome, jobSeconds);
    }

    private Report verify(Map<Sent, RecordMetadata> landed, String jobOutcome, double jobSeconds) {
        Map<String, List<String>> deadLetters = new HashMap<>();
        long[] deadLetterCount = new long[1];
        DeliveryAudit.read(
                settings.bootstrapServers(), config, config.get(PricingConfig.TOPIC_DEAD_LETTERS), false, r -> {
                    JsonNode dl = DeliveryAudit.json(new String(r.value(), StandardCharsets.UTF_8));
                    deadLetterCount[0]++;
                    String reason = dl.path("reason").asText();
                    deadLetters
                            .computeIfAbsent(
                                    dl.path("source_topic").asText() + "/"
                                            + dl.path("partition").asInt() + "/"
                                            + dl.path("offset").asLong(),
                                    k -> new ArrayList<>())
                            .add(reason.split(":", 2)[0]);
                });
        Map<String, Long> reasons = new TreeMap<>();
        long mismatches = 0;
        long twice = 0;
        for (Map.Entry<Sent, RecordMetadata> e : landed.entrySet()) {
            Sent s = e.getKey();
            RecordMetadata at = e.getValue();
            List<String> got = deadLetters.remove(at.topic() + "/" + at.partition() + "/" + at.offset());
            String verdict = got == null ? ACCEPT : got.get(0);
            if (got != null && got.size() > 1) {
                twice++;
                example("dead-lettered " + got.size() + " times: " + s.origin() + " " + got);
            }
            reasons.merge(verdict, 1L, Long::sum);
            tally(s.origin(), verdict);
            if (!s.allowed().contains(verdict)) {
                mismatches++;
                example(s.origin() + ": expected " + s.allowed() + ", got " + verdict);
            }
        }
        long unexplained = deadLetters.values().stream().mapToLong(List::size).sum();
        deadLetters.forEach((where, r) -> example("a dead letter for no record sent: " + where + " " + r));
        DeliveryAudit.Result delivery = DeliveryAudit.run(settings.bootstrapServers(), config);

        List<String> problems = new ArrayList<>();
        if (!jobOutcome.equals("FINISHED")) {
            problems.add("the job did not finish: " + jobOutcome);
        }
        if (mismatches > 0) {
            problems.add(mismatches + " records did not get their expected verdict");
        }
        if (twice > 0) {
            problems.add(twice + " records were dead-lettered more than once");
        }
        if (unexplained > 0) {
            problems.add(unexplained + " dead letters name no record that was sent");
        }
        if (acceptedButInvalid > 0) {
            problems.add(acceptedButInvalid + " records the parser accepted are not valid");
        }
        problems.addAll(delivery.problems());
        examples.addAll(delivery.examples());

        Summary summary = new Summary(
                sent.size(),
                refusedByBroker,
                deadLetterCount[0],
                mismatches,
                twice,
                unexplained,
                acceptedButInvalid,
                jobOutcome,
                Math.round(jobSeconds * 10) / 10.0,
                reasons,
                origins,
                mutations,
                delivery);
        return new Report(summary, problems, List.copyOf(examples));
    }

    private Map<Role, List<ReplayRecord>> sendRees46() throws IOException {
        Map<Role, List<ReplayRecord>> pool = new HashMap<>();
        if (settings.rows() <= 0) {
            return pool;
        }
        Rees46Converter converter = new Rees46Converter(Rees46Converter.sourceTagOf(settings.data()));
        try (Rees46Reader reader = new Rees46Reader(settings.data())) {
            for (int n = 0; n < settings.rows() && reader.hasNext(); n++) {
                for (ReplayRecord r : converter.convert(reader.next())) {
                    byte[] value = Json.toBytes(r.value());
                    send(r.role(), r.key(), value, "rees46", parserVerdict(r.role(), value));
                    pool.computeIfAbsent(r.role(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        return pool;
    }

    private void sendFile(RecordsFile file) throws IOException {
        List<byte[]> records = splitLines(Files.readAllBytes(file.path()));
        String name = file.path().getFileName().toString();
        Path expectedFile = file.path().resolveSibling(name.replaceFirst("\\.[^.]*$", "") + ".expected");
        List<String> expected = Files.isRegularFile(expectedFile) ? readExpected(expectedFile) : null;
        if (expected != null && expected.size() != records.size()) {
            throw new IllegalArgumentException(expectedFile + " has " + expected.size() + " verdicts for "
                    + records.size() + " records in " + file.path());
        }
        for (int i = 0; i < records.size(); i++) {
            byte[] value = records.get(i);
            Set<String> allowed = parserVerdict(file.role(), value);
            if (expected != null) {
                String verdict = expected.get(i);
                if (!verdict.equals(ACCEPT)) {
                    RejectReason.valueOf(verdict);
                }
                allowed = Set.of(verdict);
            }
            send(
                    file.role(),
                    keyOf(file.role(), value, "hostile-" + i),
                    value,
                    "file:" + name + ":" + (i + 1),
                    allowed);
        }
    }

    private void sendFuzz(Map<Role, List<ReplayRecord>> pool) {
        List<Role> roles = List.copyOf(pool.keySet()).stream().sorted().toList();
        if (roles.isEmpty() || settings.fuzz() <= 0) {
            return;
        }
        RecordFuzzer fuzzer = new RecordFuzzer(settings.seed());
        java.util.Random pick = new java.util.Random(settings.seed() + 1);
        for (int i = 0; i < settings.fuzz(); i++) {
            // Mostly behaviour and requests: they carry the shopper traffic.
            Role role = roles.get(pick.nextInt(roles.size()));
            List<ReplayRecord> candidates = pool.get(role);
            ReplayRecord original = candidates.get(pick.nextInt(candidates.size()));
            RecordFuzzer.Mutant mutant = fuzzer.mutate(Json.toBytes(original.value()));
            mutations.merge(mutant.mutation().name(), 1L, Long::sum);
            String origin = "fuzz#" + i + ":" + mutant.mutation();
            Set<String> allowed = parserVerdict(role, mutant.value());
            send(role, original.key(), mutant.value(), origin, allowed);
            if (mutant.mutation() == RecordFuzzer.Mutation.DUPLICATE) {
                // Right behind its twin on the same partition: the user's history must refuse it.
                send(
                        role,
                        original.key(),
                        mutant.value(),
                        origin + "-again",
                        role == Role.BEHAVIOUR ? GATE_REFUSALS : allowed);
            }
        }
    }

    private void send(Role role, String key, byte[] value, String origin, Set<String> allowed) {
        sent.add(new Sent(
                origin,
                role,
                allowed,
                producer.send(new ProducerRecord<>(topicOf(role), key.getBytes(StandardCharsets.UTF_8), value))));
    }

    /**
     * What the job's parser says about the record, plus an independent look at what it accepted. A
     * behaviour event the parser accepts may still be refused by the user's history.
     */
    private Set<String> parserVerdict(Role role, byte[] value) {
        ParseResult<?> parsed =
                switch (role) {
                    case BEHAVIOUR -> parser.parseBehaviourEvent(value);
                    case REQUEST -> parser.parsePriceRequest(value);
                    case CATALOG -> parser.parseCatalogUpdate(value);
                    case COMPETITOR_PRICE -> parser.parseCompetitorPrice(value);
                };
        if (!parsed.isValid()) {
            return Set.of(parsed.rejectReason().split(":", 2)[0]);
        }
        String invalid = independentlyInvalid(parsed.value());
        if (invalid != null) {
            acceptedButInvalid++;
            example("the parser accepted an invalid record (" + invalid + "): "
                    + abbreviate(new String(value, StandardCharsets.UTF_8)));
        }
        if (role == Role.BEHAVIOUR) {
            return Set.of(ACCEPT, RejectReason.DUPLICATE_EVENT.name(), RejectReason.LATE_EVENT.name());
        }
        return Set.of(ACCEPT);
    }

    /** Why an accepted record is not valid, judged from the event itself; null if it is. */
    private String independentlyInvalid(Object event) {
        long latest = System.currentTimeMillis() + rules.maxFutureSkewMs();
        if (event instanceof BehaviourEvent e) {
            return firstNonNull(
                    id("event_id", e.eventId()),
                    id("user_id", e.userId()),
                    id("item_id", e.itemId()),
                    e.type() == null ? "no event type" : null,
                    time(e.eventTimeMs(), latest),
                    !Double.isFinite(e.price()) || e.price() < 0 || e.price() > rules.maxPrice()
                            ? "price " + e.price()
                            : null);
        }
        if (event instanceof PriceRequest r) {
            return firstNonNull(
                    id("request_id", r.requestId()),
                    id("user_id", r.userId()),
                    id("item_id", r.itemId()),
                    time(r.requestTimeMs(), latest));
        }
        if (event instanceof CompetitorPrice p) {
            return firstNonNull(
                    id("item_id", p.itemId()),
                    id("competitor", p.competitor()),
                    time(p.observedTimeMs(), latest),
                    !Double.isFinite(p.price()) || p.price() <= 0 || p.price() > rules.maxPrice()
                            ? "price " + p.price()
                            : null);
        }
        CatalogUpdate c = (CatalogUpdate) event;
        return firstNonNull(
                id("item_id", c.itemId()),
                time(c.updateTimeMs(), latest),
                !Double.isFinite(c.listPrice()) || c.listPrice() <= 0 || c.listPrice() > rules.maxPrice()
                        ? "list price " + c.listPrice()
                        : null,
                c.unitCost() != null && (!Double.isFinite(c.unitCost()) || c.unitCost() < 0)
                        ? "unit cost " + c.unitCost()
                        : null,
                c.inventory() != null && c.inventory() < 0 ? "inventory " + c.inventory() : null);
    }

    private String id(String field, String value) {
        if (value == null || value.isBlank() || value.length() > rules.maxIdLength()) {
            return field + " " + (value == null ? "missing" : "of length " + value.length());
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
            return field + " not encodable as UTF-8";
        }
        return value.chars().anyMatch(Character::isISOControl) ? field + " with a control character" : null;
    }

    private String time(long ms, long latest) {
        return ms < rules.earliestEventTimeMs() || ms > latest ? "time " + ms + " out of range" : null;
    }

    private static String firstNonNull(String... reasons) {
        for (String r : reasons) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** The record's key as a producer would set it (user; item for the catalog and competitor prices); a made-up one if unreadable. */
    private static String keyOf(Role role, byte[] value, String fallback) {
        try {
            JsonNode node = Json.mapper().readTree(value);
            boolean byItem = role == Role.CATALOG || role == Role.COMPETITOR_PRICE;
            JsonNode key = node == null ? null : node.get(byItem ? "item_id" : "user_id");
            if (key != null
                    && key.isTextual()
                    && !key.asText().isEmpty()
                    && key.asText().length() <= 1000) {
                return key.asText();
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: the fallback key
        }
        return fallback;
    }

    /** Records are separated by '\n'; a final newline does not start another record; a blank line is an empty record. */
    static List<byte[]> splitLines(byte[] bytes) {
        List<byte[]> records = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                records.add(java.util.Arrays.copyOfRange(bytes, from, i));
                from = i + 1;
            }
        }
        if (from < bytes.length) {
            records.add(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
        }
        return records;
    }

    /** One verdict per line ({@code ACCEPT} or a reason code), {@code # comments} and comment lines ignored. */
    static List<String> readExpected(Path file) throws IOException {
        List<String> verdicts = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String v = line.replaceFirst("#.*$", "").trim();
            if (!v.isEmpty()) {
                verdicts.add(v);
            }
        }
        return verdicts;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Idempotent: a retry inside the producer must not add duplicates the check did not mean to send.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        return new KafkaProducer<>(p);
    }

    private String topicOf(Role role) {
        return config.get(
                switch (role) {
                    case BEHAVIOUR -> PricingConfig.TOPIC_BEHAVIOUR;
                    case REQUEST -> PricingConfig.TOPIC_REQUESTS;
                    case CATALOG -> PricingConfig.TOPIC_CATALOG;
                    case COMPETITOR_PRICE -> PricingConfig.TOPIC_COMPETITOR_PRICES;
                });
    }

    private void tally(String origin, String verdict) {
        String group = origin.startsWith("file:")
                ? origin.substring(0, origin.lastIndexOf(':'))
                : origin.startsWith("fuzz") ? "fuzz" : origin;
        Map<String, Long> counts = origins.computeIfAbsent(group, k -> new TreeMap<>());
        counts.merge("sent", 1L, Long::sum);
        counts.merge(verdict.equals(ACCEPT) ? "accepted" : "dead_lettered", 1L, Long::sum);
    }

    private void example(String s) {
        if (examples.size() < 20) {
            examples.add(abbreviate(s));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
