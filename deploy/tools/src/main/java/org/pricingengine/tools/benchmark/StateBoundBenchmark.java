package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.Rees46Converter;
import org.pricingengine.features.rees46.Rees46Reader;
import org.pricingengine.features.rees46.Rees46Row;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.PricingTopics;

/**
 * Bounded state, measured: a million distinct shoppers (real REES46 sessions, each re-keyed to a fresh
 * shopper) go through the real job on embedded Flink with RocksDB, in quarters. After each quarter,
 * once the job has consumed and checkpointed everything, it records the size of the latest checkpoint
 * (full snapshots, so one checkpoint is the whole state) and of RocksDB's working directory, and the
 * bytes per shopper held. Then a thousand of the first shoppers come back with hundreds of events each:
 * per-shopper state must not grow with the number of events (the sequence and the duplicate window are
 * rings: a second round adds nothing). Optionally the job idles past the user TTL between two canonical savepoints: expired shoppers
 * leave the savepoint. Prints {@code state-bound: {json}} last.
 *
 * <p>Arguments: {@code --bootstrap-servers} (required), {@code --work-dir} (.work/state-bound), {@code
 * --users} (1000000), {@code --priced-share} (0.05: the share of shoppers who also ask for prices),
 * {@code --heavy-users} (1000), {@code --heavy-events} (200 per heavy user), {@code --idle-wait} (0s: how
 * long to idle between two canonical savepoints; set it past {@code --user.ttl} to see TTL at work),
 * {@code --data-dir} (model-assets/data/rees46: the two bundled logs); any
 * {@code --key value} of the job's options.
 */
