package org.pricingengine.tools.market;

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
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.LocalStack;
import org.pricingengine.tools.local.PricingTopics;
import org.pricingengine.tools.rollout.FlinkRestClient;

/**
 * The closed loop in one command: a Kafka broker and a standalone Flink cluster of its own, the job
 * submitted with a model, the {@link MarketLoop} playing the shoppers of a world file against it, and
 * the report ({@code report.md}, {@code learning-curve.png}, {@code loop.json}) of what the job earned
 * compared with list price, the best uniform discount and the oracle under the world's truth. Each
 * round ({@link #round}) runs on topics of its own with fresh shoppers; its job is stopped with a
 * savepoint, which a later round may start from.
 */
public final class LearningLoop {
    /** The job option that turns on the decision-features topic, when this build's job has it. */
    static final String DECISION_FEATURES_OPTION = "topic.decision-features";

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/learning-loop.sh",
                    "Runs the job against a simulated market (a world file) and reports its true margin against list price, the best uniform discount and the oracle.")
            .option("world", "deploy/worlds/elastic.json", "the world file (true demand)")
            .option("requests", "500000", "price requests per round")
            .option("seed", null, "overrides the world's seed")
            .option("rounds", "1", "rounds (a round after the first needs retraining, not wired yet)")
            .option("model", "v1", "the model version of the first round")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option("work-dir", ".work/loop", "where the report, the charts, loop.json and the stack's files go")
            .option("kafka-port", "39392", "the broker's port")
            .option("rest-port", "38381", "the Flink REST port")
            .option("max-outstanding", "2000", "requests waiting for a decision at most")
            .option("retry-share", "0.01", "share of requests sent twice (client retries)")
            .option(
                    "ope-policy",
                    "greedy",
                    "a policy the job did not run, evaluated off-policy on each round's log next to its truth: greedy (the same policy without exploration), list or uniform:D")
            .jobOptions("a job option for every round, e.g. --pricing.exploration off", false);

    /** What one round needs: its number, the model, how many requests, and a savepoint to start from (or null). */
    public record RoundSpec(int round, String modelVersion, long requests, String savepoint) {}

    /** What one round left: its result, where its files are, its job's topics and final savepoint. */
    public record RoundRun(LoopResult result, Path dir, Map<String, String> jobOptions, String savepoint) {}

    private final ToolArguments args;
    private final LocalStack stack;
    private final World world;
    private final Path modelDir;
    private FlinkRestClient flink;
    private String jarId;

    private LearningLoop(ToolArguments args) throws Exception {
        this.args = args;
        this.stack = new LocalStack(args.path("work-dir"), args.integer("kafka-port"), args.integer("rest-port"));
        World w = World.read(stack.repo().resolve(args.string("world")));
        this.world = args.given("seed") ? w.withSeed(args.longValue("seed")) : w;
        this.modelDir = stack.repo().resolve(args.string("model-dir")).toAbsolutePath();
    }

    public static void main(String[] argv) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(argv);
        if (a.integer("rounds") != 1) {
            System.err.println("learning-loop: --rounds " + a.integer("rounds")
                    + ": only one round for now (retraining between rounds is not wired yet)");
            System.exit(2);
        }
        LearningLoop loop = new LearningLoop(a);
        LocalStack.Timed<List<RoundRun>> runs = loop.stack.run(() -> {
            List<RoundRun> done = new ArrayList<>();
            done.add(loop.round(new RoundSpec(1, a.string("model"), a.longValue("requests"), null)));
            return done;
        });
        RoundRun last = runs.result().get(runs.result().size() - 1);
        // The last round's files are also at the top of the work dir, where the README points.
        for (String f : List.of("report.md", "learning-curve.png", "loop.json", "loop-details.json")) {
            Files.copy(last.dir().resolve(f), loop.stack.work().resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.println("report: " + loop.stack.work().resolve("report.md"));
        System.out.println("loop: " + Json.toJson(last.result()));
        System.exit(0);
    }

    /** One round on the running stack: submit, play the market, stop with a savepoint, report. */
    public RoundRun round(RoundSpec spec) throws Exception {
        String bootstrap = stack.bootstrapServers();
        String prefix = "loop-r" + spec.round();
        Map<String, String> options = new LinkedHashMap<>(PricingTopics.isolatedRun(prefix));
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), bootstrap);
        options.put(PricingConfig.MODEL_DIR.key(), modelDir.toString());
        options.put(PricingConfig.MODEL_VERSION.key(), spec.modelVersion());
        // Feedback is transactional: the job's learner and the loop see outcomes once a checkpoint commits them.
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "10s");
        if (jobHasOption(DECISION_FEATURES_OPTION)) {
            options.put(DECISION_FEATURES_OPTION, prefix + ".decision-features");
        }
        options.putAll(args.jobOptions());
        PricingConfig config = PricingConfig.of(options);
        PricingTopics.createMissing(bootstrap, config);
        if (options.containsKey(DECISION_FEATURES_OPTION)) {
            createTopic(bootstrap, config, options.get(DECISION_FEATURES_OPTION));
        }
        List<String> jobArgs = new ArrayList<>();
        options.forEach((k, v) -> {
            jobArgs.add("--" + k);
            jobArgs.add(v);
        });
        if (flink == null) {
            flink = new FlinkRestClient(stack.restUrl());
            jarId = flink.uploadJar(stack.jobJar());
        }
        System.out.printf(
                "== round %d: model %s, world %s, %,d requests%n",
                spec.round(), spec.modelVersion(), world.name(), spec.requests());
        String jobId = flink.runJar(jarId, PricingJob.class.getName(), jobArgs, spec.savepoint());
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!flink.allTasksRunning(jobId)) {
            checkJob(jobId);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " did not start within 3 minutes");
            }
            Thread.sleep(500);
        }
        MarketLoop.Settings settings = new MarketLoop.Settings(
                bootstrap,
                config,
                world,
                spec.requests(),
                spec.modelVersion(),
                spec.round(),
                "r" + spec.round() + "-",
                args.integer("max-outstanding"),
                args.decimal("retry-share"),
                stack.repo().resolve("model-assets/data/rees46"),
                Duration.ofMinutes(3),
                Duration.ofMinutes(2),
                true,
                args.string("ope-policy"));
        LoopReport.Summary summary = MarketLoop.run(settings, () -> checkJob(jobId));
        String savepoint = flink.stopWithSavepoint(jobId, null, Duration.ofMinutes(3));
        Path dir = stack.work().resolve("round-" + spec.round());
        LoopReport.write(dir, summary, world);
        System.out.println(Files.readString(dir.resolve("report.md")));
        return new RoundRun(summary.result(), dir, options, savepoint);
    }

    private void checkJob(String jobId) throws Exception {
        String state = flink.job(jobId).state();
        if (Set.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
            throw new IllegalStateException("the pricing job is " + state + ": " + flink.rootException(jobId));
        }
    }

    static boolean jobHasOption(String key) {
        return PricingConfig.options().stream().anyMatch(o -> o.key().equals(key));
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
