package org.pricingengine.tools.benchmark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * The job of one benchmark run, in a JVM of its own: an embedded Flink cluster with the managed memory of
 * a TaskManager of the local standalone cluster, running {@link PricingJob} with the job's async scoring
 * or the naive peer's, until the process is stopped. Its own process, so that the CPU time the benchmark
 * reads for it is the job's alone (the load generator, the latency consumer and the broker run in
 * theirs).
 */
public final class BenchmarkJob {
    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "BenchmarkJob", "One benchmark run's job on an embedded Flink cluster, until stopped.")
            .required("scoring", "async (the job's micro-batched scoring) or sync (the naive peer)")
            .required("job-name", "the Flink job's name")
            .option("rest-port", "18081", "Flink's REST API and web UI: metrics, checkpoints, backpressure")
            .option("managed-memory", "768m", "managed memory of the embedded TaskManager (RocksDB)")
            .jobOptions("the job's options", false);

    private BenchmarkJob() {}

    public static void main(String[] args) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(args);
        PricingConfig config = PricingConfig.of(a.jobOptions());
        Configuration flinkConf = PricingJob.flinkConfiguration(config);
        flinkConf.set(RestOptions.PORT, a.integer("rest-port"));
        // The embedded cluster would give RocksDB 128 MB of managed memory (Flink's local default); a
        // TaskManager of the local standalone cluster (deploy/local/flink-cluster.sh) has about 800 MB.
        flinkConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse(a.string("managed-memory")));
        // RocksDB's own memory, read by the soak: tells the block cache filling up apart from a leak.
        flinkConf.set(RocksDBNativeMetricOptions.BLOCK_CACHE_USAGE, true);
        flinkConf.set(RocksDBNativeMetricOptions.BLOCK_CACHE_PINNED_USAGE, true);
        flinkConf.set(RocksDBNativeMetricOptions.MONITOR_CUR_SIZE_ALL_MEM_TABLE, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        PricingJob.ScoringStage stage =
                switch (a.string("scoring")) {
                    case "async" -> PricingJob::asyncScoring;
                    case "sync" -> NaiveScoringFunction::stage;
                    default ->
                        throw new IllegalArgumentException("--scoring: async or sync, not " + a.string("scoring"));
                };
        new PricingJob(config, stage).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        env.execute(a.string("job-name"));
    }

    /** A started {@link BenchmarkJob} process. */
    static final class Handle implements AutoCloseable {
        private final Process process;

        private Handle(Process process) {
            this.process = process;
        }

        /**
         * Starts the job in a new JVM with this JVM's flags (module opens, logging), a heap of
         * {@code heap} and its log in {@code logFile}.
         */
        static Handle start(
                String scoring,
                String jobName,
                int restPort,
                String managedMemory,
                Map<String, String> jobOptions,
                String heap,
                Path logFile)
                throws IOException {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString()));
            for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!flag.startsWith("-Xmx")
                        && !flag.startsWith("-Dpricing.log.file=")
                        && !flag.startsWith("-XX:StartFlightRecording")) {
                    command.add(flag);
                }
            }
            command.add("-Xmx" + heap);
            command.add("-Dpricing.log.file=" + logFile);
            if (Boolean.getBoolean("bench.job.jfr")) {
                // A profile of the job alone, next to its log: where its CPU goes (see BENCHMARKS.md).
                // bench.job.jfr.delay (e.g. 60s) leaves the JVM's start-up and JIT out of the profile.
                command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,delay="
                        + System.getProperty("bench.job.jfr.delay", "0s") + ",filename="
                        + logFile.resolveSibling(jobName + ".jfr"));
            }
            // Any other flags for the job's JVM, e.g. a profiler agent: -Dbench.job.jvm-options="-agentpath:...".
            String extra = System.getProperty("bench.job.jvm-options", "").strip();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(BenchmarkJob.class.getName());
            command.addAll(List.of(
                    "--scoring",
                    scoring,
                    "--job-name",
                    jobName,
                    "--rest-port",
                    Integer.toString(restPort),
                    "--managed-memory",
                    managedMemory));
            jobOptions.forEach((key, value) -> {
                command.add("--" + key);
                command.add(value);
            });
            Path out = logFile.resolveSibling(logFile.getFileName() + ".out");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            // However the benchmark ends (a failed run, Ctrl-C), no job JVM is left running behind it.
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-" + jobName));
            return new Handle(p);
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** CPU time (user and system) the process has used so far. */
        Duration cpu() {
            return ProcessStats.cpu(process.pid()).orElse(Duration.ZERO);
        }

        long residentMb() {
            return ProcessStats.residentMb(process.pid());
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