public final class StateBoundBenchmark {
    private static final List<String> DATA =
            List.of("cosmetics_2019-10_2019-11.csv", "multicategory_2019-10-01_head.csv");
    private static final int QUARTERS = 4;
    /** The operators keyed by shopper: what each shopper costs. */
    private static final List<String> PER_SHOPPER_UIDS =
            List.of("behaviour-duplicates-and-late-events", "user-behaviour-state", "pricing-policy");

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/bench/state-bound.sh",
                    "A million shoppers through the job, state measured per quarter; then returning heavy shoppers.")
            .required("bootstrap-servers", "the Kafka broker, HOST:PORT")
            .option("work-dir", ".work/state-bound", "checkpoints, savepoints and RocksDB's directory")
            .option("users", "1000000", "distinct shoppers sent, in four quarters")
            .option("priced-share", "0.05", "the share of shoppers who also ask for prices")
            .option("heavy-users", "1000", "shoppers who come back with many events (0 = none)")
            .option("heavy-events", "200", "events per returning shopper and round")
            .option("idle-wait", "0s", "idle time between two canonical savepoints; past --user.ttl to see TTL at work")
            .option("data-dir", "model-assets/data/rees46", "where the two bundled REES46 logs are")
            .jobOptions("a job option", false);

    /** One measurement; the per-user, per-heavy-user and dropped figures only on the steps they concern. */
    @JsonPropertyOrder({
        "step",
        "elapsed_s",
        "catch_up_s",
        "behaviour_events_so_far",
        "price_requests_so_far",
        "checkpoint",
        "savepoint",
        "checkpoint_bytes",
        "state_bytes_by_operator",
        "shopper_state_bytes",
        "rocksdb_dir_bytes",
        "users_in_state",
        "checkpoint_bytes_per_user",
        "shopper_state_bytes_per_user",
        "added_shopper_state_bytes_per_added_user",
        "added_shopper_state_bytes_per_heavy_user",
        "added_shopper_state_bytes_per_event",
        "shopper_state_bytes_dropped"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(
            @JsonProperty("step") String step,
            @JsonProperty("elapsed_s") double elapsedS,
            @JsonProperty("catch_up_s") double catchUpS,
            @JsonProperty("behaviour_events_so_far") long behaviourEventsSoFar,
            @JsonProperty("price_requests_so_far") long priceRequestsSoFar,
            /** The checkpoint's directory name, for a step sized by a checkpoint. */
            @JsonProperty("checkpoint") String checkpoint,
            /** The savepoint's directory name, for a step sized by a savepoint. */
            @JsonProperty("savepoint") String savepoint,
            @JsonProperty("checkpoint_bytes") long checkpointBytes,
            @JsonProperty("state_bytes_by_operator") Map<String, Long> stateBytesByOperator,
            @JsonProperty("shopper_state_bytes") long shopperStateBytes,
            @JsonProperty("rocksdb_dir_bytes") long rocksdbDirBytes,
            @JsonProperty("users_in_state") Long usersInState,
            @JsonProperty("checkpoint_bytes_per_user") Long checkpointBytesPerUser,
            @JsonProperty("shopper_state_bytes_per_user") Long shopperStateBytesPerUser,

            @JsonProperty("added_shopper_state_bytes_per_added_user")
            Long addedShopperStateBytesPerAddedUser,

            @JsonProperty("added_shopper_state_bytes_per_heavy_user")
            Long addedShopperStateBytesPerHeavyUser,

            @JsonProperty("added_shopper_state_bytes_per_event")
            Double addedShopperStateBytesPerEvent,

            @JsonProperty("shopper_state_bytes_dropped") Long shopperStateBytesDropped) {
        Step withUsers(long users, long checkpointPerUser, long shopperPerUser, long addedPerAddedUser) {
            return withFigures(users, checkpointPerUser, shopperPerUser, addedPerAddedUser, null, null, null);
        }

        Step withHeavyUsers(long addedPerHeavyUser, double addedPerEvent) {
            return withFigures(null, null, null, null, addedPerHeavyUser, addedPerEvent, null);
        }

        Step withDropped(long dropped) {
            return withFigures(null, null, null, null, null, null, dropped);
        }

        /** The same measurement with the figures of the step it concerns; the others left out. */
        private Step withFigures(
                Long users,
                Long checkpointPerUser,
                Long shopperPerUser,
                Long addedPerAddedUser,
                Long addedPerHeavyUser,
                Double addedPerEvent,
                Long dropped) {
            return new Step(
                    step,
                    elapsedS,
                    catchUpS,
                    behaviourEventsSoFar,
                    priceRequestsSoFar,
                    checkpoint,
                    savepoint,
                    checkpointBytes,
                    stateBytesByOperator,
                    shopperStateBytes,
                    rocksdbDirBytes,
                    users,
                    checkpointPerUser,
                    shopperPerUser,
                    addedPerAddedUser,
                    addedPerHeavyUser,
                    addedPerEvent,
                    dropped);
        }
    }

    /** The {@code state-bound: {json}} line. */
    @JsonPropertyOrder({
        "users",
        "sessions_in_template",
        "passes",
        "priced_share",
        "behaviour_events",
        "price_requests",
        "catalog_updates",
        "user_sequence_capacity",
        "duplicate_window",
        "user_ttl",
        "parallelism",
        "job_options",
        "steps"
    })
    public record Result(
            @JsonProperty("users") long users,
            @JsonProperty("sessions_in_template") int sessionsInTemplate,
            @JsonProperty("passes") long passes,
            @JsonProperty("priced_share") double pricedShare,
            @JsonProperty("behaviour_events") long behaviourEvents,
            @JsonProperty("price_requests") long priceRequests,
            @JsonProperty("catalog_updates") long catalogUpdates,
            @JsonProperty("user_sequence_capacity") String userSequenceCapacity,
            @JsonProperty("duplicate_window") String duplicateWindow,
            @JsonProperty("user_ttl") String userTtl,
            @JsonProperty("parallelism") String parallelism,
            @JsonProperty("job_options") List<String> jobOptions,
            @JsonProperty("steps") List<Step> steps) {}

    /** A template record and the real session it belongs to. */
    private record SessionRecord(int session, ReplayRecord record) {}

    private final PricingConfig config;
    private final String bootstrap;
    private final Path checkpoints;
    private final Path rocksdb;
    private final Path savepoints;
    private final Map<org.apache.flink.runtime.jobgraph.OperatorID, String> operatorUids = new HashMap<>();
    private final List<SessionRecord> template = new ArrayList<>();
    private final int sessions;
    private final long spanMs;
    private long behaviourSent;
    private long requestsSent;
    private long catalogSent;

    private StateBoundBenchmark(PricingConfig config, String bootstrap, Path work, Path dataDir) throws IOException {
        this.config = config;
        this.bootstrap = bootstrap;
        this.checkpoints = work.resolve("checkpoints");
        this.rocksdb = work.resolve("rocksdb");
        this.savepoints = work.resolve("savepoints");
        Map<String, Integer> sessionIndex = new HashMap<>();
        for (String file : DATA) {
            Path csv = dataDir.resolve(file);
            Rees46Converter converter = new Rees46Converter(Rees46Converter.sourceTagOf(csv));
            for (Rees46Row row : Rees46Reader.readAll(csv)) {
                int session = sessionIndex.computeIfAbsent(file + row.userSession(), k -> sessionIndex.size());
                for (ReplayRecord r : converter.convert(row)) {
                    template.add(new SessionRecord(session, r));
                }
            }
        }
        template.sort(Comparator.comparingLong(s -> s.record().eventTimeMs()));
        this.sessions = sessionIndex.size();
        this.spanMs = template.get(template.size() - 1).record().eventTimeMs()
                - template.get(0).record().eventTimeMs()
                + TimeUnit.HOURS.toMillis(1);
    }

    public static void main(String[] args) throws Exception {
        Result result = run(OPTIONS.parseOrExit(args));
        System.out.println("state-bound: " + Json.toJson(result));
    }

    public static Result run(String... args) throws Exception {
        return run(OPTIONS.parse(args));
    }

    private static Result run(ToolArguments own) throws Exception {
        String bootstrap = own.string("bootstrap-servers");
        Map<String, String> options = new LinkedHashMap<>(own.jobOptions());
        Path work = own.path("work-dir").toAbsolutePath();
        PricingTopics.isolatedRun("state-bound-" + System.currentTimeMillis()).forEach(options::putIfAbsent);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(
                PricingConfig.CHECKPOINT_DIR.key(),
                work.resolve("checkpoints").toUri().toString());
        options.putIfAbsent(PricingConfig.CHECKPOINT_INTERVAL.key(), "10s");
        // Full snapshots: one checkpoint is then the whole state, and TTL-expired entries are left out of it.
        options.put(PricingConfig.CHECKPOINT_INCREMENTAL.key(), "false");
        PricingConfig config = PricingConfig.of(options);
        StateBoundBenchmark bench = new StateBoundBenchmark(config, bootstrap, work, own.path("data-dir"));
        return bench.measure(
                own.longValue("users"),
                own.decimal("priced-share"),
                own.integer("heavy-users"),
                own.integer("heavy-events"),
                own.duration("idle-wait").toMillis(),
                options);
    }

    private Result measure(
            long users,
            double pricedShare,
            int heavyUsers,
            int heavyEvents,
            long idleWaitMs,
            Map<String, String> options)
            throws Exception {
        PricingTopics.createMissing(bootstrap, config);
        Configuration flinkConf = PricingJob.flinkConfiguration(config);
        // The managed memory of a TaskManager of deploy/local/flink-cluster.sh, as in the end-to-end benchmark.
        flinkConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("768m"));
        flinkConf.set(RocksDBOptions.LOCAL_DIRECTORIES, rocksdb.toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        // The checkpoint names operators by the hash of their uid (StreamGraphHasherV2: murmur3_128, seed 0).
        for (var node : env.getStreamGraph(false).getStreamNodes()) {
            String uid = node.getTransformationUID();
            if (uid != null) {
                operatorUids.put(
                        new org.apache.flink.runtime.jobgraph.OperatorID(
                                org.apache.flink.shaded.guava33.com.google.common.hash.Hashing.murmur3_128(0)
                                        .newHasher()
                                        .putString(uid, StandardCharsets.UTF_8)
                                        .hash()
                                        .asBytes()),
                        uid);
            }
        }
        JobClient job = env.executeAsync("pricing-state-bound");

        long passes = (users + sessions - 1) / sessions;
        List<Step> steps = new ArrayList<>();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer();
                Admin admin = admin()) {
            long usersSoFar = 0;
            long previousShopperBytes = 0;
            for (int q = 0; q < QUARTERS; q++) {
                long fromUser = users * q / QUARTERS;
                long toUser = users * (q + 1) / QUARTERS;
                sendQuarter(producer, q, fromUser, toUser, pricedShare);
                long quarterUsers = toUser - fromUser;
                usersSoFar = toUser;
                Step measuredStep = measured(admin, job, "users " + usersSoFar, started);
                long bytes = measuredStep.checkpointBytes();
                long shopperBytes = measuredStep.shopperStateBytes();
                Step step = measuredStep.withUsers(
                        usersSoFar,
                        Math.round((double) bytes / usersSoFar),
                        Math.round((double) shopperBytes / usersSoFar),
                        Math.round((double) (shopperBytes - previousShopperBytes) / quarterUsers));
                previousShopperBytes = shopperBytes;
                steps.add(step);
                print(step);
            }
            // Twice: the first round fills the returning shoppers' rings up to capacity, the second must add
            // nothing. Sized with canonical savepoints: native checkpoints also carry RocksDB's not yet
            // compacted overwrites, noise as large as the effect for a thousand shoppers.
            long previousSavepointShopperBytes = 0;
            if (heavyUsers > 0 && heavyEvents > 0) {
                Step baseline = savepointed(job, "savepoint after " + usersSoFar + " shoppers", started);
                previousSavepointShopperBytes = baseline.shopperStateBytes();
                steps.add(baseline);
                print(baseline);
            }
            for (int round = 1; heavyUsers > 0 && heavyEvents > 0 && round <= 2; round++) {
                sendHeavy(producer, heavyUsers, heavyEvents, round - 1);
                String label = heavyUsers + " shoppers return with " + heavyEvents + " events each (" + round + ")";
                Step checkpointed = measured(admin, job, label, started);
                steps.add(checkpointed);
                print(checkpointed);
                Step savedStep = savepointed(job, "savepoint after return " + round, started);
                long added = savedStep.shopperStateBytes() - previousSavepointShopperBytes;
                Step saved = savedStep.withHeavyUsers(
                        Math.round((double) added / heavyUsers),
                        Math.round((double) added / ((long) heavyUsers * heavyEvents) * 100) / 100.0);
                previousSavepointShopperBytes = saved.shopperStateBytes();
                steps.add(saved);
                print(saved);
            }
            if (idleWaitMs > 0) {
                // Native checkpoints copy RocksDB's files, expired entries included until a compaction drops
                // them; a canonical savepoint (what a rollout takes) leaves expired entries out.
                Step before = savepointed(job, "savepoint before idling", started);
                steps.add(before);
                print(before);
                System.out.printf(
                        "idling %d s (user.ttl %s)%n",
                        idleWaitMs / 1000, PricingConfig.formatDuration(config.get(PricingConfig.USER_TTL)));
                Thread.sleep(idleWaitMs);
                Step idled = savepointed(job, "savepoint after idling " + idleWaitMs / 1000 + " s", started);
                Step after = idled.withDropped(before.shopperStateBytes() - idled.shopperStateBytes());
                steps.add(after);
                print(after);
            }
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        return new Result(
                users,
                sessions,
                passes,
                pricedShare,
                behaviourSent,
                requestsSent,
                catalogSent,
                String.valueOf(config.get(PricingConfig.USER_SEQUENCE_CAPACITY)),
                String.valueOf(config.get(PricingConfig.DUPLICATE_WINDOW)),
                PricingConfig.formatDuration(config.get(PricingConfig.USER_TTL)),
                String.valueOf(config.get(PricingConfig.PARALLELISM)),
                options.entrySet().stream()
                        .filter(e ->
                                !e.getKey().startsWith("topic.") && !e.getKey().startsWith("kafka."))
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList(),
                steps);
    }

    /** Sends shoppers [fromUser, toUser): each is one real session re-keyed, pass p of the template, a quarter later in time. */
    private void sendQuarter(
            KafkaProducer<byte[], byte[]> producer, int quarter, long fromUser, long toUser, double pricedShare) {
        long shift = quarter * spanMs;
        long firstPass = fromUser / sessions;
        long lastPass = (toUser - 1) / sessions;
        for (SessionRecord sr : template) {
            ReplayRecord r = sr.record();
            if (r.role() == ReplayRecord.Role.CATALOG) {
                CatalogUpdate c = (CatalogUpdate) r.value();
                send(
                        producer,
                        config.get(PricingConfig.TOPIC_CATALOG),
                        c.itemId(),
                        new CatalogUpdate(
                                c.itemId(),
                                c.category(),
                                c.brand(),
                                c.listPrice(),
                                c.unitCost(),
                                c.inventory(),
                                c.updateTimeMs() + shift));
                catalogSent++;
                continue;
            }
            for (long p = firstPass; p <= lastPass; p++) {
                long userIndex = p * sessions + sr.session();
                if (userIndex < fromUser || userIndex >= toUser) {
                    continue;
                }
                String user = "shopper-" + userIndex;
                String suffix = "~" + p;
                if (r.role() == ReplayRecord.Role.BEHAVIOUR) {
                    BehaviourEvent e = (BehaviourEvent) r.value();
                    send(
                            producer,
                            config.get(PricingConfig.TOPIC_BEHAVIOUR),
                            user,
                            new BehaviourEvent(
                                    e.eventId() + suffix,
                                    user,
                                    e.itemId(),
                                    e.type(),
                                    e.eventTimeMs() + shift,
                                    e.price(),
                                    e.sessionId() + suffix,
                                    e.category(),
                                    e.brand()));
                    behaviourSent++;
                } else if (Math.floorMod(userIndex * 2654435761L, 10_000) < pricedShare * 10_000) {
                    PriceRequest q = (PriceRequest) r.value();
                    send(
                            producer,
                            config.get(PricingConfig.TOPIC_REQUESTS),
                            user,
                            new PriceRequest(
                                    q.requestId() + suffix,
                                    user,
                                    q.itemId(),
                                    q.requestTimeMs() + shift,
                                    q.channel(),
                                    q.device()));
                    requestsSent++;
                }
            }
        }
        producer.flush();
    }

    /** The first {@code heavyUsers} shoppers come back, each with {@code events} more events, after the last quarter. */
    private void sendHeavy(KafkaProducer<byte[], byte[]> producer, int heavyUsers, int events, int round) {
        List<BehaviourEvent> behaviour = template.stream()
                .map(SessionRecord::record)
                .filter(r -> r.role() == ReplayRecord.Role.BEHAVIOUR)
                .map(r -> (BehaviourEvent) r.value())
                .toList();
        long start = template.get(0).record().eventTimeMs() + QUARTERS * spanMs;
        int cursor = 0;
        for (int k = round * events; k < (round + 1) * events; k++) {
            for (int u = 0; u < heavyUsers; u++) {
                BehaviourEvent e = behaviour.get(cursor++ % behaviour.size());
                String user = "shopper-" + u;
                send(
                        producer,
                        config.get(PricingConfig.TOPIC_BEHAVIOUR),
                        user,
                        new BehaviourEvent(
                                "heavy-" + u + "-" + k,
                                user,
                                e.itemId(),
                                e.type(),
                                start + k * 10_000L,
                                e.price(),
                                "heavy-" + u,
                                e.category(),
                                e.brand()));
                behaviourSent++;
            }
        }
        producer.flush();
    }

    private Step savepointed(JobClient job, String label, long started) throws Exception {
        String location = job.triggerSavepoint(
                        savepoints.toUri().toString(), org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                .get(10, TimeUnit.MINUTES);
        Path dir = Path.of(java.net.URI.create(location));
        return sized(label, started, 0, "savepoint", dir);
    }

    /** One measurement: the snapshot's size on disk and by operator, and RocksDB's working directory. */
    private Step sized(String label, long started, double catchUpS, String kind, Path snapshot) throws IOException {
        double elapsedS = Math.round((System.nanoTime() - started) / 1e8) / 10.0;
        long checkpointBytes = directoryBytes(snapshot);
        Map<String, Long> byOperator = stateBytesByOperator(snapshot);
        String name = snapshot.getFileName().toString();
        return new Step(
                label,
                elapsedS,
                Math.round(catchUpS * 10) / 10.0,
                behaviourSent,
                requestsSent,
                kind.equals("checkpoint") ? name : null,
                kind.equals("savepoint") ? name : null,
                checkpointBytes,
                byOperator,
                PER_SHOPPER_UIDS.stream()
                        .mapToLong(uid -> byOperator.getOrDefault(uid, 0L))
                        .sum(),
                directoryBytes(rocksdb),
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** Waits until the job has consumed and checkpointed every input record, then sizes the latest checkpoint. */
    private Step measured(Admin admin, JobClient job, String label, long started) throws Exception {
        long waitFrom = System.nanoTime();
        awaitCommitted(admin, job);
        // One more checkpoint after the commit, so the measured one was taken with everything processed.
        long committedCheckpoint = latestCheckpoint();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (latestCheckpoint() <= committedCheckpoint) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no checkpoint completed after chk-" + committedCheckpoint);
            }
            Thread.sleep(500);
        }
        long checkpoint = latestCheckpoint();
        return sized(
                label,
                started,
                (System.nanoTime() - waitFrom) / 1e9,
                "checkpoint",
                checkpoints.resolve(job.getJobID().toString()).resolve("chk-" + checkpoint));
    }

    private void awaitCommitted(Admin admin, JobClient job) throws Exception {
        List<String> inputs = List.of(
                config.get(PricingConfig.TOPIC_BEHAVIOUR),
                config.get(PricingConfig.TOPIC_CATALOG),
                config.get(PricingConfig.TOPIC_REQUESTS));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (true) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException(
                        "the job stopped: " + job.getJobStatus().get());
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                            config.get(PricingConfig.GROUP_ID))
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            for (String topic : inputs) {
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .forEach(p -> query.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            }
            var ends = admin.listOffsets(query).all().get(30, TimeUnit.SECONDS);
            boolean caughtUp = ends.entrySet().stream()
                    .allMatch(e -> e.getValue().offset() == 0
                            || (committed.get(e.getKey()) != null
                                    && committed.get(e.getKey()).offset()
                                            >= e.getValue().offset()));
            if (caughtUp) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not catch up within 30 minutes");
            }
            Thread.sleep(1000);
        }
    }

    /** The number of the newest completed checkpoint (its _metadata written), or 0. */
    private long latestCheckpoint() throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return 0;
        }
        long latest = 0;
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            for (Path jobDir : jobs.toList()) {
                try (Stream<Path> chks = Files.list(jobDir)) {
                    for (Path chk : chks.toList()) {
                        String name = chk.getFileName().toString();
                        if (name.startsWith("chk-") && Files.exists(chk.resolve("_metadata"))) {
                            latest = Math.max(latest, Long.parseLong(name.substring(4)));
                        }
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return latest; // a checkpoint was subsumed while listing
        }
        return latest;
    }

    /** The checkpoint's own account of each operator's state size, by operator uid. */
    private Map<String, Long> stateBytesByOperator(Path chk) throws IOException {
        Map<String, Long> sizes = new java.util.TreeMap<>();
        try (java.io.DataInputStream in = new java.io.DataInputStream(Files.newInputStream(chk.resolve("_metadata")))) {
            var metadata = org.apache.flink.runtime.checkpoint.Checkpoints.loadCheckpointMetadata(
                    in, StateBoundBenchmark.class.getClassLoader(), chk.toString());
            for (var op : metadata.getOperatorStates()) {
                if (op.getStateSize() > 0) {
                    sizes.merge(operatorUids.getOrDefault(op.getOperatorID(), "other"), op.getStateSize(), Long::sum);
                }
            }
        }
        return sizes;
    }

    private static long directoryBytes(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(f -> {
                        try {
                            return Files.isRegularFile(f) ? Files.size(f) : 0;
                        } catch (IOException e) {
                            return 0; // deleted while walking (a subsumed checkpoint, a compacted SST file)
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static void print(Step step) {
        System.out.printf(
                "  %-45s %,14d B checkpoint  %,14d B of it per-shopper state  %,14d B rocksdb dir  (%s s, caught up in %s s)%n",
                step.step(),
                step.checkpointBytes(),
                step.shopperStateBytes(),
                step.rocksdbDirBytes(),
                step.elapsedS(),
                step.catchUpS());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p);
    }

    private Admin admin() {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, Object value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), Json.toBytes(value)));
    }
}
