package org.pricingengine.tools.benchmark;

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
import org.pricingengine.tools.local.PricingTopics;

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
    private static final List<String> DATA = List.of("cosmetics_2019-10_2019-11.csv", "multicategory_2019-10-01_head.csv");
    private static final int QUARTERS = 4;
    /** The operators keyed by shopper: what each shopper costs. */
    private static final List<String> PER_SHOPPER_UIDS = List.of("behaviour-duplicates-and-late-events",
            "user-behaviour-state", "pricing-policy");

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
        this.spanMs = template.get(template.size() - 1).record().eventTimeMs() - template.get(0).record().eventTimeMs()
                + TimeUnit.HOURS.toMillis(1);
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> result = run(args);
        System.out.println("state-bound: " + Json.toJson(result));
    }

    public static Map<String, Object> run(String... args) throws Exception {
        Map<String, String> own = new LinkedHashMap<>(Map.of("work-dir", ".work/state-bound", "users", "1000000",
                "priced-share", "0.05", "heavy-users", "1000", "heavy-events", "200", "idle-wait", "0s",
                "data-dir", "model-assets/data/rees46"));
        String bootstrap = null;
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String key = args[i].replaceFirst("^--", "");
            if (key.equals("bootstrap-servers")) {
                bootstrap = args[i + 1];
            } else if (own.containsKey(key)) {
                own.put(key, args[i + 1]);
            } else {
                options.put(key, args[i + 1]);
            }
        }
        if (bootstrap == null) {
            throw new IllegalArgumentException("--bootstrap-servers is required");
        }
        Path work = Path.of(own.get("work-dir")).toAbsolutePath();
        PricingTopics.isolatedRun("state-bound-" + System.currentTimeMillis()).forEach(options::putIfAbsent);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(PricingConfig.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
        options.putIfAbsent(PricingConfig.CHECKPOINT_INTERVAL.key(), "10s");
        // Full snapshots: one checkpoint is then the whole state, and TTL-expired entries are left out of it.
        options.put(PricingConfig.CHECKPOINT_INCREMENTAL.key(), "false");
        PricingConfig config = PricingConfig.of(options);
        StateBoundBenchmark bench = new StateBoundBenchmark(config, bootstrap, work, Path.of(own.get("data-dir")));
        return bench.measure(Long.parseLong(own.get("users")), Double.parseDouble(own.get("priced-share")),
                Integer.parseInt(own.get("heavy-users")), Integer.parseInt(own.get("heavy-events")),
                PricingConfig.parseDuration(own.get("idle-wait")).toMillis(), options);
    }

    private Map<String, Object> measure(long users, double pricedShare, int heavyUsers, int heavyEvents, long idleWaitMs,
                                        Map<String, String> options) throws Exception {
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
                operatorUids.put(new org.apache.flink.runtime.jobgraph.OperatorID(org.apache.flink.shaded.guava33.com.google
                        .common.hash.Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8).hash().asBytes()), uid);
            }
        }
        JobClient job = env.executeAsync("pricing-state-bound");

        long passes = (users + sessions - 1) / sessions;
        List<Map<String, Object>> steps = new ArrayList<>();
        long started = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(); Admin admin = admin()) {
            long usersSoFar = 0;
            long previousShopperBytes = 0;
            for (int q = 0; q < QUARTERS; q++) {
                long fromUser = users * q / QUARTERS;
                long toUser = users * (q + 1) / QUARTERS;
                sendQuarter(producer, q, fromUser, toUser, pricedShare);
                long quarterUsers = toUser - fromUser;
                usersSoFar = toUser;
                Map<String, Object> step = measured(admin, job, "users " + usersSoFar, started);
                long bytes = (long) step.get("checkpoint_bytes");
                long shopperBytes = (long) step.get("shopper_state_bytes");
                step.put("users_in_state", usersSoFar);
                step.put("checkpoint_bytes_per_user", Math.round((double) bytes / usersSoFar));
                step.put("shopper_state_bytes_per_user", Math.round((double) shopperBytes / usersSoFar));
                step.put("added_shopper_state_bytes_per_added_user",
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
                Map<String, Object> baseline = savepointed(job, "savepoint after " + usersSoFar + " shoppers", started);
                previousSavepointShopperBytes = (long) baseline.get("shopper_state_bytes");
                steps.add(baseline);
                print(baseline);
            }
            for (int round = 1; heavyUsers > 0 && heavyEvents > 0 && round <= 2; round++) {
                sendHeavy(producer, heavyUsers, heavyEvents, round - 1);
                String label = heavyUsers + " shoppers return with " + heavyEvents + " events each (" + round + ")";
                Map<String, Object> checkpointed = measured(admin, job, label, started);
                steps.add(checkpointed);
                print(checkpointed);
                Map<String, Object> saved = savepointed(job, "savepoint after return " + round, started);
                long added = (long) saved.get("shopper_state_bytes") - previousSavepointShopperBytes;
                saved.put("added_shopper_state_bytes_per_heavy_user", Math.round((double) added / heavyUsers));
                saved.put("added_shopper_state_bytes_per_event",
                        Math.round((double) added / ((long) heavyUsers * heavyEvents) * 100) / 100.0);
                previousSavepointShopperBytes = (long) saved.get("shopper_state_bytes");
                steps.add(saved);
                print(saved);
            }
            if (idleWaitMs > 0) {
                // Native checkpoints copy RocksDB's files, expired entries included until a compaction drops
                // them; a canonical savepoint (what a rollout takes) leaves expired entries out.
                Map<String, Object> before = savepointed(job, "savepoint before idling", started);
                steps.add(before);
                print(before);
                System.out.printf("idling %d s (user.ttl %s)%n", idleWaitMs / 1000,
                        PricingConfig.formatDuration(config.get(PricingConfig.USER_TTL)));
                Thread.sleep(idleWaitMs);
                Map<String, Object> after = savepointed(job, "savepoint after idling " + idleWaitMs / 1000 + " s", started);
                after.put("shopper_state_bytes_dropped", (long) before.get("shopper_state_bytes") - (long) after.get("shopper_state_bytes"));
                steps.add(after);
                print(after);
            }
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("users", users);
        result.put("sessions_in_template", sessions);
        result.put("passes", passes);
        result.put("priced_share", pricedShare);
        result.put("behaviour_events", behaviourSent);
        result.put("price_requests", requestsSent);
        result.put("catalog_updates", catalogSent);
        result.put("user_sequence_capacity", config.get(PricingConfig.USER_SEQUENCE_CAPACITY));
        result.put("duplicate_window", config.get(PricingConfig.DUPLICATE_WINDOW));
        result.put("user_ttl", PricingConfig.formatDuration(config.get(PricingConfig.USER_TTL)));
        result.put("parallelism", config.get(PricingConfig.PARALLELISM));
        result.put("job_options", options.entrySet().stream().filter(e -> !e.getKey().startsWith("topic.")
                && !e.getKey().startsWith("kafka.")).map(e -> e.getKey() + "=" + e.getValue()).toList());
        result.put("steps", steps);
        return result;
    }

    /** Sends shoppers [fromUser, toUser): each is one real session re-keyed, pass p of the template, a quarter later in time. */
    private void sendQuarter(KafkaProducer<byte[], byte[]> producer, int quarter, long fromUser, long toUser, double pricedShare) {
        long shift = quarter * spanMs;
        long firstPass = fromUser / sessions;
        long lastPass = (toUser - 1) / sessions;
        for (SessionRecord sr : template) {
            ReplayRecord r = sr.record();
            if (r.role() == ReplayRecord.Role.CATALOG) {
                CatalogUpdate c = (CatalogUpdate) r.value();
                send(producer, config.get(PricingConfig.TOPIC_CATALOG), c.itemId(), new CatalogUpdate(c.itemId(), c.category(),
                        c.brand(), c.listPrice(), c.unitCost(), c.inventory(), c.updateTimeMs() + shift));
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
                    send(producer, config.get(PricingConfig.TOPIC_BEHAVIOUR), user, new BehaviourEvent(e.eventId() + suffix, user,
                            e.itemId(), e.type(), e.eventTimeMs() + shift, e.price(), e.sessionId() + suffix, e.category(), e.brand()));
                    behaviourSent++;
                } else if (Math.floorMod(userIndex * 2654435761L, 10_000) < pricedShare * 10_000) {
                    PriceRequest q = (PriceRequest) r.value();
                    send(producer, config.get(PricingConfig.TOPIC_REQUESTS), user, new PriceRequest(q.requestId() + suffix, user,
                            q.itemId(), q.requestTimeMs() + shift, q.channel(), q.device()));
                    requestsSent++;
                }
            }
        }
        producer.flush();
    }

    /** The first {@code heavyUsers} shoppers come back, each with {@code events} more events, after the last quarter. */
    private void sendHeavy(KafkaProducer<byte[], byte[]> producer, int heavyUsers, int events, int round) {
        List<BehaviourEvent> behaviour = template.stream().map(SessionRecord::record)
                .filter(r -> r.role() == ReplayRecord.Role.BEHAVIOUR).map(r -> (BehaviourEvent) r.value()).toList();
        long start = template.get(0).record().eventTimeMs() + QUARTERS * spanMs;
        int cursor = 0;
        for (int k = round * events; k < (round + 1) * events; k++) {
            for (int u = 0; u < heavyUsers; u++) {
                BehaviourEvent e = behaviour.get(cursor++ % behaviour.size());
                String user = "shopper-" + u;
                send(producer, config.get(PricingConfig.TOPIC_BEHAVIOUR), user, new BehaviourEvent("heavy-" + u + "-" + k, user,
                        e.itemId(), e.type(), start + k * 10_000L, e.price(), "heavy-" + u, e.category(), e.brand()));
                behaviourSent++;
            }
        }
        producer.flush();
    }

    private Map<String, Object> savepointed(JobClient job, String label, long started) throws Exception {
        String location = job.triggerSavepoint(savepoints.toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get(10, TimeUnit.MINUTES);
        Path dir = Path.of(java.net.URI.create(location));
        return sized(label, started, 0, "savepoint", dir);
    }

    /** One measurement: the snapshot's size on disk and by operator, and RocksDB's working directory. */
    private Map<String, Object> sized(String label, long started, double catchUpS, String kind, Path snapshot)
            throws IOException {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("step", label);
        step.put("elapsed_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        step.put("catch_up_s", Math.round(catchUpS * 10) / 10.0);
        step.put("behaviour_events_so_far", behaviourSent);
        step.put("price_requests_so_far", requestsSent);
        step.put(kind, snapshot.getFileName().toString());
        step.put("checkpoint_bytes", directoryBytes(snapshot));
        Map<String, Long> byOperator = stateBytesByOperator(snapshot);
        step.put("state_bytes_by_operator", byOperator);
        step.put("shopper_state_bytes", PER_SHOPPER_UIDS.stream().mapToLong(uid -> byOperator.getOrDefault(uid, 0L)).sum());
        step.put("rocksdb_dir_bytes", directoryBytes(rocksdb));
        return step;
    }

    /** Waits until the job has consumed and checkpointed every input record, then sizes the latest checkpoint. */
    private Map<String, Object> measured(Admin admin, JobClient job, String label, long started) throws Exception {
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
        return sized(label, started, (System.nanoTime() - waitFrom) / 1e9, "checkpoint",
                checkpoints.resolve(job.getJobID().toString()).resolve("chk-" + checkpoint));
    }

    private void awaitCommitted(Admin admin, JobClient job) throws Exception {
        List<String> inputs = List.of(config.get(PricingConfig.TOPIC_BEHAVIOUR), config.get(PricingConfig.TOPIC_CATALOG),
                config.get(PricingConfig.TOPIC_REQUESTS));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (true) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("the job stopped: " + job.getJobStatus().get());
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(config.get(PricingConfig.GROUP_ID))
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            for (String topic : inputs) {
                admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                        .forEach(p -> query.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            }
            var ends = admin.listOffsets(query).all().get(30, TimeUnit.SECONDS);
            boolean caughtUp = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
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
            var metadata = org.apache.flink.runtime.checkpoint.Checkpoints.loadCheckpointMetadata(in,
                    StateBoundBenchmark.class.getClassLoader(), chk.toString());
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
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static void print(Map<String, Object> step) {
        System.out.printf("  %-45s %,14d B checkpoint  %,14d B of it per-shopper state  %,14d B rocksdb dir  (%s s, caught up in %s s)%n",
                step.get("step"), (long) step.get("checkpoint_bytes"), (long) step.get("shopper_state_bytes"),
                (long) step.get("rocksdb_dir_bytes"), step.get("elapsed_s"), step.get("catch_up_s"));
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
