package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
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
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ModelManifest;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.PricingTopics;
import org.pricingengine.tools.rollout.FlinkRestClient;

/**
 * The job end to end against a real Kafka broker on loopback, with a load generator that replays the
 * bundled REES46 logs re-keyed to many users (each pass over the data gets fresh user ids, so user
 * state grows as it would with real traffic). Measures, in one run: the sustained decision rate flat
 * out; end-to-end latency (request produced to decision consumed) at 25%, 50% and 75% of it; the
 * naive synchronous scorer's sustained rate; optionally a soak at 50% with the JVM's resident memory.
 * The inference ceiling ({@link InferenceCeiling}) runs first, in this JVM.
 *
 * <p>Each run's job runs in a JVM of its own ({@link BenchmarkJob}), the load generator and the latency
 * consumer in this one, the broker in its own: the kernel's CPU time of each process over a run's measured
 * phase gives what the job itself costs per decision. They still share the machine's cores, as they would
 * on a small box serving real traffic.
 */
public final class EndToEndBenchmark {
    private static final long MAX_OUTSTANDING = 4000;
    private final String bootstrap;
    private final Path work;
    private final List<ReplayRecord> template;
    /** Seconds each run's job runs at the run's rate before the run's own time starts. */
    private final int warmSeconds;

    private int runCounter;

