package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.evaluation.OffPolicyEvaluation;

/**
 * The rollout command line (deploy/rollout.sh). Commands:
 * <pre>
 *   submit   --model V [--canary V2 --canary-share S] [--savepoint PATH] [--parallelism P] [JOB OPTIONS]
 *   validate --model V [--against V0]
 *   rollout  --model V [--canary V2 --canary-share S]   validate, switch, verify, roll back on failure
 *   canary   --canary V2 --canary-share S               a rollout that keeps the current model for the rest
 *   promote                                             a rollout to the running canary's model, no canary
 *            (rollout, canary, promote and rollback switch models inside the running job through the
 *            model-control topic when the new models read the features the running one does; else, or
 *            with --via-savepoint, they stop the job with a savepoint and resubmit it)
 *   rescale  --parallelism P                            savepoint, resubmit at P, verify, roll back on failure
 *   rollback                                            back to the deployment before the last rollout
 *   stop | resume                                       stop with a savepoint; start again from it
 *   canary-report [--since ISO_TIME]                    conversion, revenue and margin per arm (feedback topic)
 *   status | history
 * </pre>
 * Tool options (defaults): --rest http://127.0.0.1:18181, --state-dir .work/rollout, --job-jar
 * pricing-job/target/pricing-job-*-job.jar, --model-dir model-assets/models, --probe-data (the bundled
 * cosmetics log), --probe-size 1000, --health-settle 15s, --health-min-decisions 200, --health-timeout 120s,
 * --max-model-failure-rate 0.02, --max-fallback-increase 0.10; the off-policy gate's log (--feedback-log FILE
 * [--features-log FILE], or --feedback-topic T [--features-topic T] on the job's broker) and its settings
 * --ope-tolerance 0.05, --ope-max-weight 50, --ope-resamples 200, --ope-confidence 0.90, --ope-seed 42
 * (no log: the gate is skipped). Anything else is a job option, given
 * on submit and kept for every later resubmission. Exit status 0 when the command did what it was
 * asked; 1 when a rollout was refused or rolled back, or anything failed. The last line is
 * {@code rollout-result: {json}}.
 */
