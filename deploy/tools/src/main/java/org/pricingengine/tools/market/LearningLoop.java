package org.pricingengine.tools.market;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.evaluation.FeedbackExamples;
import org.pricingengine.tools.local.LocalStack;
import org.pricingengine.tools.local.PricingTopics;
import org.pricingengine.tools.rollout.CandidateValidator;
import org.pricingengine.tools.rollout.FlinkRestClient;
import org.pricingengine.tools.rollout.ModelRollout;
import org.pricingengine.tools.rollout.OffPolicyGate;

/**
 * The closed loop in one command: a Kafka broker and a standalone Flink cluster of its own, the job
 * submitted with a model, the {@link MarketLoop} playing the shoppers of a world file against it, and
 * the report ({@code report.md}, {@code learning-curve.png}, {@code loop.json}) of what the job earned
 * compared with list price, the best uniform discount and the oracle under the world's truth. The job
 * goes in through the rollout tool; with two rounds, the model retrained from round one's feedback rolls
 * out through it during round two (fresh shoppers, the same topics and learned state).
 */
public final class LearningLoop {
    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/learning-loop.sh",
                    "Runs the job against a simulated market (a world file) and reports its true margin against list price, the best uniform discount and the oracle.")
            .option("world", "deploy/worlds/elastic.json", "the world file (true demand)")
            .option("requests", "500000", "price requests per round")
            .option("seed", null, "overrides the world's seed")
            .option(
                    "rounds",
                    "1",
                    "1, or 2: after round one, retrain from its feedback and roll the candidate out through the rollout tool (off-policy gate included) during round two")
            .option(
                    "retrain-decisions",
                    "60000",
                    "with --rounds 2: the latest randomized decisions retraining learns from")
            .option("retrain-epochs", "4", "with --rounds 2: training epochs")
            .option(
                    "ope-seeds",
                    "0",
                    "instead of learning rounds: this many rounds on one running job, each with its own world seed, checking the off-policy estimate of --ope-policy against its truth on each round's log")
            .flag(
                    "compare-stock",
                    "instead of learning rounds: the world twice, the job's stock rule on and off (stock.enabled), each with its own job and topics, and a comparison of stock-outs, realized margin and units left (deploy/stock-scenario.sh)")
            .option(
                    "day",
                    "1h",
                    "with stock or competitors in the world: the event time that stands for a day in the job's stock and competitor durations (see README)")
            .option("model", "v1", "the model version of the first round")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option("work-dir", ".work/loop", "where the report, the charts, loop.json and the stack's files go")
            .option("kafka-port", "19392", "the broker's port")
            .option("rest-port", "18381", "the Flink REST port")
            .option("max-outstanding", "2000", "requests waiting for a decision at most")
            .option("retry-share", "0.01", "share of requests sent twice (client retries)")
            .option(
                    "ope-policy",
                    "greedy",
                    "a policy the job did not run, evaluated off-policy on each round's log next to its truth: greedy (the same policy without exploration), list or uniform:D")
            .jobOptions("a job option for every round, e.g. --pricing.exploration off", false);

    /** What one round needs: its number, the model it starts with, how many requests, and a candidate to roll out. */
    public record RoundSpec(int round, String modelVersion, long requests, String candidate) {}

    /** What one round left: its result, where its files are, and the rollout it ran (null for none). */
    public record RoundRun(LoopResult result, Path dir, ModelRollout.Outcome rollout) {}

    /** What retraining from the first round's feedback produced. */
    public record Retrained(String version, FeedbackExamples.Result examples, double seconds) {}

    private final ToolArguments args;
    private final LocalStack stack;
    /** Where this loop's files go: the stack's work directory, or a directory of its own in a scenario. */
    private Path out;
    /** Prefix of this loop's topics, consumer group and transactional ids. */
    private String topicPrefix;
    /** Job options set on top of the command line's (a comparison's variant). */
    private Map<String, String> extraOptions;

    private World world;
    private Path modelDir;
    private FlinkRestClient flink;
    private ModelRollout rollout;
    private PricingConfig config;
    private final AtomicBoolean switching = new AtomicBoolean();
    /** The last round's stock figures. */
    private LoopReport.StockReport lastStock;
    /** Event time the last round ended at: the next one continues from there. */
    private long endOfTimeMs;

    LearningLoop(ToolArguments args) throws Exception {
        this.args = args;
        this.stack = new LocalStack(args.path("work-dir"), args.integer("kafka-port"), args.integer("rest-port"));
        this.out = stack.work();
        this.topicPrefix = "loop";
        this.extraOptions = Map.of();
        World w = World.read(stack.repo().resolve(args.string("world")));
        this.world = args.given("seed") ? w.withSeed(args.longValue("seed")) : w;
        this.modelDir = stack.repo().resolve(args.string("model-dir")).toAbsolutePath();
    }

    public static void main(String[] argv) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(argv);
        int rounds = a.integer("rounds");
        if (rounds < 1 || rounds > 2) {
            System.err.println("learning-loop: --rounds is 1 or 2");
            System.exit(2);
        }
        LearningLoop loop = new LearningLoop(a);
        if (a.bool("compare-stock")) {
            LocalStack.Timed<StockComparison.Result> compared = loop.stack.run(loop::compareStock);
            System.out.println("report: " + loop.stack.work().resolve("stock-comparison.md"));
            System.out.println("stock-comparison: " + Json.toJson(compared.result()));
            System.exit(0);
        }
        if (a.integer("ope-seeds") > 0) {
            LocalStack.Timed<OpeSeeds> seeds = loop.stack.run(() -> loop.opeSeeds(a.integer("ope-seeds")));
            System.out.println("ope-seeds: " + Json.toJson(seeds.result()));
            System.exit(0);
        }
        LocalStack.Timed<ObjectNode> run = loop.stack.run(() -> loop.run(rounds));
        System.out.println("report: " + loop.out.resolve("report.md"));
        System.out.println("loop: " + Json.toJson(run.result()));
        System.exit(0);
    }

    /**
     * Round one serves the given model and learns online. With two rounds the offline path closes once:
     * retrain from round one's feedback, then round two's shoppers arrive while the rollout tool validates
     * the candidate (the off-policy gate on the logged feedback included) and, if it passes, switches the
     * job to it through a savepoint with its health checked on live traffic.
     */
    private ObjectNode run(int rounds) throws Exception {
        prepare(rounds);
        List<RoundRun> done = new ArrayList<>();
        done.add(round(new RoundSpec(1, args.string("model"), args.longValue("requests"), null)));
        Retrained retrained = null;
        if (rounds == 2) {
            retrained = retrain();
            done.add(round(new RoundSpec(
                    2, rollout.current().modelVersion(), args.longValue("requests"), retrained.version())));
        }
        String savepoint = flink.stopWithSavepoint(rollout.current().jobId(), null, Duration.ofMinutes(3));
        System.out.println("job stopped with savepoint " + savepoint);
        return report(done, retrained);
    }

    /** How well off-policy evaluation tracked the truth, over seeds. */
    @JsonPropertyOrder({
        "policy",
        "world",
        "requests_per_seed",
        "seeds",
        "covered_by_90pct_interval",
        "max_relative_error",
        "mean_relative_error",
        "per_seed"
    })
    public record OpeSeeds(
            @JsonProperty("policy") String policy,
            @JsonProperty("world") String world,
            @JsonProperty("requests_per_seed") long requestsPerSeed,
            @JsonProperty("seeds") int seeds,
            @JsonProperty("covered_by_90pct_interval") int covered,
            @JsonProperty("max_relative_error") double maxRelativeError,
            @JsonProperty("mean_relative_error") double meanRelativeError,
            @JsonProperty("per_seed") List<Map<String, Object>> perSeed) {}

    /**
     * Off-policy evaluation checked against the truth: rounds of fresh shoppers on one running job, each
     * with its own world seed (shoppers' hidden effects and purchase draws), each round's log evaluated
     * alone. The job keeps learning across rounds, as it would in production.
     */
    private OpeSeeds opeSeeds(int seeds) throws Exception {
        prepare(1);
        World base = world;
        List<Map<String, Object>> perSeed = new ArrayList<>();
        int covered = 0;
        double maxError = 0;
        double sumError = 0;
        for (int i = 1; i <= seeds; i++) {
            world = base.withSeed(base.seed() + i);
            LoopResult r = round(new RoundSpec(i, args.string("model"), args.longValue("requests"), null))
                    .result();
            boolean inside = r.opeCiLow() <= r.opeTrue() && r.opeTrue() <= r.opeCiHigh();
            double error = Math.abs(r.opeDr() - r.opeTrue()) / Math.abs(r.opeTrue());
            covered += inside ? 1 : 0;
            maxError = Math.max(maxError, error);
            sumError += error;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seed", world.seed());
            row.put("requests", r.opeRequests());
            row.put("ess", r.opeEss());
            row.put("dr", r.opeDr());
            row.put("ci_low", r.opeCiLow());
            row.put("ci_high", r.opeCiHigh());
            row.put("truth", r.opeTrue());
            row.put("relative_error", Math.round(error * 1e4) / 1e4);
            row.put("covered", inside);
            perSeed.add(row);
            System.out.printf(
                    "== seed %d: dr %.4f [%.4f, %.4f], truth %.4f, error %.2f%%, %s%n",
                    world.seed(),
                    r.opeDr(),
                    r.opeCiLow(),
                    r.opeCiHigh(),
                    r.opeTrue(),
                    100 * error,
                    inside ? "covered" : "NOT covered");
        }
        flink.stopWithSavepoint(rollout.current().jobId(), null, Duration.ofMinutes(3));
        OpeSeeds result = new OpeSeeds(
                args.string("ope-policy"),
                base.name(),
                args.longValue("requests"),
                seeds,
                covered,
                Math.round(maxError * 1e4) / 1e4,
                Math.round(sumError / seeds * 1e4) / 1e4,
                perSeed);
        Files.writeString(
                out.resolve("ope-seeds.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        return result;
    }

    /**
     * The same world (same seed, same shoppers, same purchase draws) played twice on one stack, each
     * against a job of its own: the job's stock rule on, then off. Each run's files go to {@code
     * stock-on/} and {@code stock-off/}; the comparison to {@code stock-comparison.{json,md,png}}.
     */
    private StockComparison.Result compareStock() throws Exception {
        List<StockComparison.Run> runs = new ArrayList<>();
        for (boolean enabled : new boolean[] {true, false}) {
            String variant = enabled ? "stock-on" : "stock-off";
            topicPrefix = variant;
            out = stack.work().resolve(variant);
            extraOptions = Map.of(PricingConfig.STOCK_ENABLED.key(), Boolean.toString(enabled));
            endOfTimeMs = 0;
            System.out.printf("== %s: the job's stock rule %s%n", variant, enabled ? "on" : "off");
            prepare(1);
            RoundRun r = round(new RoundSpec(1, args.string("model"), args.longValue("requests"), null));
            flink.stopWithSavepoint(rollout.current().jobId(), null, Duration.ofMinutes(3));
            LoopReport.StockReport stock = lastStock;
            runs.add(new StockComparison.Run(variant, enabled, r.result(), stock));
        }
        StockComparison.Result result = StockComparison.of(world, args.longValue("requests"), timeScaled(), runs);
        StockComparison.write(stack.work(), result);
        System.out.println(Files.readString(stack.work().resolve("stock-comparison.md")));
        return result;
    }

    /** Job options counted in days or hours of event time that the loop's time scale (--day) shortens. */
    static final List<org.apache.flink.configuration.ConfigOption<Duration>> DAY_SCALED_OPTIONS = List.of(
            PricingConfig.STOCK_DEMAND_HALF_LIFE,
            PricingConfig.STOCK_LOW_COVER,
            PricingConfig.STOCK_HIGH_COVER,
            PricingConfig.COMPETITOR_PRICE_TTL);

    /**
     * The loop's event time runs about 7,000 requests an hour, so a run covers hours, not the weeks a
     * retailer's stock turns over in. With stock or competitors in the world, the job's options counted
     * in event time are scaled so that {@code --day} of event time stands for a day (each option's
     * default x day / 24 h), unless given on the command line.
     */
    Map<String, String> timeScaled() {
        Map<String, String> scaled = new LinkedHashMap<>();
        if (world.stock() == null && world.competitors() == null) {
            return scaled;
        }
        Duration day = args.duration("day");
        for (org.apache.flink.configuration.ConfigOption<Duration> o : DAY_SCALED_OPTIONS) {
            if (!args.jobOptions().containsKey(o.key())) {
                long ms = Math.max(1000, Math.round(o.defaultValue().toMillis() * (day.toMillis() / 86_400_000.0)));
                scaled.put(o.key(), ms / 1000 + "s");
            }
        }
        return scaled;
    }

    /** Topics, the model directory the job reads, the job jar on the cluster, the rollout tool. */
    private void prepare(int rounds) throws Exception {
        String bootstrap = stack.bootstrapServers();
        if (rounds > 1) {
            // The retrained candidate goes next to the shipped models, in the loop's own directory.
            Path copy = out.resolve("models").toAbsolutePath();
            LocalStack.deleteRecursively(copy);
            copyTree(modelDir, copy);
            modelDir = copy;
        }
        Map<String, String> options = new LinkedHashMap<>(PricingTopics.isolatedRun(topicPrefix));
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(PricingConfig.MODEL_DIR.key(), modelDir.toString());
        options.put(PricingConfig.MODEL_VERSION.key(), args.string("model"));
        // Feedback is transactional: the job's learner and the loop see outcomes once a checkpoint commits them.
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "10s");
        if (rounds > 1) {
            // Retraining learns from the model input of the randomized decisions.
            options.put(PricingConfig.TOPIC_DECISION_FEATURES.key(), "loop.decision-features");
        }
        Map<String, String> scaled = timeScaled();
        if (!scaled.isEmpty()) {
            System.out.println("  job options on the loop's time scale (--day " + args.string("day") + "): " + scaled);
        }
        options.putAll(scaled);
        options.putAll(args.jobOptions());
        options.putAll(extraOptions);
        config = PricingConfig.of(options);
        PricingTopics.createMissing(bootstrap, config);
        if (!config.get(PricingConfig.TOPIC_DECISION_FEATURES).isBlank()) {
            createTopic(bootstrap, config, config.get(PricingConfig.TOPIC_DECISION_FEATURES));
        }
        flink = new FlinkRestClient(stack.restUrl());
        rollout = new ModelRollout(
                flink,
                out.resolve("rollout"),
                stack.jobJar(),
                bootstrap,
                config,
                validator(),
                ModelRollout.HealthCriteria.defaults(),
                line -> System.out.println("  rollout: " + line));
        List<String> jobArgs = new ArrayList<>();
        options.forEach((k, v) -> {
            if (!k.equals(PricingConfig.MODEL_VERSION.key())) {
                jobArgs.add("--" + k);
                jobArgs.add(v);
            }
        });
        System.out.printf("== submitting the job: model %s, world %s%n", args.string("model"), world.name());
        rollout.submit(args.string("model"), null, 0, jobArgs, null);
    }

    /** The rollout tool's validator, with the off-policy gate on the loop's feedback topic. */
    private CandidateValidator validator() {
        OffPolicyGate.Source source = OffPolicyGate.loggedFeedback(
                config,
                config.get(PricingConfig.BOOTSTRAP_SERVERS),
                null,
                config.get(PricingConfig.TOPIC_FEEDBACK),
                null,
                config.get(PricingConfig.TOPIC_DECISION_FEATURES));
        CandidateValidator.Limits limits = CandidateValidator.Limits.defaults();
        return new CandidateValidator(
                modelDir,
                stack.repo().resolve("model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"),
                PolicySettings.from(config),
                limits,
                OffPolicyGate.of(source, modelDir, OffPolicyGate.Settings.defaults()));
    }

    /**
     * Retrains from the feedback topic, as {@code retrain.sh --from-feedback} does: the latest randomized
     * decisions joined with their logged model input, then train.sh's feedback mode.
     */
    private Retrained retrain() throws Exception {
        long started = System.nanoTime();
        String version = args.string("model") + "-feedback";
        System.out.printf("== retraining %s from round 1's feedback%n", version);
        FeedbackExamples export = new FeedbackExamples(FeedbackExamples.DEFAULT_WEIGHT_CLIP, modelDir)
                .latest(args.integer("retrain-decisions"));
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(10);
        String bootstrap = config.get(PricingConfig.BOOTSTRAP_SERVERS);
        export.readOutcomesTopic(bootstrap, config, config.get(PricingConfig.TOPIC_FEEDBACK), deadline);
        export.readFeaturesTopic(bootstrap, config, config.get(PricingConfig.TOPIC_DECISION_FEATURES), deadline);
        Path examples = out.resolve("feedback-examples");
        LocalStack.deleteRecursively(examples);
        FeedbackExamples.Result written = export.write(examples);
        System.out.println("  feedback-examples: " + Json.toJson(written));
        Path out = modelDir.resolve(version);
        LocalStack.deleteRecursively(out);
        Process train = new ProcessBuilder(
                        stack.repo().resolve("model-assets/training/train.sh").toString(),
                        "--from-feedback",
                        examples.toString(),
                        "--out",
                        out.toString(),
                        "--version",
                        version,
                        "--epochs",
                        args.string("retrain-epochs"))
                .directory(stack.repo().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!train.waitFor(60, TimeUnit.MINUTES) || train.exitValue() != 0) {
            train.destroyForcibly();
            throw new IllegalStateException("training " + version + " from feedback failed");
        }
        return new Retrained(version, written, (System.nanoTime() - started) / 1e9);
    }

    /**
     * One round of shoppers against the running job. With a candidate, it is rolled out first while
     * shoppers keep coming (the health check judges the switched job on live decisions, as in
     * production); the round's own requests then meet whatever the rollout left serving.
     */
    public RoundRun round(RoundSpec spec) throws Exception {
        System.out.printf(
                "== round %d: model %s%s, world %s, %,d requests%n",
                spec.round(),
                spec.modelVersion(),
                spec.candidate() == null ? "" : " (candidate " + spec.candidate() + " rolls out first)",
                world.name(),
                spec.requests());
        ModelRollout.Outcome outcome = null;
        if (spec.candidate() != null) {
            outcome = rollOutUnderTraffic(spec);
        }
        LoopReport.Summary summary =
                MarketLoop.run(settings(spec.round(), "r" + spec.round() + "-", spec.requests(), true), this::checkJob);
        endOfTimeMs = summary.endOfTimeMs();
        lastStock = summary.stock();
        Path dir = out.resolve("round-" + spec.round());
        LoopReport.write(dir, summary, world);
        if (outcome != null) {
            Files.writeString(dir.resolve("rollout.json"), Json.toJson(outcome));
        }
        System.out.println(Files.readString(dir.resolve("report.md")));
        return new RoundRun(summary.result(), dir, outcome);
    }

    /**
     * Shoppers arrive (the traffic ends when the rollout does); after a minute of it on the current model,
     * the health check's baseline, the rollout tool validates the candidate, the off-policy gate included,
     * and if it passes switches the job to it through a savepoint.
     */
    private ModelRollout.Outcome rollOutUnderTraffic(RoundSpec spec) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService market = Executors.newSingleThreadExecutor();
        Future<LoopReport.Summary> traffic = market.submit(() -> MarketLoop.run(
                settings(spec.round(), "r" + spec.round() + "-rollout-", 50L * spec.requests(), false),
                this::checkJob,
                done::get));
        try {
            Thread.sleep(60_000);
            ModelRollout.Outcome outcome;
            switching.set(true);
            try {
                outcome = rollout.rollout(spec.candidate(), null, 0);
            } finally {
                switching.set(false);
                done.set(true);
            }
            System.out.printf(
                    "  rollout %s -> %s: %s %s%n", outcome.from(), outcome.to(), outcome.outcome(), outcome.problems());
            LoopReport.Summary during = traffic.get();
            endOfTimeMs = during.endOfTimeMs();
            LoopReport.write(out.resolve("round-" + spec.round() + "-rollout"), during, world);
            return outcome;
        } finally {
            market.shutdownNow();
        }
    }

    private MarketLoop.Settings settings(int round, String shopperTag, long requests, boolean progress) {
        return new MarketLoop.Settings(
                config.get(PricingConfig.BOOTSTRAP_SERVERS),
                config,
                world,
                requests,
                rollout.current().modelVersion(),
                round,
                shopperTag,
                args.integer("max-outstanding"),
                args.decimal("retry-share"),
                stack.repo().resolve("model-assets/data/rees46"),
                Duration.ofMinutes(3),
                Duration.ofMinutes(2),
                progress,
                args.string("ope-policy"),
                endOfTimeMs == 0 ? 0 : endOfTimeMs + 60_000);
    }

    /** The job the market is talking to must be running, except while a rollout switches it. */
    private void checkJob() throws Exception {
        if (!switching.get()) {
            checkJob(rollout.current().jobId());
        }
    }

    /** The combined report: each round's figures, retraining and the rollout with its gate's numbers. */
    private ObjectNode report(List<RoundRun> rounds, Retrained retrained) throws IOException {
        RoundRun last = rounds.get(rounds.size() - 1);
        Path work = out;
        for (String f : List.of("learning-curve.png", "loop-details.json")) {
            Files.copy(last.dir().resolve(f), work.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode out = Json.mapper().valueToTree(last.result());
        if (rounds.size() == 1) {
            Files.copy(last.dir().resolve("report.md"), work.resolve("report.md"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            out.set(
                    "rounds",
                    Json.mapper()
                            .valueToTree(rounds.stream().map(RoundRun::result).toList()));
            if (retrained != null) {
                out.set("retrained", Json.mapper().valueToTree(retrained));
            }
            if (last.rollout() != null) {
                out.set("rollout", Json.mapper().valueToTree(last.rollout()));
            }
            Files.writeString(work.resolve("report.md"), LoopReport.rounds(world, rounds, retrained));
        }
        Files.writeString(
                work.resolve("loop.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void checkJob(String jobId) throws Exception {
        String state = flink.job(jobId).state();
        if (Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
            throw new IllegalStateException("the pricing job is " + state + ": " + flink.rootException(jobId));
        }
    }

    static void createTopic(String bootstrap, PricingConfig config, String name) throws Exception {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(name)) {
                admin.createTopics(List.of(new NewTopic(name, 2, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }
}
