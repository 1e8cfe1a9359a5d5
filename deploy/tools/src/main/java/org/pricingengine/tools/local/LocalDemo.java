package org.pricingengine.tools.local;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.pricingengine.features.events.Json;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ModelManifest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one-command demo: runs the pricing job on an embedded Flink (RocksDB state) against a Kafka
 * broker, replays a REES46 log into it, shows progress, and ends with samples and a summary whose
 * last line is {@code summary: {json}}. The job is stopped with a draining savepoint, which closes
 * every open attribution window so each decision gets its feedback outcome.
 *
 * <p>Arguments: {@code --bootstrap-servers HOST:PORT} (required), {@code --data FILE}, {@code --rate
 * ROWS_PER_S} (default 800), {@code --max-rows N}, {@code --malformed-every N} (default 2000; 0 = none),
 * {@code --warmup-rows N} (default 3000), {@code --work-dir DIR}; any other {@code --key value} is a job
 * option (see README).
 *
 * <p>Latency percentiles leave out the warm-up: the first rows are replayed, then the demo waits until
 * they are all priced (sources assigned, model loaded, JIT warm) before it starts counting.
 */
public final class LocalDemo {
    private static final String DEFAULT_DATA = "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv";

    public static void main(String[] args) throws Exception {
        Map<String, String> demo = new LinkedHashMap<>(Map.of(
                "data", DEFAULT_DATA, "rate", "800", "max-rows", "0", "malformed-every", "2000", "work-dir", ".work/demo",
                "warmup-rows", "3000"));
        List<String> jobArgs = new ArrayList<>();
        String bootstrap = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String key = args[i].replaceFirst("^--", "");
            if (key.equals("bootstrap-servers")) {
                bootstrap = args[i + 1];
            } else if (demo.containsKey(key)) {
                demo.put(key, args[i + 1]);
            } else {
                jobArgs.add(args[i]);
                jobArgs.add(args[i + 1]);
            }
        }
        if (bootstrap == null) {
            throw new IllegalArgumentException("--bootstrap-servers is required");
        }
        Path data = Path.of(demo.get("data"));
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("--data " + data + ": no such file");
        }
        Path work = Path.of(demo.get("work-dir")).toAbsolutePath();
        Files.createDirectories(work);

        jobArgs.addAll(List.of("--kafka.bootstrap-servers", bootstrap,
                "--checkpoint.dir", work.resolve("checkpoints").toUri().toString(),
                "--checkpoint.interval", "5s"));
        PricingConfig config = PricingConfig.fromArgs(jobArgs.toArray(String[]::new));
        ModelManifest manifest = ModelContract.readAndCheckManifest(new ModelLocation(
                Path.of(config.get(PricingConfig.MODEL_DIR)), config.get(PricingConfig.MODEL_VERSION)));
        System.out.printf("model %s (feature spec %s), data %s%n", manifest.modelVersion(),
                manifest.featureSpecVersion(), data);

        PricingTopics.createMissing(bootstrap, config);
        long started = System.nanoTime();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobClient job = env.executeAsync(config.get(PricingConfig.JOB_NAME));
        awaitRunning(job);
        System.out.printf("job %s running on embedded Flink (RocksDB state, parallelism %d)%n",
                job.getJobID(), env.getParallelism());

        OutputTally tally = new OutputTally(bootstrap, config);
        Thread tallyThread = new Thread(tally, "output-tally");
        tallyThread.start();

        Rees46Replayer replayer = new Rees46Replayer(bootstrap, config);
        double rate = Double.parseDouble(demo.get("rate"));
        int malformedEvery = Integer.parseInt(demo.get("malformed-every"));
        long warmupRows = Long.parseLong(demo.get("warmup-rows"));
        Thread replay = new Thread(() -> {
            try {
                replayer.replay(data, rate, Long.parseLong(demo.get("max-rows")), malformedEvery, Rees46Replayer::sampleMalformed,
                        warmupRows, () -> awaitWarm(replayer, tally, job));
            } catch (Exception e) {
                throw new IllegalStateException("replay failed", e);
            }
        }, "replay");
        replay.start();

        long lastDecisions = -1;
        long quietSince = System.nanoTime();
        while (true) {
            Thread.sleep(2000);
            checkAlive(job);
            long d = tally.decisions.get();
            System.out.printf("  replayed %,7d rows | requests %,6d | decisions %,6d | fallbacks %,4d | feedback %,6d | dead letters %,3d | p50 %3d ms p99 %4d ms%n",
                    replayer.rowsSent.get(), replayer.requestsSent.get(), d, tally.fallbacks.get(), tally.feedback.get(),
                    tally.deadLetters.get(), tally.latencyPercentile(0.50), tally.latencyPercentile(0.99));
            if (d != lastDecisions) {
                lastDecisions = d;
                quietSince = System.nanoTime();
            }
            boolean caughtUp = !replay.isAlive() && d >= replayer.requestsSent.get();
            boolean stalled = !replay.isAlive() && System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(20);
            if (caughtUp || stalled) {
                break;
            }
        }
        replayer.close();

        System.out.println("replay done; stopping the job with a draining savepoint (closes open attribution windows)");
        String savepoint = job.stopWithSavepoint(true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);
        System.out.println("savepoint: " + savepoint);
        if (!tally.drainAndStop(30_000)) {
            System.out.println("warning: could not read the output topics to their end within 30 s");
        }
        tallyThread.join(5000);
        tally.closeConsumer();
        double elapsed = (System.nanoTime() - started) / 1e9;
        printReport(tally, replayer, elapsed, manifest);
    }

    /** Blocks the replay after the warm-up rows until every request so far has its decision. */
    private static void awaitWarm(Rees46Replayer replayer, OutputTally tally, JobClient job) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (tally.decisions.get() < replayer.requestsSent.get() && System.nanoTime() < deadline) {
                checkAlive(job);
                Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.out.printf("  warm-up done: %d requests priced; measuring latency from here%n", tally.decisions.get());
        tally.startMeasuringLatency();
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            checkAlive(job);
            Thread.sleep(200);
        }
        throw new IllegalStateException("job did not reach RUNNING within 60 s");
    }

    private static void checkAlive(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            try {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the pricing job ended with " + status, e);
            }
            throw new IllegalStateException("the pricing job ended early with " + status);
        }
    }

    private static void printReport(OutputTally tally, Rees46Replayer replayer, double elapsed, ModelManifest manifest) {
        System.out.println();
        System.out.println("sample decisions:");
        List<String> samples = new ArrayList<>();
        // Prefer showing a personalized discount, a list-price quote and a fallback if there are any.
        pick(tally.sampleDecisions, "\"" + ReasonCode.DISCOUNTED.code() + "\"", samples);
        pick(tally.sampleDecisions, "\"" + ReasonCode.AT_LIST_PRICE.code() + "\"", samples);
        pick(tally.sampleDecisions, "\"fallback\" : true", samples);
        for (String s : samples) {
            System.out.println(s);
        }
        if (!tally.sampleFeedback.isEmpty()) {
            System.out.println("sample feedback outcome (purchase):");
            System.out.println(tally.sampleFeedback.get(0));
        }
        if (!tally.sampleDeadLetters.isEmpty()) {
            System.out.println("sample dead letter:");
            System.out.println(tally.sampleDeadLetters.get(0));
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("rows", replayer.rowsSent.get());
        summary.put("requests", replayer.requestsSent.get());
        summary.put("decisions", tally.decisions.get());
        summary.put("duplicate_decisions", tally.duplicateDecisions.get());
        summary.put("fallbacks", tally.fallbacks.get());
        summary.put("fallback_reasons", tally.fallbackReasons());
        summary.put("discounted", tally.discounted.get());
        summary.put("deadletters", tally.deadLetters.get());
        summary.put("malformed_sent", replayer.malformedSent.get());
        summary.put("feedback", tally.feedback.get());
        summary.put("purchases_attributed", tally.purchasesAttributed.get());
        summary.put("carts_attributed", tally.cartsAttributed.get());
        summary.put("attributed_revenue", Math.round(tally.attributedRevenue() * 100) / 100.0);
        summary.put("guardrail_violations", tally.guardrailViolations.get());
        summary.put("p50_ms", tally.latencyPercentile(0.50));
        summary.put("p99_ms", tally.latencyPercentile(0.99));
        summary.put("p50_ms_later_half", tally.laterHalfLatencyPercentile(0.50));
        summary.put("p99_ms_later_half", tally.laterHalfLatencyPercentile(0.99));
        summary.put("latency_samples", tally.latencySamples());
        summary.put("model_versions", tally.modelVersions());
        summary.put("elapsed_s", Math.round(elapsed * 10) / 10.0);
        System.out.println();
        System.out.printf("%-22s %s%n", "model", manifest.modelVersion());
        summary.forEach((k, v) -> System.out.printf("%-22s %s%n", k, v));
        System.out.println("summary: " + Json.toJson(summary));
    }

    private static void pick(List<String> from, String marker, List<String> into) {
        from.stream().filter(s -> s.contains(marker)).findFirst().ifPresent(into::add);
    }
}