public final class RolloutTool {
    static final String COMMANDS =
            "submit|validate|rollout|canary|promote|rescale|rollback|stop|resume|canary-report|status|history";

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/rollout.sh " + COMMANDS,
                    "Model rollouts through savepoints on a running Flink cluster (see README \"Rolling out models\").")
            .option("rest", "http://127.0.0.1:18181", "the cluster's REST address")
            .option("state-dir", ".work/rollout", "where the deployment and the rollout history are kept")
            .option("job-jar", "pricing-job/target/pricing-job-0.1.0-SNAPSHOT-job.jar", "the job jar submitted")
            .option("model-dir", "model-assets/models", "the model directory, unless --model.dir is given")
            .option(
                    "probe-data",
                    "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv",
                    "the REES46 log a candidate is validated on")
            .option("probe-size", "1000", "requests scored when validating a candidate")
            .option("health-min-decisions", "200", "decisions the new job must make to count as healthy")
            .option("health-timeout", "120s", "how long the new job has to make them")
            .option("health-settle", "15s", "decisions right after the switch that are reported but not judged")
            .option("max-model-failure-rate", "0.02", "share of decisions that may fall back because the model failed")
            .option(
                    "max-fallback-increase",
                    "0.10",
                    "how far the fallback rate may rise over the one before the switch")
            .option("model", "", "the model version (submit, validate, rollout)")
            .option("against", "", "the version a candidate is compared with (validate; default the running one)")
            .option("canary", "", "the canary's model version (submit, rollout, canary)")
            .option("canary-share", "0.1", "the share of shoppers on the canary")
            .option("savepoint", "", "the savepoint to start from (submit)")
            .flag(
                    "via-savepoint",
                    "rollout, canary, promote: through a savepoint and a resubmission even when a hot swap could do")
            .option(
                    "parallelism",
                    "",
                    "the job's parallelism (rescale; submit: the same as --job.parallelism; default the cluster's)")
            .option("since", "", "ISO time the canary report starts at (default the canary's start)")
            .option(
                    "feedback-log",
                    "",
                    "JSONL of logged feedback outcomes for the off-policy gate (none: the gate is skipped)")
            .option(
                    "features-log",
                    "",
                    "JSONL of logged decision features, to score the candidate on (off-policy gate)")
            .option(
                    "feedback-topic",
                    "",
                    "read the off-policy gate's outcomes from this topic of the job's broker (read_committed)")
            .option("features-topic", "", "read the logged decision features from this topic of the job's broker")
            .option(
                    "ope-tolerance",
                    "0.05",
                    "how far (share of the current policy's estimate) the candidate's lower bound may fall below it")
            .option("ope-max-weight", "50", "importance weights of the off-policy estimate are clipped here")
            .option("ope-resamples", "200", "bootstrap resamples of the off-policy intervals")
            .option("ope-confidence", "0.90", "level of the off-policy intervals")
            .option("ope-seed", "42", "seed of the off-policy resampling")
            .jobOptions("a job option, given on submit and kept for every later resubmission", true);

    /** What a command did: the {@code rollout-result: {json}} line; each command fills its own fields. */
    @JsonPropertyOrder({
        "command",
        "ok",
        "deployment",
        "validation",
        "outcome",
        "since",
        "report",
        "job_state",
        "cluster",
        "entries"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(
            @JsonProperty("command") String command,
            @JsonProperty("ok") boolean ok,
            @JsonProperty("deployment") Deployment deployment,
            @JsonProperty("validation") CandidateValidator.Report validation,
            @JsonProperty("outcome") ModelRollout.Outcome outcome,
            @JsonProperty("since") String since,
            @JsonProperty("report") CanaryReport.Summary report,
            @JsonProperty("job_state") String jobState,
            @JsonProperty("cluster") JsonNode cluster,
            @JsonProperty("entries") Integer entries) {
        static Result of(String command, boolean ok) {
            return new Result(command, ok, null, null, null, null, null, null, null, null);
        }

        static Result of(String command, ModelRollout.Outcome o) {
            return new Result(command, o.succeeded(), null, null, o, null, null, null, null, null);
        }
    }

    private final ToolArguments options;

    RolloutTool(ToolArguments options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.print(OPTIONS.usage());
            System.exit(args.length == 0 ? 2 : 0);
        }
        ToolArguments options = OPTIONS.parseOrExit(java.util.Arrays.copyOfRange(args, 1, args.length));
        Result result = new RolloutTool(options).run(args[0]);
        System.out.println("rollout-result: " + Json.mapper().writeValueAsString(result));
        System.exit(result.ok() ? 0 : 1);
    }

    Result run(String command) throws Exception {
        Path stateDir = options.path("state-dir");
        FlinkRestClient flink = new FlinkRestClient(options.string("rest"));
        Deployment current = Deployment.load(stateDir);
        List<String> jobArgs = options.jobArgs();
        List<String> args = current != null && jobArgs.isEmpty() ? current.jobArgs() : withAbsolutePaths(jobArgs);
        if (command.equals("submit") && optional("parallelism") != null) {
            args = new ArrayList<>(args);
            args.add(Deployment.PARALLELISM_ARG);
            args.add(Integer.toString(parallelism()));
        }
        PricingConfig jobConfig = PricingConfig.fromArgs(args.toArray(String[]::new));
        ModelRollout rollout = rollout(flink, stateDir, jobConfig);
        return switch (command) {
            case "submit" -> {
                Deployment d =
                        rollout.submit(required("model"), optional("canary"), share(), args, optional("savepoint"));
                yield new Result(command, true, d, null, null, null, null, null, null, null);
            }
            case "validate" -> {
                String against = optional("against") != null
                        ? optional("against")
                        : current == null ? null : current.modelVersion();
                CandidateValidator.Report report = validator(jobConfig).validate(required("model"), against);
                yield new Result(command, report.passed(), null, report, null, null, null, null, null, null);
            }
            case "rollout" ->
                Result.of(command, rollout.rollout(required("model"), optional("canary"), share(), viaSavepoint()));
            case "canary" ->
                Result.of(
                        command,
                        rollout.rollout(
                                requireCurrent(current).modelVersion(), required("canary"), share(), viaSavepoint()));
            case "promote" -> {
                String canary = requireCurrent(current).canaryModelVersion();
                if (canary == null || canary.isBlank()) {
                    throw new IllegalStateException("no canary is running (" + current.describe() + ")");
                }
                yield Result.of(command, rollout.rollout(canary, null, 0, viaSavepoint()));
            }
            case "rescale" -> {
                requireCurrent(current);
                if (optional("parallelism") == null) {
                    throw new IllegalArgumentException("rescale needs --parallelism P");
                }
                yield Result.of(command, rollout.rescale(parallelism()));
            }
            case "rollback" -> Result.of(command, rollout.rollback());
            case "stop" -> Result.of(command, rollout.stop());
            case "resume" -> Result.of(command, rollout.resume());
            case "canary-report" -> {
                long since = optional("since") != null
                        ? java.time.Instant.parse(optional("since")).toEpochMilli()
                        : current != null && current.canaryModelVersion() != null ? current.submittedAtMs() : 0;
                CanaryReport.Summary report = CanaryReport.read(
                                jobConfig.get(PricingConfig.BOOTSTRAP_SERVERS), jobConfig, since)
                        .summary();
                System.out.println(
                        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
                yield new Result(
                        command,
                        true,
                        null,
                        null,
                        null,
                        java.time.Instant.ofEpochMilli(since).toString(),
                        report,
                        null,
                        null,
                        null);
            }
            case "status" ->
                new Result(
                        command,
                        current != null,
                        current,
                        null,
                        null,
                        null,
                        null,
                        current != null ? flink.job(current.jobId()).state() : null,
                        flink.overview(),
                        null);
            case "history" -> {
                System.out.print(rollout.history().format());
                yield new Result(
                        command,
                        true,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        rollout.history().entries().size());
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown command '" + command + "' (" + COMMANDS.replace("|", ", ") + ")");
        };
    }

    ModelRollout rollout(FlinkRestClient flink, Path stateDir, PricingConfig jobConfig) {
        ModelRollout.HealthCriteria health = new ModelRollout.HealthCriteria(
                options.longValue("health-min-decisions"),
                options.duration("health-timeout"),
                options.decimal("max-model-failure-rate"),
                options.decimal("max-fallback-increase"),
                Duration.ofSeconds(90),
                options.duration("health-settle"));
        return new ModelRollout(
                flink,
                stateDir,
                options.path("job-jar").toAbsolutePath(),
                jobConfig.get(PricingConfig.BOOTSTRAP_SERVERS),
                jobConfig,
                validator(jobConfig),
                health,
                line -> System.out.println("rollout: " + line));
    }

    private CandidateValidator validator(PricingConfig jobConfig) {
        CandidateValidator.Limits defaults = CandidateValidator.Limits.defaults();
        Path models = Path.of(jobConfig.get(PricingConfig.MODEL_DIR));
        return new CandidateValidator(
                models,
                options.path("probe-data"),
                PolicySettings.from(jobConfig),
                new CandidateValidator.Limits(
                        options.integer("probe-size"), defaults.maxConversionRatio(), defaults.maxMeanPriceShift()),
                offPolicyGate(jobConfig, models));
    }

    /** The off-policy gate on the log the options name; none named: a gate that says it was skipped. */
    private OffPolicyGate offPolicyGate(PricingConfig jobConfig, Path models) {
        String feedbackLog = optional("feedback-log");
        String feedbackTopic = optional("feedback-topic");
        if (feedbackLog != null && feedbackTopic != null) {
            throw new IllegalArgumentException("give --feedback-log or --feedback-topic, not both");
        }
        if (feedbackLog == null && feedbackTopic == null) {
            return OffPolicyGate.none();
        }
        OffPolicyGate.Settings settings = new OffPolicyGate.Settings(
                options.decimal("ope-tolerance"),
                new OffPolicyEvaluation.Settings(
                        options.decimal("ope-max-weight"),
                        options.integer("ope-resamples"),
                        options.decimal("ope-confidence"),
                        options.longValue("ope-seed")));
        OffPolicyGate.Source source = OffPolicyGate.loggedFeedback(
                jobConfig,
                jobConfig.get(PricingConfig.BOOTSTRAP_SERVERS),
                feedbackLog,
                feedbackTopic,
                optional("features-log"),
                optional("features-topic"));
        return OffPolicyGate.of(source, models, settings);
    }

    /** The cluster reads models from its own file system: give it an absolute model directory. */
    /**
     * The job runs in the cluster's working directory, so the model directory and the option files
     * ({@code --config}, {@code --kafka-config}) are passed as absolute paths.
     */
    private List<String> withAbsolutePaths(List<String> args) {
        List<String> out = new ArrayList<>(args);
        int i = out.indexOf("--model.dir");
        String dir = (i >= 0 ? Path.of(out.get(i + 1)) : options.path("model-dir"))
                .toAbsolutePath()
                .normalize()
                .toString();
        if (i >= 0) {
            out.set(i + 1, dir);
        } else {
            out.add("--model.dir");
            out.add(dir);
        }
        for (int j = 0; j + 1 < out.size(); j += 2) {
            if (out.get(j).equals("--config") || out.get(j).equals("--" + PricingConfig.KAFKA_CONFIG_ARG)) {
                out.set(
                        j + 1,
                        Path.of(out.get(j + 1)).toAbsolutePath().normalize().toString());
            }
        }
        return out;
    }

    private static Deployment requireCurrent(Deployment current) {
        if (current == null) {
            throw new IllegalStateException("no deployment recorded; submit the job first");
        }
        return current;
    }

    private String required(String key) {
        return options.string(key);
    }

    private String optional(String key) {
        return options.optional(key).orElse(null);
    }

    private int parallelism() {
        int p = options.integer("parallelism");
        if (p < 1) {
            throw new IllegalArgumentException("--parallelism must be at least 1, got " + p);
        }
        return p;
    }

    private boolean viaSavepoint() {
        return options.bool("via-savepoint");
    }

    private double share() {
        double s = options.decimal("canary-share");
        if (!(s > 0 && s < 1)) {
            throw new IllegalArgumentException("--canary-share must be between 0 and 1 (exclusive), got " + s);
        }
        return s;
    }
}
