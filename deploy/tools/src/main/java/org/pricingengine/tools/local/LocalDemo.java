package org.pricingengine.tools.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.pricingengine.tools.cli.ToolArguments;

/**
 * The one-command demo: runs the pricing job on an embedded Flink (RocksDB state) against a Kafka
 * broker, replays a REES46 log into it, shows progress, and ends with samples and a summary whose
 * last line is {@code summary: {json}}, after a report with charts in {@code <work-dir>/report} (see
 * {@link DemoReport}). The job is stopped with a draining savepoint, which closes
 * every open attribution window so each decision gets its feedback outcome.
 *
 * <p>Arguments: {@code --bootstrap-servers HOST:PORT} (required), {@code --data FILE}, {@code --rate
 * ROWS_PER_S} (default 800), {@code --max-rows N}, {@code --malformed-every N} (default 2000; 0 = none),
 * {@code --warmup-rows N} (default 3000), {@code --work-dir DIR}; any other {@code --key value} is a job
 * option (see CONFIGURATION.md).
 *
 * <p>Latency percentiles leave out the warm-up: the first rows are replayed, then the demo waits until
 * they are all priced (sources assigned, model loaded, JIT warm) before it starts counting.
 */
public final class LocalDemo {
    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/local/demo.sh",
                    "Runs the job on embedded Flink against a broker, replays a REES46 log into it and summarises.")
            .required("bootstrap-servers", "the Kafka broker, HOST:PORT")
            .option("data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv", "the REES46-format log replayed")
            .option("rate", "800", "replayed rows per second")
            .option("max-rows", "0", "rows replayed at most (0 = all)")
            .option("malformed-every", "2000", "a malformed record every N rows (0 = none)")
            .option("warmup-rows", "3000", "rows replayed before latency is measured")
            .option("work-dir", ".work/demo", "checkpoints, savepoints and the report")
            .flag(
                    "no-competitors",
                    "send no synthetic competitor prices (by default the demo plays a competitor feed, see CompetitorFeed)")
            .option("competitor-seed", "1", "the seed of the synthetic competitor feed")
            .jobOptions("a job option (see CONFIGURATION.md)", true);

    /** The {@code summary: {json}} line. */
    @JsonPropertyOrder({
        "rows",
        "requests",
        "decisions",
        "duplicate_decisions",
        "fallbacks",
        "fallback_reasons",
        "discounted",
        "deadletters",
        "malformed_sent",
        "feedback",
        "purchases_attributed",
        "carts_attributed",
        "attributed_revenue",
        "guardrail_violations",
        "p50_ms",
        "p99_ms",
        "p50_ms_later_half",
        "p99_ms_later_half",
        "latency_samples",
        "model_versions",
        "elapsed_s"
    })
    public record Summary(
            @JsonProperty("rows") long rows,
            @JsonProperty("requests") long requests,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("duplicate_decisions") long duplicateDecisions,
            @JsonProperty("fallbacks") long fallbacks,
            @JsonProperty("fallback_reasons") Map<String, Long> fallbackReasons,
            @JsonProperty("discounted") long discounted,
            @JsonProperty("deadletters") long deadletters,
            @JsonProperty("malformed_sent") long malformedSent,
            @JsonProperty("feedback") long feedback,
            @JsonProperty("purchases_attributed") long purchasesAttributed,
            @JsonProperty("carts_attributed") long cartsAttributed,
            @JsonProperty("attributed_revenue") double attributedRevenue,
            @JsonProperty("guardrail_violations") long guardrailViolations,
            @JsonProperty("p50_ms") long p50Ms,
            @JsonProperty("p99_ms") long p99Ms,
            @JsonProperty("p50_ms_later_half") long p50MsLaterHalf,
            @JsonProperty("p99_ms_later_half") long p99MsLaterHalf,
            @JsonProperty("latency_samples") long latencySamples,
            @JsonProperty("model_versions") Set<String> modelVersions,
            @JsonProperty("elapsed_s") double elapsedS) {}

    public static void main(String[] args) throws Exception {
        ToolArguments demo = OPTIONS.parseOrExit(args);
        String bootstrap = demo.string("bootstrap-servers");
        List<String> jobArgs = new ArrayList<>(demo.jobArgs());
        Path data = demo.path("data");
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("--data " + data + ": no such file");
        }
        Path work = demo.path("work-dir").toAbsolutePath();
        Files.createDirectories(work);

        jobArgs.addAll(List.of(
                "--kafka.bootstrap-servers",
                bootstrap,
                "--checkpoint.dir",
                work.resolve("checkpoints").toUri().toString(),
                "--checkpoint.interval",
                "5s"));
        PricingConfig config = PricingConfig.fromArgs(jobArgs.toArray(String[]::new));
        ModelManifest manifest = ModelContract.readAndCheckManifest(new ModelLocation(
                Path.of(config.get(PricingConfig.MODEL_DIR)), config.get(PricingConfig.MODEL_VERSION)));
        System.out.printf(
                "model %s (feature spec %s), data %s%n", manifest.modelVersion(), manifest.featureSpecVersion(), data);

        PricingTopics.createMissing(bootstrap, config);
        long started = System.nanoTime();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobClient job = env.executeAsync(config.get(PricingConfig.JOB_NAME));
        awaitRunning(job);
        System.out.printf(
                "job %s running on embedded Flink (RocksDB state, parallelism %d)%n",
                job.getJobID(), env.getParallelism());

        OutputTally tally = new OutputTally(bootstrap, config);
        Thread tallyThread = new Thread(tally, "output-tally");
        tallyThread.start();

        Rees46Replayer replayer = new Rees46Replayer(bootstrap, config);
        CompetitorFeed.Publisher competitors = competitorFeed(demo, bootstrap, config);
        if (competitors != null) {
            replayer.onSent(competitors);
        }
        double rate = demo.decimal("rate");
        long maxRows = demo.longValue("max-rows");
        int malformedEvery = demo.integer("malformed-every");
        long warmupRows = demo.longValue("warmup-rows");
        Thread replay = new Thread(
                () -> {
                    try {
                        replayer.replay(
                                data,
                                rate,
                                maxRows,
                                malformedEvery,
                                Rees46Replayer::sampleMalformed,
                                warmupRows,
                                () -> awaitWarm(replayer, tally, job),
                                List.of());
                    } catch (Exception e) {
                        throw new IllegalStateException("replay failed", e);
                    }
                },
                "replay");
        replay.start();

        long lastDecisions = -1;
        long quietSince = System.nanoTime();
        while (true) {
            Thread.sleep(2000);
            checkAlive(job);
            long d = tally.decisions.get();
            System.out.printf(
                    "  replayed %,7d rows | requests %,6d | decisions %,6d | fallbacks %,4d | feedback %,6d | dead letters %,3d | p50 %3d ms p99 %4d ms%n",
                    replayer.rowsSent.get(),
                    replayer.requestsSent.get(),
                    d,
                    tally.fallbacks.get(),
                    tally.feedback.get(),
                    tally.deadLetters.get(),
                    tally.latencyPercentile(0.50),
                    tally.latencyPercentile(0.99));
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
        if (competitors != null) {
            competitors.close();
            System.out.printf("synthetic competitor prices sent: %,d%n", competitors.sent.get());
        }

        System.out.println("replay done; stopping the job with a draining savepoint (closes open attribution windows)");
        String savepoint = job.stopWithSavepoint(
                        true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);
        System.out.println("savepoint: " + savepoint);
        if (!tally.drainAndStop(30_000)) {
            System.out.println("warning: could not read the output topics to their end within 30 s");
        }
        tallyThread.join(5000);
        tally.closeConsumer();
        double elapsed = (System.nanoTime() - started) / 1e9;
        printReport(
                tally,
                replayer,
                elapsed,
                manifest,
                writeReport(work.resolve("report"), demo, data, manifest, tally, replayer, elapsed));
    }

    /** The pricing manager's view of the run: report.md with charts; returns the report's path. */
    private static Path writeReport(
            Path dir,
            ToolArguments demo,
            Path data,
            ModelManifest manifest,
            OutputTally tally,
            Rees46Replayer replayer,
            double elapsed)
            throws java.io.IOException {
        Map<String, String> run = new LinkedHashMap<>();
        run.put("data", data.toString());
        run.put("model", manifest.modelVersion() + " (feature spec " + manifest.featureSpecVersion() + ")");
        run.put(
                "replay",
                String.format(
                        java.util.Locale.ROOT,
                        "%,d rows (%,d price requests) at %s rows/s, %.0f s in all",
                        replayer.rowsSent.get(),
                        replayer.requestsSent.get(),
                        demo.string("rate"),
                        elapsed));
        if (!demo.jobArgs().isEmpty()) {
            run.put("job options", "`" + String.join(" ", demo.jobArgs()) + "`");
        }
        DemoReport.write(
                dir,
                run,
                tally.reportDecisions(),
                new DemoReport.Outcomes(
                        tally.feedback.get(),
                        tally.purchasesAttributed.get(),
                        tally.cartsAttributed.get(),
                        tally.attributedRevenue()));
        return dir.resolve("report.md");
    }

    /**
     * The synthetic competitor feed (default settings, see {@link CompetitorFeed}), or null when switched
     * off or when the job has no competitor-prices input. A stand-in for a retailer's price-monitoring
     * feed: the bundled data has no competitor prices.
     */
    private static CompetitorFeed.Publisher competitorFeed(ToolArguments demo, String bootstrap, PricingConfig config) {
        String topic = config.get(PricingConfig.TOPIC_COMPETITOR_PRICES);
        if (demo.bool("no-competitors") || topic.isBlank()) {
            return null;
        }
        CompetitorFeed feed = new CompetitorFeed(CompetitorFeed.Settings.defaults(), demo.longValue("competitor-seed"));
        System.out.printf(
                "synthetic competitor feed: %d shops, prices redrawn every %.0f h, to %s (--no-competitors turns it off)%n",
                feed.settings().competitors(), feed.settings().redrawHours(), topic);
        return new CompetitorFeed.Publisher(feed, bootstrap, config, topic);
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

    private static void printReport(
            OutputTally tally, Rees46Replayer replayer, double elapsed, ModelManifest manifest, Path report) {
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
        Summary summary = new Summary(
                replayer.rowsSent.get(),
                replayer.requestsSent.get(),
                tally.decisions.get(),
                tally.duplicateDecisions.get(),
                tally.fallbacks.get(),
                tally.fallbackReasons(),
                tally.discounted.get(),
                tally.deadLetters.get(),
                replayer.malformedSent.get(),
                tally.feedback.get(),
                tally.purchasesAttributed.get(),
                tally.cartsAttributed.get(),
                Math.round(tally.attributedRevenue() * 100) / 100.0,
                tally.guardrailViolations.get(),
                tally.latencyPercentile(0.50),
                tally.latencyPercentile(0.99),
                tally.laterHalfLatencyPercentile(0.50),
                tally.laterHalfLatencyPercentile(0.99),
                tally.latencySamples(),
                tally.modelVersions(),
                Math.round(elapsed * 10) / 10.0);
        System.out.println();
        System.out.printf("%-22s %s%n", "model", manifest.modelVersion());
        // The table shows what the JSON line holds, under the same names: the record is read as its JSON
        // object, so a new field shows in both without touching this.
        Json.mapper()
                .convertValue(summary, new TypeReference<LinkedHashMap<String, Object>>() {})
                .forEach((k, v) -> System.out.printf("%-22s %s%n", k, v));
        System.out.println(
                "report: " + report + " (prices against list, discounts and exploration, reason codes, latency)");
        System.out.println("summary: " + Json.toJson(summary));
    }

    private static void pick(List<String> from, String marker, List<String> into) {
        from.stream().filter(s -> s.contains(marker)).findFirst().ifPresent(into::add);
    }
}
