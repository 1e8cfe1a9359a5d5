package org.pricingengine.tools.benchmark;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ModelManifest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The job end to end against a real Kafka broker on loopback, with a load generator that replays the
 * bundled REES46 logs re-keyed to many users (each pass over the data gets fresh user ids, so user
 * state grows as it would with real traffic). Measures, in one run: the sustained decision rate flat
 * out; end-to-end latency (request produced to decision consumed) at 25%, 50% and 75% of it; the
 * naive synchronous scorer's sustained rate; optionally a soak at 50% with the JVM's resident memory.
 * The inference ceiling ({@link InferenceCeiling}) runs first, in the same JVM.
 *
 * <p>Everything (broker aside) shares this JVM and the machine's cores: the generator and the consumer
 * cost CPU the job would otherwise have, as they would on a small box serving real traffic.
 */
public final class EndToEndBenchmark {
    private static final long MAX_OUTSTANDING = 4000;
    private final String bootstrap;
    private final Path work;
    private final List<ReplayRecord> template;
    private int runCounter;

    private EndToEndBenchmark(String bootstrap, Path work, List<ReplayRecord> template) {
        this.bootstrap = bootstrap;
        this.work = work;
        this.template = template;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("work-dir", ".work/bench", "quick", "false",
                "model", "v1", "model-dir", "model-assets/models"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        boolean quick = Boolean.parseBoolean(a.get("quick"));
        int flatOutSeconds = quick ? 25 : 60;
        // Full mode: each load level runs long enough that its measured part includes at least one checkpoint
        // at the default interval (checkpoint stalls are part of the latency a shopper sees).
        int levelSeconds = quick ? 20 : 90;
        int soakSeconds = quick ? 0 : Integer.parseInt(a.getOrDefault("soak-seconds", "600"));
        Path work = Path.of(a.get("work-dir")).toAbsolutePath();
        Files.createDirectories(work);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(),
                "max_heap_mb", Runtime.getRuntime().maxMemory() >> 20, "java", System.getProperty("java.version"),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        ModelManifest manifest = ModelContract.readAndCheckManifest(
                new ModelLocation(Path.of(a.get("model-dir")), a.get("model")));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("version", manifest.modelVersion());
        model.put("onnx_sha256", manifest.onnxSha256());
        model.put("feature_spec", manifest.featureSpecVersion());
        model.put("inputs", manifest.inputs().stream().map(t -> t.name() + " " + t.shape()).toList().toString());
        report.put("model", model);
        report.put("model_version", a.get("model"));
        report.put("quick", quick);

        // For experiments: --steps picks a subset, --sustained fixes the rate the load levels are shares of.
        List<String> steps = List.of(a.getOrDefault("steps", "ceiling,flat,levels,naive,soak").split(","));
        if (steps.contains("ceiling")) {
        System.out.println("== 1. inference ceiling (model alone, tight loop)");
        Map<String, String> ceilingArgs = new LinkedHashMap<>(Map.of("model", a.get("model"), "model-dir", a.get("model-dir"),
                "device", "cpu", "seconds", quick ? "0.5" : "2", "threads", "1,2",
                "batches", "1,2,4,8,16,32,64,128,256,512", "data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"));
        Map<String, Object> ceiling = InferenceCeiling.run(ceilingArgs);
        report.put("ceiling", ceiling);
        model.put("ceiling_execution_provider", ceiling.get("execution_provider"));
        report.put("ceiling_per_s", ceiling.get("ceiling_per_s"));
        }

        List<ReplayRecord> template = new ArrayList<>();
        for (String file : List.of("cosmetics_2019-10_2019-11.csv", "multicategory_2019-10-01_head.csv")) {
            Path csv = Path.of("model-assets/data/rees46", file);
            Rees46Converter converter = new Rees46Converter(Rees46Converter.sourceTagOf(csv));
            for (Rees46Row row : Rees46Reader.readAll(csv)) {
                template.addAll(converter.convert(row));
            }
        }
        // One timeline for both stores: each pass then moves forward in event time (see Generator).
        template.sort(java.util.Comparator.comparingLong(ReplayRecord::eventTimeMs));
        EndToEndBenchmark bench = new EndToEndBenchmark(a.get("bootstrap-servers"), work, template);
        Map<String, String> jobOptions = new LinkedHashMap<>(Map.of(PricingConfig.MODEL_VERSION.key(), a.get("model"),
                PricingConfig.MODEL_DIR.key(), a.get("model-dir")));
        // Any job option may be passed through, e.g. --checkpoint.interval 60s.
        for (PricingConfig.Option o : PricingConfig.options()) {
            if (a.containsKey(o.key())) {
                jobOptions.put(o.key(), a.get(o.key()));
            }
        }
        report.put("job_settings", PricingConfig.of(jobOptions).toString().lines().toList());

        double sustained = Double.parseDouble(a.getOrDefault("sustained", "0"));
        if (steps.contains("flat")) {
            System.out.println("== 2. the job flat out (async, micro-batched)");
            Map<String, Object> flat = bench.run("async", jobOptions, 0, flatOutSeconds, false);
            sustained = ((Number) flat.get("decisions_per_s")).doubleValue();
            report.put("flat_out", flat);
        }
        report.put("sustained_per_s", Math.round(sustained));

        List<Map<String, Object>> levels = new ArrayList<>();
        for (double share : steps.contains("levels") ? new double[] {0.25, 0.5, 0.75} : new double[0]) {
            System.out.printf("== 2. the job at %.0f%% of sustained (%.0f requests/s)%n", share * 100, sustained * share);
            Map<String, Object> level = bench.run("async", jobOptions, sustained * share, levelSeconds, false);
            level.put("load_share", share);
            levels.add(level);
            report.put("p50_ms_at_" + Math.round(share * 100), level.get("p50_ms"));
            report.put("p99_ms_at_" + Math.round(share * 100), level.get("p99_ms"));
            report.put("p999_ms_at_" + Math.round(share * 100), level.get("p999_ms"));
        }
        report.put("levels", levels);

        if (steps.contains("naive")) {
            System.out.println("== 3. the naive peer flat out (scoring.mode=sync)");
            Map<String, Object> naive = bench.run("sync", jobOptions, 0, flatOutSeconds, false);
            report.put("naive_per_s", Math.round(((Number) naive.get("decisions_per_s")).doubleValue()));
            report.put("naive", naive);
        }

        if (soakSeconds > 0 && steps.contains("soak")) {
            System.out.printf("== 4. soak: %d s at 50%% of sustained%n", soakSeconds);
            Map<String, Object> soak = bench.run("async", jobOptions, sustained * 0.5, soakSeconds, true);
            BenchmarkReport.summariseSoak(soak);
            report.put("soak", soak);
        }
        if (report.get("ceiling_per_s") instanceof Number ceilingPerS) {
            report.put("sustained_share_of_ceiling", Math.round(sustained / ceilingPerS.doubleValue() * 1000) / 1000.0);
        }
        if (report.get("naive_per_s") instanceof Number naivePerS) {
            report.put("speedup_over_naive", Math.round(sustained / Math.max(1, naivePerS.doubleValue()) * 100) / 100.0);
        }
        BenchmarkReport.write(work, report);
        Files.writeString(work.resolve("bench.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Map<String, Object> top = new LinkedHashMap<>();
        for (String k : List.of("ceiling_per_s", "sustained_per_s", "naive_per_s", "sustained_share_of_ceiling",
                "speedup_over_naive", "p50_ms_at_25", "p99_ms_at_25", "p999_ms_at_25", "p50_ms_at_50", "p99_ms_at_50",
                "p999_ms_at_50", "p50_ms_at_75", "p99_ms_at_75", "p999_ms_at_75", "targets")) {
            top.put(k, report.get(k));
        }
        System.out.println("report: " + work.resolve("report.md"));
        System.out.println("bench: " + Json.toJson(top));
        System.exit(0);
    }

    /** One job run on fresh topics: the generator at {@code rate} requests/s (0 = flat out) for {@code seconds}. */
    private Map<String, Object> run(String mode, Map<String, String> jobOptions, double rate, int seconds, boolean soak)
            throws Exception {
        String prefix = "bench" + (++runCounter) + "-" + mode;
        Map<String, String> options = new LinkedHashMap<>(jobOptions);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(PricingConfig.SCORING_MODE.key(), mode);
        options.put(PricingConfig.CHECKPOINT_DIR.key(), work.resolve("checkpoints").toUri().toString());
        for (PricingConfig.Option topic : PricingConfig.TOPICS) {
            options.put(topic.key(), prefix + "." + topic.defaultValue().substring("pricing.".length()));
        }
        PricingConfig config = PricingConfig.of(options);
        PricingTopics.createMissing(bootstrap, config);

        org.apache.flink.configuration.Configuration flinkConf = PricingJob.flinkConfiguration(config);
        // A fixed port for Flink's REST API and web UI: checkpoint and backpressure details while a run is on.
        flinkConf.set(org.apache.flink.configuration.RestOptions.PORT, Integer.parseInt(System.getProperty("bench.rest.port", "38081")));
        // The embedded cluster would give RocksDB 128 MB of managed memory (Flink's local default); a
        // TaskManager of the local standalone cluster (deploy/local/flink-cluster.sh) has about 800 MB.
        flinkConf.set(org.apache.flink.configuration.TaskManagerOptions.MANAGED_MEMORY_SIZE,
                org.apache.flink.configuration.MemorySize.parse(System.getProperty("bench.managed.memory", "768m")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobClient job = env.executeAsync(prefix);

        Map<String, Long> producedAt = new ConcurrentHashMap<>();
        long[] latencies = new long[4_000_000];
        long[] consumedAt = new long[latencies.length];
        // The job's own latency (request's Kafka timestamp to decision made), from the decision record.
        long[] inJobLatencies = new long[latencies.length];
        AtomicLong latencyCount = new AtomicLong();
        AtomicLong decisions = new AtomicLong();
        AtomicBoolean consuming = new AtomicBoolean(true);
        Thread consumer = new Thread(() -> consume(config, producedAt, latencies, consumedAt, inJobLatencies, latencyCount, decisions, consuming), "bench-consumer");
        consumer.start();

        // Warm-up at a gentle rate so that start-up (JIT, model load) is not measured.
        AtomicLong requestsSent = new AtomicLong();
        Generator generator = new Generator(config, producedAt, requestsSent);
        generator.send(300, 8);
        long warmTarget = requestsSent.get();
        long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (decisions.get() < warmTarget && System.nanoTime() < warmDeadline) {
            Thread.sleep(100);
        }
        latencyCount.set(0);

        List<Map<String, Object>> series = new ArrayList<>();
        long startDecisions = decisions.get();
        long start = System.nanoTime();
        long measureFrom = start + (long) (seconds * 0.3e9);
        long decisionsAtMeasureStart = -1;
        long nextSample = start + TimeUnit.SECONDS.toNanos(soak ? 10 : 5);
        long lastSampleDecisions = startDecisions;
        long lastSampleTime = start;
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (rate > 0) {
                generator.send(rate, 0.1);
            } else {
                // Flat out, but at most MAX_OUTSTANDING requests ahead of the decisions: the rate we want
                // is the one the job sustains, not the one Kafka absorbs.
                if (requestsSent.get() - decisions.get() < MAX_OUTSTANDING) {
                    generator.burst(200);
                } else {
                    Thread.sleep(5);
                }
            }
            long now = System.nanoTime();
            if (decisionsAtMeasureStart < 0 && now >= measureFrom) {
                decisionsAtMeasureStart = decisions.get();
                latencyCount.set(0);
            }
            if (now >= nextSample) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("t_s", Math.round((now - start) / 1e9));
                point.put("decisions_per_s", Math.round((decisions.get() - lastSampleDecisions) / ((now - lastSampleTime) / 1e9)));
                long rss = residentMb();
                long heapCommitted = Runtime.getRuntime().totalMemory() >> 20;
                point.put("rss_mb", rss);
                point.put("heap_used_mb", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
                point.put("heap_committed_mb", heapCommitted);
                // What a native leak (ONNX Runtime tensors, RocksDB iterators) would grow; RocksDB's block cache
                // and memtables are here too, bounded by Flink's managed memory.
                point.put("outside_heap_mb", rss - heapCommitted);
                series.add(point);
                if (soak) {
                    System.out.printf("  t=%4ds decisions/s %6d rss %5d MB (heap committed %d, outside heap %d)%n",
                            point.get("t_s"), point.get("decisions_per_s"), point.get("rss_mb"), heapCommitted,
                            point.get("outside_heap_mb"));
                }
                lastSampleDecisions = decisions.get();
                lastSampleTime = now;
                nextSample = now + TimeUnit.SECONDS.toNanos(soak ? 10 : 5);
            }
        }
        long measuredDecisions = decisions.get() - Math.max(0, decisionsAtMeasureStart);
        double measuredSeconds = (System.nanoTime() - measureFrom) / 1e9;
        long n = Math.min(latencyCount.get(), latencies.length);
        List<Map<String, Object>> latencySeries = latencyPerSecond(latencies, consumedAt, (int) n);
        long[] sorted = Arrays.copyOf(latencies, (int) n);
        Arrays.sort(sorted);
        long[] inJob = Arrays.copyOf(inJobLatencies, (int) n);
        Arrays.sort(inJob);
        job.cancel().get(60, TimeUnit.SECONDS);
        consuming.set(false);
        consumer.join(10_000);
        generator.close();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("target_requests_per_s", Math.round(rate));
        r.put("seconds", seconds);
        r.put("decisions_per_s", Math.round(measuredDecisions / measuredSeconds));
        r.put("latency_samples", n);
        r.put("p50_ms", percentile(sorted, 0.5));
        r.put("p99_ms", percentile(sorted, 0.99));
        r.put("p999_ms", percentile(sorted, 0.999));
        r.put("in_job_p50_ms", percentile(inJob, 0.5));
        r.put("in_job_p99_ms", percentile(inJob, 0.99));
        r.put("series", series);
        r.put("latency_per_s", latencySeries);
        r.put("latency_series_start", n == 0 ? null : java.time.Instant.ofEpochMilli(consumedAt[0]).toString());
        System.out.printf("  %s: %s decisions/s, p50 %s ms, p99 %s ms, p99.9 %s ms (%d samples; in the job p50 %s, p99 %s ms)%n",
                mode, r.get("decisions_per_s"), r.get("p50_ms"), r.get("p99_ms"), r.get("p999_ms"), n,
                r.get("in_job_p50_ms"), r.get("in_job_p99_ms"));
        return r;
    }

    /** Latency percentiles per wall-clock second of the measured phase: spikes show as outliers in time. */
    private static List<Map<String, Object>> latencyPerSecond(long[] latencies, long[] consumedAt, int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (n == 0) {
            return out;
        }
        long first = consumedAt[0];
        int i = 0;
        while (i < n) {
            long second = (consumedAt[i] - first) / 1000;
            int j = i;
            while (j < n && (consumedAt[j] - first) / 1000 == second) {
                j++;
            }
            long[] bucket = Arrays.copyOfRange(latencies, i, j);
            Arrays.sort(bucket);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t_s", second);
            point.put("decisions", j - i);
            point.put("p50_ms", percentile(bucket, 0.5));
            point.put("p99_ms", percentile(bucket, 0.99));
            point.put("max_ms", bucket[bucket.length - 1]);
            out.add(point);
            i = j;
        }
        return out;
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1))];
    }

    private static long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private void consume(PricingConfig config, Map<String, Long> producedAt, long[] latencies, long[] consumedAt,
                         long[] inJobLatencies, AtomicLong latencyCount,
                         AtomicLong decisions, AtomicBoolean running) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(config.get(PricingConfig.TOPIC_DECISIONS)));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    try {
                        // Only the request id is needed: a full JSON parse here would be measured as job cost.
                        Long sent = producedAt.remove(requestIdOf(r.value()));
                        if (sent != null) {
                            long i = latencyCount.getAndIncrement();
                            if (i < latencies.length) {
                                latencies[(int) i] = now - sent;
                                consumedAt[(int) i] = now;
                                inJobLatencies[(int) i] = longFieldOf(r.value(), LATENCY_FIELD);
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    decisions.incrementAndGet();
                }
            }
        }
    }

    private static final byte[] REQUEST_ID_FIELD = "\"request_id\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LATENCY_FIELD = "\"latency_ms\":".getBytes(StandardCharsets.UTF_8);

    static long longFieldOf(byte[] json, byte[] field) {
        int at = indexOf(json, field);
        long v = 0;
        for (int i = at + field.length; i < json.length && json[i] >= '0' && json[i] <= '9'; i++) {
            v = v * 10 + (json[i] - '0');
        }
        return v;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length < data.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (data[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no " + new String(pattern, StandardCharsets.UTF_8) + " in " + new String(data, StandardCharsets.UTF_8));
    }

    /** The request id of a decision record, found without parsing the record (decisions are our own JSON). */
    static String requestIdOf(byte[] decision) {
        int start = indexOf(decision, REQUEST_ID_FIELD) + REQUEST_ID_FIELD.length;
        int end = start;
        while (end < decision.length && decision[end] != '"') {
            end++;
        }
        return new String(decision, start, end - start, StandardCharsets.UTF_8);
    }

    /** Replays the template over and over, each pass with fresh user ids and fresh request/event ids. */
    private final class Generator implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final PricingConfig config;
        private final Map<String, Long> producedAt;
        private final AtomicLong requestsSent;
        private int cursor;
        private int pass;
        /** Event-time shift of the current pass: passes follow each other in event time, as real days do. */
        private long passShiftMs;
        private final long passSpanMs = template.get(template.size() - 1).eventTimeMs() - template.get(0).eventTimeMs()
                + TimeUnit.HOURS.toMillis(1);

        Generator(PricingConfig config, Map<String, Long> producedAt, AtomicLong requestsSent) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
            this.producer = new KafkaProducer<>(p);
            this.config = config;
            this.producedAt = producedAt;
            this.requestsSent = requestsSent;
        }

        /** Sends requests at {@code rate}/s for {@code seconds}, with the events around them. */
        void send(double rate, double seconds) throws InterruptedException {
            long target = (long) Math.max(1, rate * seconds);
            long start = System.nanoTime();
            for (long k = 1; k <= target; k++) {
                nextRequest();
                long due = start + (long) (k * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        }

        void burst(int requests) {
            for (int k = 0; k < requests; k++) {
                nextRequest();
            }
        }

        /** Sends template records up to and including the next price request. */
        private void nextRequest() {
            while (true) {
                ReplayRecord record = template.get(cursor);
                cursor++;
                if (cursor == template.size()) {
                    cursor = 0;
                    pass++;
                    passShiftMs = pass * passSpanMs;
                }
                String suffix = "~" + pass;
                switch (record.role()) {
                    case CATALOG -> {
                        CatalogUpdate c = (CatalogUpdate) record.value();
                        send(config.get(PricingConfig.TOPIC_CATALOG), record.key(), new CatalogUpdate(c.itemId(), c.category(),
                                c.brand(), c.listPrice(), c.unitCost(), c.inventory(), c.updateTimeMs() + passShiftMs));
                    }
                    case BEHAVIOUR -> {
                        BehaviourEvent e = (BehaviourEvent) record.value();
                        send(config.get(PricingConfig.TOPIC_BEHAVIOUR), e.userId() + suffix, new BehaviourEvent(
                                e.eventId() + suffix, e.userId() + suffix, e.itemId(), e.type(), e.eventTimeMs() + passShiftMs, e.price(),
                                e.sessionId(), e.category(), e.brand()));
                    }
                    case REQUEST -> {
                        PriceRequest q = (PriceRequest) record.value();
                        String requestId = q.requestId() + suffix;
                        producedAt.put(requestId, System.currentTimeMillis());
                        send(config.get(PricingConfig.TOPIC_REQUESTS), q.userId() + suffix, new PriceRequest(
                                requestId, q.userId() + suffix, q.itemId(), q.requestTimeMs() + passShiftMs, q.channel(), q.device()));
                        requestsSent.incrementAndGet();
                        return;
                    }
                }
            }
        }

        private void send(String topic, String key, Object value) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), Json.toBytes(value)));
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