    private EndToEndBenchmark(String bootstrap, Path work, List<ReplayRecord> template, int warmSeconds) {
        this.bootstrap = bootstrap;
        this.work = work;
        this.template = template;
        this.warmSeconds = warmSeconds;
    }

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/bench/benchmark.sh",
                    "Inference ceiling, the job flat out and at 25/50/75% load, the naive peer and a soak.")
            .required("bootstrap-servers", "the Kafka broker, HOST:PORT")
            .option("work-dir", ".work/bench", "where bench.json, report.md, the plots and checkpoints go")
            .flag("quick", "shorter steps and no soak")
            .option("model", "v1", "the model version")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option("soak-seconds", "1800", "the soak's length (not with --quick)")
            .option("steps", "ceiling,flat,levels,naive,soak", "the steps to run, comma-separated")
            .option("levels", "0.25,0.5,0.75", "the load levels' shares of the sustained rate, comma-separated")
            .option("sustained", "0", "the rate the load levels are shares of (0 = measured flat out)")
            .jobOptions("a job option for every run, e.g. --checkpoint.interval 60s", false);

    /** The machine the benchmark ran on. */
    @JsonPropertyOrder({"cores", "max_heap_mb", "java", "os"})
    public record Machine(
            @JsonProperty("cores") int cores,
            @JsonProperty("max_heap_mb") long maxHeapMb,
            @JsonProperty("java") String java,
            @JsonProperty("os") String os) {}

    /** The model measured; the execution provider only when the ceiling step ran. */
    @JsonPropertyOrder({"version", "onnx_sha256", "feature_spec", "inputs", "ceiling_execution_provider"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            @JsonProperty("version") String version,
            @JsonProperty("onnx_sha256") String onnxSha256,
            @JsonProperty("feature_spec") String featureSpec,
            @JsonProperty("inputs") String inputs,
            @JsonProperty("ceiling_execution_provider") String ceilingExecutionProvider) {}

    /**
     * One point of a run's series (every 5 s, 10 s in the soak). Heap committed and memory outside the
     * heap are missing from JSON written before they were measured; RocksDB's own memory (block cache,
     * the pinned part of it, memtables; see {@link FlinkRestClient#rocksDbMemory}) is measured in the soak
     * only.
     */
    @JsonPropertyOrder({
        "t_s",
        "decisions_per_s",
        "rss_mb",
        "heap_used_mb",
        "heap_committed_mb",
        "outside_heap_mb",
        "rocksdb_block_cache_mb",
        "rocksdb_pinned_mb",
        "rocksdb_memtables_mb"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Sample(
            @JsonProperty("t_s") long timeS,
            @JsonProperty("decisions_per_s") long decisionsPerS,
            @JsonProperty("rss_mb") long rssMb,
            @JsonProperty("heap_used_mb") long heapUsedMb,
            @JsonProperty("heap_committed_mb") Long heapCommittedMb,
            @JsonProperty("outside_heap_mb") Long outsideHeapMb,
            @JsonProperty("rocksdb_block_cache_mb") Long rocksDbBlockCacheMb,
            @JsonProperty("rocksdb_pinned_mb") Long rocksDbPinnedMb,
            @JsonProperty("rocksdb_memtables_mb") Long rocksDbMemTablesMb) {
        public Sample(
                long timeS, long decisionsPerS, long rssMb, long heapUsedMb, Long heapCommittedMb, Long outsideHeapMb) {
            this(timeS, decisionsPerS, rssMb, heapUsedMb, heapCommittedMb, outsideHeapMb, null, null, null);
        }
    }

    /** Latency percentiles of one wall-clock second of a run's measured phase. */
    @JsonPropertyOrder({"t_s", "decisions", "p50_ms", "p99_ms", "max_ms"})
    public record LatencySecond(
            @JsonProperty("t_s") long timeS,
            @JsonProperty("decisions") int decisions,
            @JsonProperty("p50_ms") long p50Ms,
            @JsonProperty("p99_ms") long p99Ms,
            @JsonProperty("max_ms") long maxMs) {}

    /**
     * One job run. Percentiles are -1 when no latency was measured; {@code latency_series_start} is
     * written as null then. {@code load_share} only on the load levels.
     */
    @JsonPropertyOrder({
        "mode",
        "target_requests_per_s",
        "seconds",
        "decisions_per_s",
        "latency_samples",
        "p50_ms",
        "p99_ms",
        "p999_ms",
        "in_job_p50_ms",
        "in_job_p99_ms",
        "series",
        "latency_per_s",
        "latency_series_start",
        "load_share",
        "cost"
    })
    public record Run(
            @JsonProperty("mode") String mode,
            @JsonProperty("target_requests_per_s") long targetRequestsPerS,
            @JsonProperty("seconds") int seconds,
            @JsonProperty("decisions_per_s") long decisionsPerS,
            @JsonProperty("latency_samples") long latencySamples,
            @JsonProperty("p50_ms") long p50Ms,
            @JsonProperty("p99_ms") long p99Ms,
            @JsonProperty("p999_ms") long p999Ms,
            @JsonProperty("in_job_p50_ms") long inJobP50Ms,
            @JsonProperty("in_job_p99_ms") long inJobP99Ms,
            @JsonProperty("series") List<Sample> series,
            @JsonProperty("latency_per_s") List<LatencySecond> latencyPerS,
            @JsonProperty("latency_series_start") String latencySeriesStart,

            @JsonProperty("load_share") @JsonInclude(JsonInclude.Include.NON_NULL)
            Double loadShare,

            @JsonProperty("cost") @JsonInclude(JsonInclude.Include.NON_NULL)
            Cost cost) {
        public Run {
            series = series == null ? List.of() : series;
            latencyPerS = latencyPerS == null ? List.of() : latencyPerS;
        }

        Run atLoadShare(double share) {
            return new Run(
                    mode,
                    targetRequestsPerS,
                    seconds,
                    decisionsPerS,
                    latencySamples,
                    p50Ms,
                    p99Ms,
                    p999Ms,
                    inJobP50Ms,
                    inJobP99Ms,
                    series,
                    latencyPerS,
                    latencySeriesStart,
                    share,
                    cost);
        }

        /** The load level as a whole percentage of the sustained rate (25, 50, 75). */
        long loadPercent() {
            return Math.round(loadShare * 100);
        }
    }

    /**
     * What one run's measured phase cost, per process: CPU time (user and system, from the kernel) of the
     * job's JVM, of the benchmark's own JVM (load generator and latency consumer) and of the broker, per
     * decision made in the phase; the job's mean model batch size at the end of the run and the checkpoints
     * it completed inside the phase (both from Flink's REST API; null when it did not answer).
     */
    @JsonPropertyOrder({
        "measured_s",
        "decisions",
        "job_cpu_s",
        "load_cpu_s",
        "broker_cpu_s",
        "job_core_ms_per_decision",
        "load_core_ms_per_decision",
        "broker_core_ms_per_decision",
        "mean_batch",
        "checkpoints_in_window",
        "job_threads_cores"
    })
    public record Cost(
            @JsonProperty("measured_s") double measuredS,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("job_cpu_s") double jobCpuS,
            @JsonProperty("load_cpu_s") double loadCpuS,
            @JsonProperty("broker_cpu_s") Double brokerCpuS,
            @JsonProperty("mean_batch") Double meanBatch,
            @JsonProperty("checkpoints_in_window") Long checkpointsInWindow,

            @JsonProperty("job_threads_cores") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            Map<String, Double> jobThreadsCores,
            // Per task: the longest synchronous part of a checkpoint and the longest barrier alignment, in ms.
            @JsonProperty("checkpoint_sync_max_ms") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            Map<String, Long> checkpointSyncMaxMs,

            @JsonProperty("checkpoint_alignment_max_ms") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            Map<String, Long> checkpointAlignmentMaxMs,

            @JsonProperty("checkpointed_kb_mean") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            Map<String, Long> checkpointedKbMean) {
        public Cost {
            jobThreadsCores = jobThreadsCores == null ? Map.of() : jobThreadsCores;
            checkpointSyncMaxMs = checkpointSyncMaxMs == null ? Map.of() : checkpointSyncMaxMs;
            checkpointAlignmentMaxMs = checkpointAlignmentMaxMs == null ? Map.of() : checkpointAlignmentMaxMs;
            checkpointedKbMean = checkpointedKbMean == null ? Map.of() : checkpointedKbMean;
        }

        @JsonProperty("job_core_ms_per_decision")
        Double jobCoreMsPerDecision() {
            return perDecision(jobCpuS);
        }

        @JsonProperty("load_core_ms_per_decision")
        Double loadCoreMsPerDecision() {
            return perDecision(loadCpuS);
        }

        @JsonProperty("broker_core_ms_per_decision")
        Double brokerCoreMsPerDecision() {
            return brokerCpuS == null ? null : perDecision(brokerCpuS);
        }

        private Double perDecision(double cpuS) {
            return decisions == 0 ? null : Math.round(cpuS * 1e3 / decisions * 10_000) / 10_000.0;
        }
    }

    /**
     * The soak: its run with the first- and last-third figures next to the run's own keys in the JSON.
     * Read back by hand because Jackson 2.18 cannot bind {@code @JsonUnwrapped} record components.
     */
    @JsonDeserialize(using = Soak.Reader.class)
    public record Soak(
            @JsonUnwrapped Run run, @JsonUnwrapped BenchmarkReport.SoakFigures figures) {
        public Soak {
            figures = figures == null ? BenchmarkReport.SoakFigures.NONE : figures;
        }

        static final class Reader extends StdDeserializer<Soak> {
            Reader() {
                super(Soak.class);
            }

            @Override
            public Soak deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                JsonNode node = context.readTree(parser);
                return new Soak(
                        context.readTreeAsValue(node, Run.class),
                        context.readTreeAsValue(node, BenchmarkReport.SoakFigures.class));
            }
        }
    }

    /**
     * {@code bench.json}: what every step measured, the figures compared with the targets, and the verdicts.
     * A step that did not run leaves its keys out; {@code levels} is empty then.
     */
    @JsonPropertyOrder({
        "machine",
        "model",
        "model_version",
        "quick",
        "ceiling",
        "ceiling_per_s",
        "job_settings",
        "flat_out",
        "sustained_per_s",
        "p50_ms_at_25",
        "p99_ms_at_25",
        "p999_ms_at_25",
        "p50_ms_at_50",
        "p99_ms_at_50",
        "p999_ms_at_50",
        "p50_ms_at_75",
        "p99_ms_at_75",
        "p999_ms_at_75",
        "levels",
        "naive_per_s",
        "naive",
        "soak",
        "sustained_share_of_ceiling",
        "speedup_over_naive",
        "targets"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(
            @JsonProperty("machine") Machine machine,
            @JsonProperty("model") Model model,
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("quick") boolean quick,
            @JsonProperty("ceiling") InferenceCeiling.Result ceiling,
            @JsonProperty("ceiling_per_s") Long ceilingPerS,
            @JsonProperty("job_settings") List<String> jobSettings,
            @JsonProperty("flat_out") Run flatOut,
            @JsonProperty("sustained_per_s") long sustainedPerS,

            @JsonProperty("levels") @JsonInclude(JsonInclude.Include.ALWAYS)
            List<Run> levels,

            @JsonProperty("naive_per_s") Long naivePerS,
            @JsonProperty("naive") Run naive,
            @JsonProperty("soak") Soak soak,
            @JsonProperty("sustained_share_of_ceiling") Double sustainedShareOfCeiling,
            @JsonProperty("speedup_over_naive") Double speedupOverNaive,
            @JsonProperty("targets") BenchmarkReport.Targets targets) {
        public Report {
            jobSettings = jobSettings == null ? List.of() : jobSettings;
            levels = levels == null ? List.of() : levels;
        }

        Report withTargets(BenchmarkReport.Targets t) {
            return new Report(
                    machine,
                    model,
                    modelVersion,
                    quick,
                    ceiling,
                    ceilingPerS,
                    jobSettings,
                    flatOut,
                    sustainedPerS,
                    levels,
                    naivePerS,
                    naive,
                    soak,
                    sustainedShareOfCeiling,
                    speedupOverNaive,
                    t);
        }

        /** The load level at {@code percent}% of the sustained rate, if it ran. */
        Optional<Run> level(long percent) {
            return levels.stream()
                    .filter(l -> l.loadShare() != null && l.loadPercent() == percent)
                    .findFirst();
        }

        // Per-level latencies at the top of the JSON, where the docs and the `bench:` line name them; taken
        // from the levels so that they cannot disagree with them.
        @JsonProperty("p50_ms_at_25")
        Long p50MsAt25() {
            return level(25).map(Run::p50Ms).orElse(null);
        }

        @JsonProperty("p99_ms_at_25")
        Long p99MsAt25() {
            return level(25).map(Run::p99Ms).orElse(null);
        }

        @JsonProperty("p999_ms_at_25")
        Long p999MsAt25() {
            return level(25).map(Run::p999Ms).orElse(null);
        }

        @JsonProperty("p50_ms_at_50")
        Long p50MsAt50() {
            return level(50).map(Run::p50Ms).orElse(null);
        }

        @JsonProperty("p99_ms_at_50")
        Long p99MsAt50() {
            return level(50).map(Run::p99Ms).orElse(null);
        }

        @JsonProperty("p999_ms_at_50")
        Long p999MsAt50() {
            return level(50).map(Run::p999Ms).orElse(null);
        }

        @JsonProperty("p50_ms_at_75")
        Long p50MsAt75() {
            return level(75).map(Run::p50Ms).orElse(null);
        }

        @JsonProperty("p99_ms_at_75")
        Long p99MsAt75() {
            return level(75).map(Run::p99Ms).orElse(null);
        }

        @JsonProperty("p999_ms_at_75")
        Long p999MsAt75() {
            return level(75).map(Run::p999Ms).orElse(null);
        }

        /** The job's CPU per decision flat out (its JVM alone), where the cost per decision is least padded by idle work. */
        @JsonProperty("job_core_ms_per_decision")
        Double jobCoreMsPerDecision() {
            return flatOut == null || flatOut.cost() == null
                    ? null
                    : flatOut.cost().jobCoreMsPerDecision();
        }

        @JsonProperty("model_core_ms_per_seq_b1")
        Double modelCoreMsPerSeqB1() {
            return ceiling == null ? null : ceiling.coreMsPerSeqAt(1);
        }

        @JsonProperty("model_core_ms_per_seq_best")
        Double modelCoreMsPerSeqBest() {
            return ceiling == null ? null : ceiling.cheapestCoreMsPerSeq();
        }

        /**
         * The job's CPU per decision flat out less the model's CPU per sequence at the mean batch size the
         * job ran (one intra-op thread, the job's default): what the pipeline around the model costs.
         */
        @JsonProperty("pipeline_core_ms_per_decision")
        Double pipelineCoreMsPerDecision() {
            Double job = jobCoreMsPerDecision();
            if (job == null || ceiling == null || flatOut.cost().meanBatch() == null) {
                return null;
            }
            Double model = ceiling.coreMsPerSeqAtMeanBatch(flatOut.cost().meanBatch());
            return model == null ? null : Math.round((job - model) * 10_000) / 10_000.0;
        }

        @JsonProperty("naive_job_core_ms_per_decision")
        Double naiveJobCoreMsPerDecision() {
            return naive == null || naive.cost() == null ? null : naive.cost().jobCoreMsPerDecision();
        }

        @JsonProperty("checkpoints_in_window_at_50")
        Long checkpointsInWindowAt50() {
            return level(50).map(Run::cost).map(Cost::checkpointsInWindow).orElse(null);
        }
    }

    /** The {@code bench: {json}} line: every key always, null when its step did not run. */
    @JsonPropertyOrder({
        "ceiling_per_s",
        "sustained_per_s",
        "naive_per_s",
        "sustained_share_of_ceiling",
        "speedup_over_naive",
        "p50_ms_at_25",
        "p99_ms_at_25",
        "p999_ms_at_25",
        "p50_ms_at_50",
        "p99_ms_at_50",
        "p999_ms_at_50",
        "p50_ms_at_75",
        "p99_ms_at_75",
        "p999_ms_at_75",
        "checkpoints_in_window_at_50",
        "job_core_ms_per_decision",
        "naive_job_core_ms_per_decision",
        "model_core_ms_per_seq_b1",
        "model_core_ms_per_seq_best",
        "pipeline_core_ms_per_decision",
        "targets"
    })
    public record Headline(
            @JsonProperty("ceiling_per_s") Long ceilingPerS,
            @JsonProperty("sustained_per_s") long sustainedPerS,
            @JsonProperty("naive_per_s") Long naivePerS,
            @JsonProperty("sustained_share_of_ceiling") Double sustainedShareOfCeiling,
            @JsonProperty("speedup_over_naive") Double speedupOverNaive,
            @JsonProperty("p50_ms_at_25") Long p50MsAt25,
            @JsonProperty("p99_ms_at_25") Long p99MsAt25,
            @JsonProperty("p999_ms_at_25") Long p999MsAt25,
            @JsonProperty("p50_ms_at_50") Long p50MsAt50,
            @JsonProperty("p99_ms_at_50") Long p99MsAt50,
            @JsonProperty("p999_ms_at_50") Long p999MsAt50,
            @JsonProperty("p50_ms_at_75") Long p50MsAt75,
            @JsonProperty("p99_ms_at_75") Long p99MsAt75,
            @JsonProperty("p999_ms_at_75") Long p999MsAt75,
            @JsonProperty("checkpoints_in_window_at_50") Long checkpointsInWindowAt50,
            @JsonProperty("job_core_ms_per_decision") Double jobCoreMsPerDecision,
            @JsonProperty("naive_job_core_ms_per_decision") Double naiveJobCoreMsPerDecision,
            @JsonProperty("model_core_ms_per_seq_b1") Double modelCoreMsPerSeqB1,
            @JsonProperty("model_core_ms_per_seq_best") Double modelCoreMsPerSeqBest,
            @JsonProperty("pipeline_core_ms_per_decision") Double pipelineCoreMsPerDecision,
            @JsonProperty("targets") BenchmarkReport.Targets targets) {
        public static Headline of(Report r) {
            return new Headline(
                    r.ceilingPerS(),
                    r.sustainedPerS(),
                    r.naivePerS(),
                    r.sustainedShareOfCeiling(),
                    r.speedupOverNaive(),
                    r.p50MsAt25(),
                    r.p99MsAt25(),
                    r.p999MsAt25(),
                    r.p50MsAt50(),
                    r.p99MsAt50(),
                    r.p999MsAt50(),
                    r.p50MsAt75(),
                    r.p99MsAt75(),
                    r.p999MsAt75(),
                    r.checkpointsInWindowAt50(),
                    r.jobCoreMsPerDecision(),
                    r.naiveJobCoreMsPerDecision(),
                    r.modelCoreMsPerSeqB1(),
                    r.modelCoreMsPerSeqBest(),
                    r.pipelineCoreMsPerDecision(),
                    r.targets());
        }
    }

    public static void main(String[] args) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(args);
        boolean quick = a.bool("quick");
        int flatOutSeconds = quick ? 25 : 60;
        // Full mode: each load level runs long enough that its measured part includes at least one checkpoint
        // at the default interval (checkpoint stalls are part of the latency a shopper sees); the 50% level
        // at least three in either mode.
        int levelSeconds = quick ? 20 : 90;
        int soakSeconds = quick ? 0 : a.integer("soak-seconds");
        Path work = a.path("work-dir").toAbsolutePath();
        Files.createDirectories(work);

        Machine machine = new Machine(
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        ModelManifest manifest =
                ModelContract.readAndCheckManifest(new ModelLocation(a.path("model-dir"), a.string("model")));

        // For experiments: --steps picks a subset, --sustained fixes the rate the load levels are shares of.
        List<String> steps = List.of(a.string("steps").split(","));
        InferenceCeiling.Result ceiling = null;
        if (steps.contains("ceiling")) {
            System.out.println("== 1. inference ceiling (model alone, tight loop)");
            ceiling = InferenceCeiling.run(new InferenceCeiling.Settings(
                    a.string("model"),
                    a.path("model-dir"),
                    "cpu",
                    quick ? 0.5 : 2,
                    List.of(1, 2),
                    List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
                    Path.of("model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"),
                    0));
        }
        Model model = new Model(
                manifest.modelVersion(),
                manifest.onnxSha256(),
                manifest.featureSpecVersion(),
                manifest.inputs().stream()
                        .map(t -> t.name() + " " + t.shape())
                        .toList()
                        .toString(),
                ceiling == null ? null : ceiling.executionProvider());

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
        EndToEndBenchmark bench = new EndToEndBenchmark(a.string("bootstrap-servers"), work, template, quick ? 20 : 45);
        Map<String, String> jobOptions = new LinkedHashMap<>(Map.of(
                PricingConfig.MODEL_VERSION.key(),
                a.string("model"),
                PricingConfig.MODEL_DIR.key(),
                a.string("model-dir")));
        // Any job option may be passed through, e.g. --checkpoint.interval 60s.
        jobOptions.putAll(a.jobOptions());
        List<String> jobSettings =
                PricingConfig.of(jobOptions).toString().lines().toList();
        // The measured part is the last 70% of a run.
        int threeCheckpointsSeconds = (int) Math.ceil((3
                                * PricingConfig.of(jobOptions)
                                        .get(PricingConfig.CHECKPOINT_INTERVAL)
                                        .toSeconds()
                        + 10)
                / 0.7);

        double sustained = a.decimal("sustained");
        Run flat = null;
        if (steps.contains("flat")) {
            System.out.println("== 2. the job flat out (async, micro-batched)");
            flat = bench.run(ASYNC, jobOptions, 0, flatOutSeconds, false);
            sustained = flat.decisionsPerS();
        }

        List<Run> levels = new ArrayList<>();
        double[] shares = steps.contains("levels")
                ? Stream.of(a.string("levels").split(","))
                        .mapToDouble(Double::parseDouble)
                        .toArray()
                : new double[0];
        for (double share : shares) {
            System.out.printf(
                    "== 2. the job at %.0f%% of sustained (%.0f requests/s)%n", share * 100, sustained * share);
            // At half load the latency target holds with checkpoints on: at least three inside the measured part.
            int seconds = share == 0.5 ? Math.max(levelSeconds, threeCheckpointsSeconds) : levelSeconds;
            levels.add(bench.run(ASYNC, jobOptions, sustained * share, seconds, false)
                    .atLoadShare(share));
        }

        Run naive = null;
        if (steps.contains("naive")) {
            System.out.println("== 3. the naive peer flat out (one model call per record)");
            naive = bench.run(NAIVE, jobOptions, 0, flatOutSeconds, false);
        }

        Soak soak = null;
        if (soakSeconds > 0 && steps.contains("soak")) {
            System.out.printf("== 4. soak: %d s at 50%% of sustained%n", soakSeconds);
            Run run = bench.run(ASYNC, jobOptions, sustained * 0.5, soakSeconds, true);
            soak = new Soak(run, BenchmarkReport.summariseSoak(run.series()));
        }
        Report report = BenchmarkReport.write(
                work,
                new Report(
                        machine,
                        model,
                        a.string("model"),
                        quick,
                        ceiling,
                        ceiling == null ? null : ceiling.ceilingPerS(),
                        jobSettings,
                        flat,
                        Math.round(sustained),
                        levels,
                        naive == null ? null : naive.decisionsPerS(),
                        naive,
                        soak,
                        ceiling == null ? null : Math.round(sustained / ceiling.ceilingPerS() * 1000) / 1000.0,
                        naive == null ? null : Math.round(sustained / Math.max(1, naive.decisionsPerS()) * 100) / 100.0,
                        null));
        Files.writeString(
                work.resolve("bench.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        System.out.println("report: " + work.resolve("report.md"));
        System.out.println("bench: " + Json.toJson(Headline.of(report)));
        System.exit(0);
    }

    /** How a run scores ({@link BenchmarkJob}'s --scoring): the job's micro-batched async scoring. */
    private static final String ASYNC = "async";
    /** The naive peer: the same job with the benchmark's one-call-per-record scoring stage. */
    private static final String NAIVE = "sync";

    /**
     * One job run on fresh topics, the job in its own JVM: the generator at {@code rate} requests/s (0 =
     * flat out) for {@code seconds}; {@code mode} names the run in the report and its topics.
     */
    private Run run(String mode, Map<String, String> jobOptions, double rate, int seconds, boolean soak)
            throws Exception {
        String prefix = "bench" + (++runCounter) + "-" + mode;
        Map<String, String> options = new LinkedHashMap<>(jobOptions);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(
                PricingConfig.CHECKPOINT_DIR.key(),
                work.resolve("checkpoints").toUri().toString());
        for (ConfigOption<String> topic : PricingConfig.TOPICS) {
            options.put(topic.key(), prefix + "." + topic.defaultValue().substring("pricing.".length()));
        }
        PricingConfig config = PricingConfig.of(options);
        PricingTopics.createMissing(bootstrap, config);

        // The job in a JVM of its own: what it costs is read from the kernel apart from the load's cost.
        int restPort = Integer.parseInt(System.getProperty("bench.rest.port", "18081"));
        BenchmarkJob.Handle job = BenchmarkJob.Handle.start(
                mode,
                prefix,
                restPort,
                System.getProperty("bench.managed.memory", "768m"),
                options,
                System.getProperty("bench.job.heap", "2g"),
                work.resolve(prefix + ".log"));
        FlinkRestClient rest = new FlinkRestClient("http://127.0.0.1:" + restPort);
        Map<String, Long> producedAt = new ConcurrentHashMap<>();
        long[] latencies = new long[4_000_000];
        long[] consumedAt = new long[latencies.length];
        // The job's own latency (request's Kafka timestamp to decision made), from the decision record.
        long[] inJobLatencies = new long[latencies.length];
        AtomicLong latencyCount = new AtomicLong();
        AtomicLong decisions = new AtomicLong();
        AtomicBoolean consuming = new AtomicBoolean(true);
        Thread consumer = new Thread(
                () -> consume(
                        config, producedAt, latencies, consumedAt, inJobLatencies, latencyCount, decisions, consuming),
                "bench-consumer");
        consumer.start();

        // Warm-up at a gentle rate so that start-up (JVM, JIT, model load) is not measured.
        AtomicLong requestsSent = new AtomicLong();
        Generator generator = new Generator(config, producedAt, requestsSent);
        generator.send(300, 8);
        long warmTarget = requestsSent.get();
        long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (decisions.get() < warmTarget && System.nanoTime() < warmDeadline) {
            if (!job.isAlive()) {
                throw new IllegalStateException(
                        "the job's JVM ended during warm-up; see " + work.resolve(prefix + ".log.out"));
            }
            Thread.sleep(100);
        }
        latencyCount.set(0);
        String jobId = bestEffort(() -> rest.jobs().stream()
                        .filter(j -> j.state().equals("RUNNING"))
                        .map(FlinkRestClient.JobSummary::id)
                        .findFirst()
                        .orElse(null))
                .orElse(null);
        Long brokerPid = brokerPid();

        List<Sample> series = new ArrayList<>();
        long startDecisions = decisions.get();
        long start = System.nanoTime();
        // A fresh JVM compiles the hot paths in its first tens of seconds: that CPU is start-up, not cost.
        long warmEnd = start + TimeUnit.SECONDS.toNanos(warmSeconds);
        long measureFrom = warmEnd + (long) (seconds * 0.3e9);
        long decisionsAtMeasureStart = -1;
        Duration jobCpuAtMeasureStart = Duration.ZERO;
        Duration loadCpuAtMeasureStart = Duration.ZERO;
        Duration brokerCpuAtMeasureStart = Duration.ZERO;
        Long checkpointsAtMeasureStart = null;
        Map<String, Long> threadTicksAtMeasureStart = Map.of();
        long nextSample = start + TimeUnit.SECONDS.toNanos(soak ? 10 : 5);
        long lastSampleDecisions = startDecisions;
        long lastSampleTime = start;
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
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
                jobCpuAtMeasureStart = job.cpu();
                threadTicksAtMeasureStart = ProcessStats.threadTicks(job.pid());
                loadCpuAtMeasureStart = ProcessStats.ownCpu();
                brokerCpuAtMeasureStart = brokerPid == null
                        ? Duration.ZERO
                        : ProcessStats.cpu(brokerPid).orElse(Duration.ZERO);
                checkpointsAtMeasureStart = jobId == null
                        ? null
                        : bestEffort(() -> rest.completedCheckpoints(jobId)).orElse(null);
            }
            if (now >= nextSample) {
                long rss = job.residentMb();
                Map<String, Long> heap = bestEffort(rest::taskManagerHeapMb).orElse(Map.of());
                long heapCommitted = heap.getOrDefault("committed", -1L);
                FlinkRestClient.RocksDbMemory rocks = soak && jobId != null
                        ? bestEffort(() -> rest.rocksDbMemory(jobId).orElse(null))
                                .orElse(null)
                        : null;
                Sample point = new Sample(
                        Math.round((now - start) / 1e9),
                        Math.round((decisions.get() - lastSampleDecisions) / ((now - lastSampleTime) / 1e9)),
                        rss,
                        heap.getOrDefault("used", -1L),
                        heapCommitted,
                        // What a native leak (ONNX Runtime tensors, RocksDB iterators) would grow; RocksDB's block
                        // cache and memtables are here too, bounded by managed memory and measured on their own.
                        rss - heapCommitted,
                        rocks == null ? null : rocks.blockCacheMb(),
                        rocks == null ? null : rocks.pinnedMb(),
                        rocks == null ? null : rocks.memTablesMb());
                series.add(point);
                if (soak) {
                    System.out.printf(
                            "  t=%4ds decisions/s %6d rss %5d MB (heap committed %d, outside heap %d;"
                                    + " RocksDB block cache %s, pinned %s, memtables %s)%n",
                            point.timeS(),
                            point.decisionsPerS(),
                            point.rssMb(),
                            heapCommitted,
                            point.outsideHeapMb(),
                            point.rocksDbBlockCacheMb(),
                            point.rocksDbPinnedMb(),
                            point.rocksDbMemTablesMb());
                }
                lastSampleDecisions = decisions.get();
                lastSampleTime = now;
                nextSample = now + TimeUnit.SECONDS.toNanos(soak ? 10 : 5);
            }
        }
        long measuredDecisions = decisions.get() - Math.max(0, decisionsAtMeasureStart);
        double measuredSeconds = (System.nanoTime() - measureFrom) / 1e9;
        double brokerCpuStartS = brokerCpuAtMeasureStart.toMillis() / 1e3;
        Duration jobCpu = job.cpu().minus(jobCpuAtMeasureStart);
        Map<String, Double> threadCores = ProcessStats.threadCores(
                threadTicksAtMeasureStart, ProcessStats.threadTicks(job.pid()), measuredSeconds);
        Duration loadCpu = ProcessStats.ownCpu().minus(loadCpuAtMeasureStart);
        Double brokerCpuS = brokerPid == null
                ? null
                : ProcessStats.cpu(brokerPid)
                        .map(c -> c.toMillis() / 1e3)
                        .map(c -> c - brokerCpuStartS)
                        .orElse(null);
        Long checkpointsAtEnd = jobId == null
                ? null
                : bestEffort(() -> rest.completedCheckpoints(jobId)).orElse(null);
        Double meanBatch = jobId == null || !mode.equals(ASYNC)
                ? null
                : bestEffort(() -> rest.vertexMetricAverage(jobId, "demand model scoring", "batchSize_mean")
                                .orElse(null))
                        .orElse(null);
        FlinkRestClient.CheckpointHolds holds = jobId == null
                ? null
                : bestEffort(() -> rest.checkpointHolds(jobId)).orElse(null);
        Cost cost = new Cost(
                Math.round(measuredSeconds * 10) / 10.0,
                measuredDecisions,
                jobCpu.toMillis() / 1e3,
                loadCpu.toMillis() / 1e3,
                brokerCpuS,
                meanBatch == null ? null : Math.round(meanBatch * 100) / 100.0,
                checkpointsAtMeasureStart == null || checkpointsAtEnd == null
                        ? null
                        : checkpointsAtEnd - checkpointsAtMeasureStart,
                threadCores,
                holds == null ? null : holds.syncMaxMs(),
                holds == null ? null : holds.alignmentMaxMs(),
                holds == null ? null : holds.checkpointedKbMean());
        long n = Math.min(latencyCount.get(), latencies.length);
        List<LatencySecond> latencySeries = latencyPerSecond(latencies, consumedAt, (int) n);
        long[] sorted = Arrays.copyOf(latencies, (int) n);
        Arrays.sort(sorted);
        long[] inJob = Arrays.copyOf(inJobLatencies, (int) n);
        Arrays.sort(inJob);
        job.close();
        consuming.set(false);
        consumer.join(10_000);
        generator.close();

        Run r = new Run(
                mode,
                Math.round(rate),
                seconds,
                Math.round(measuredDecisions / measuredSeconds),
                n,
                percentile(sorted, 0.5),
                percentile(sorted, 0.99),
                percentile(sorted, 0.999),
                percentile(inJob, 0.5),
                percentile(inJob, 0.99),
                series,
                latencySeries,
                n == 0 ? null : java.time.Instant.ofEpochMilli(consumedAt[0]).toString(),
                null,
                cost);
        System.out.printf(
                "  %s: %s decisions/s, p50 %s ms, p99 %s ms, p99.9 %s ms (%d samples; in the job p50 %s, p99 %s ms)%n",
                mode, r.decisionsPerS(), r.p50Ms(), r.p99Ms(), r.p999Ms(), n, r.inJobP50Ms(), r.inJobP99Ms());
        System.out.printf(
                "  cost: job %s, load %s, broker %s core-ms/decision; mean batch %s; checkpoints in the window %s%n",
                cost.jobCoreMsPerDecision(),
                cost.loadCoreMsPerDecision(),
                cost.brokerCoreMsPerDecision(),
                cost.meanBatch(),
                cost.checkpointsInWindow());
        System.out.println("  job threads, cores: " + cost.jobThreadsCores());
        System.out.println("  checkpoints, longest synchronous part per task (ms): " + cost.checkpointSyncMaxMs());
        System.out.println("  checkpoints, longest alignment per task (ms): " + cost.checkpointAlignmentMaxMs());
        System.out.println("  checkpoints, KB written per checkpoint per task: " + cost.checkpointedKbMean());
        return r;
    }

    /** Latency percentiles per wall-clock second of the measured phase: spikes show as outliers in time. */
    private static List<LatencySecond> latencyPerSecond(long[] latencies, long[] consumedAt, int n) {
        List<LatencySecond> out = new ArrayList<>();
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
            out.add(new LatencySecond(
                    second, j - i, percentile(bucket, 0.5), percentile(bucket, 0.99), bucket[bucket.length - 1]));
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

    private interface RestRead<T> {
        T read() throws IOException;
    }

    /** A figure from the job's REST API, or empty when it does not answer: the figure is left out, the run goes on. */
    private static <T> Optional<T> bestEffort(RestRead<T> read) {
        try {
            return Optional.ofNullable(read.read());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The broker's pid, from the state directory benchmark.sh starts it in; null when unknown. */
    private Long brokerPid() {
        Path pidFile = work.resolve("kafka").resolve("kafka.pid");
        try {
            return Files.exists(pidFile)
                    ? Long.parseLong(Files.readString(pidFile).strip())
                    : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private void consume(
            PricingConfig config,
            Map<String, Long> producedAt,
            long[] latencies,
            long[] consumedAt,
            long[] inJobLatencies,
            AtomicLong latencyCount,
            AtomicLong decisions,
            AtomicBoolean running) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
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
        throw new IllegalStateException("no " + new String(pattern, StandardCharsets.UTF_8) + " in "
                + new String(data, StandardCharsets.UTF_8));
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

        private final long passSpanMs = template.get(template.size() - 1).eventTimeMs()
                - template.get(0).eventTimeMs()
                + TimeUnit.HOURS.toMillis(1);
        /**
         * Where the first pass starts: a day after the earliest event time the job accepts. Each pass moves
         * event time on by the logs' span (two months), and the job refuses event times past the wall clock
         * (plus its skew): started at the logs' own 2019, a 30-minute soak ran into that limit.
         */
        private final long timelineShiftMs;
        /** The last event time the job accepts; a pass that would run past it ends the run. */
        private final long latestAcceptedMs;

        Generator(PricingConfig config, Map<String, Long> producedAt, AtomicLong requestsSent) {
            Properties p = new Properties();
            p.putAll(config.kafkaClientProperties());
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
            this.producer = new KafkaProducer<>(p);
            this.config = config;
            this.producedAt = producedAt;
            this.requestsSent = requestsSent;
            long earliest = Instant.parse(config.get(PricingConfig.EARLIEST_EVENT_TIME))
                    .plus(Duration.ofDays(1))
                    .toEpochMilli();
            this.timelineShiftMs = Math.min(0, earliest - template.get(0).eventTimeMs());
            this.passShiftMs = timelineShiftMs;
            this.latestAcceptedMs = System.currentTimeMillis()
                    + config.get(PricingConfig.MAX_FUTURE_SKEW).toMillis();
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
                    passShiftMs = timelineShiftMs + pass * passSpanMs;
                    if (template.get(template.size() - 1).eventTimeMs() + passShiftMs > latestAcceptedMs) {
                        throw new IllegalStateException("pass " + pass + " of the replay would run past the latest"
                                + " event time the job accepts (wall clock + validation.max-future-skew):"
                                + " a shorter run, or an earlier validation.earliest-event-time");
                    }
                }
                String suffix = "~" + pass;
                switch (record.role()) {
                    case CATALOG -> {
                        CatalogUpdate c = (CatalogUpdate) record.value();
                        send(
                                config.get(PricingConfig.TOPIC_CATALOG),
                                record.key(),
                                new CatalogUpdate(
                                        c.itemId(),
                                        c.category(),
                                        c.brand(),
                                        c.listPrice(),
                                        c.unitCost(),
                                        c.inventory(),
                                        c.updateTimeMs() + passShiftMs));
                    }
                    case BEHAVIOUR -> {
                        BehaviourEvent e = (BehaviourEvent) record.value();
                        send(
                                config.get(PricingConfig.TOPIC_BEHAVIOUR),
                                e.userId() + suffix,
                                new BehaviourEvent(
                                        e.eventId() + suffix,
                                        e.userId() + suffix,
                                        e.itemId(),
                                        e.type(),
                                        e.eventTimeMs() + passShiftMs,
                                        e.price(),
                                        e.sessionId(),
                                        e.category(),
                                        e.brand()));
                    }
                    case REQUEST -> {
                        PriceRequest q = (PriceRequest) record.value();
                        String requestId = q.requestId() + suffix;
                        producedAt.put(requestId, System.currentTimeMillis());
                        send(
                                config.get(PricingConfig.TOPIC_REQUESTS),
                                q.userId() + suffix,
                                new PriceRequest(
                                        requestId,
                                        q.userId() + suffix,
                                        q.itemId(),
                                        q.requestTimeMs() + passShiftMs,
                                        q.channel(),
                                        q.device()));
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
