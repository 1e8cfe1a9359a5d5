package org.pricingengine.tools.rollout;

import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollout command line (deploy/rollout.sh). Commands:
 * <pre>
 *   submit   --model V [--canary V2 --canary-share S] [--savepoint PATH] [JOB OPTIONS]
 *   validate --model V [--against V0]
 *   rollout  --model V [--canary V2 --canary-share S]   validate, savepoint, resubmit, verify, roll back on failure
 *   canary   --canary V2 --canary-share S               a rollout that keeps the current model for the rest
 *   promote                                             a rollout to the running canary's model, no canary
 *   rollback                                            back to the deployment before the last rollout
 *   stop | resume                                       stop with a savepoint; start again from it
 *   canary-report [--since ISO_TIME]                    conversion, revenue and margin per arm (feedback topic)
 *   status | history
 * </pre>
 * Tool options (defaults): --rest http://127.0.0.1:38181, --state-dir .work/rollout, --job-jar
 * pricing-job/target/pricing-job-*-job.jar, --model-dir model-assets/models, --probe-data (the bundled
 * cosmetics log), --probe-size 1000, --health-settle 15s, --health-min-decisions 200, --health-timeout 120s,
 * --max-model-failure-rate 0.02, --max-fallback-increase 0.10. Anything else is a job option, given
 * on submit and kept for every later resubmission. Exit status 0 when the command did what it was
 * asked; 1 when a rollout was refused or rolled back, or anything failed. The last line is
 * {@code rollout-result: {json}}.
 */
public final class RolloutTool {
    static final Map<String, String> TOOL_DEFAULTS = new LinkedHashMap<>();

    static {
        TOOL_DEFAULTS.put("rest", "http://127.0.0.1:38181");
        TOOL_DEFAULTS.put("state-dir", ".work/rollout");
        TOOL_DEFAULTS.put("job-jar", "pricing-job/target/pricing-job-0.1.0-SNAPSHOT-job.jar");
        TOOL_DEFAULTS.put("model-dir", "model-assets/models");
        TOOL_DEFAULTS.put("probe-data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv");
        TOOL_DEFAULTS.put("probe-size", "1000");
        TOOL_DEFAULTS.put("health-min-decisions", "200");
        TOOL_DEFAULTS.put("health-timeout", "120s");
        TOOL_DEFAULTS.put("health-settle", "15s");
        TOOL_DEFAULTS.put("max-model-failure-rate", "0.02");
        TOOL_DEFAULTS.put("max-fallback-increase", "0.10");
        TOOL_DEFAULTS.put("model", "");
        TOOL_DEFAULTS.put("against", "");
        TOOL_DEFAULTS.put("canary", "");
        TOOL_DEFAULTS.put("canary-share", "0.1");
        TOOL_DEFAULTS.put("savepoint", "");
        TOOL_DEFAULTS.put("since", "");
    }

    private final Map<String, String> options;
    private final List<String> jobArgs;

    RolloutTool(Map<String, String> options, List<String> jobArgs) {
        this.options = options;
        this.jobArgs = jobArgs;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: deploy/rollout.sh submit|validate|rollout|canary|promote|rollback|stop|resume|canary-report|status|history [options]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>(TOOL_DEFAULTS);
        List<String> jobArgs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String key = args[i].replaceFirst("^--", "");
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            if (options.containsKey(key)) {
                options.put(key, args[++i]);
            } else {
                jobArgs.add(args[i]);
                jobArgs.add(args[++i]);
            }
        }
        Map<String, Object> result = new RolloutTool(options, jobArgs).run(args[0]);
        System.out.println("rollout-result: " + Json.mapper().writeValueAsString(result));
        System.exit(Boolean.TRUE.equals(result.get("ok")) ? 0 : 1);
    }

    Map<String, Object> run(String command) throws Exception {
        Path stateDir = Path.of(options.get("state-dir"));
        FlinkRestClient flink = new FlinkRestClient(options.get("rest"));
        Deployment current = Deployment.load(stateDir);
        List<String> args = current != null && jobArgs.isEmpty() ? current.jobArgs() : withAbsoluteModelDir(jobArgs);
        PricingConfig jobConfig = PricingConfig.fromArgs(args.toArray(String[]::new));
        ModelRollout rollout = rollout(flink, stateDir, jobConfig);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("command", command);
        switch (command) {
            case "submit" -> {
                Deployment d = rollout.submit(required("model"), optional("canary"), share(),
                        args, optional("savepoint"));
                result.put("ok", true);
                result.put("deployment", d);
            }
            case "validate" -> {
                String against = optional("against") != null ? optional("against")
                        : current == null ? null : current.modelVersion();
                CandidateValidator.Report report = validator(jobConfig).validate(required("model"), against);
                result.put("ok", report.passed());
                result.put("validation", report);
            }
            case "rollout" -> outcome(result, rollout.rollout(required("model"), optional("canary"), share()));
            case "canary" -> outcome(result, rollout.rollout(requireCurrent(current).modelVersion(), required("canary"), share()));
            case "promote" -> {
                String canary = requireCurrent(current).canaryModelVersion();
                if (canary == null || canary.isBlank()) {
                    throw new IllegalStateException("no canary is running (" + current.describe() + ")");
                }
                outcome(result, rollout.rollout(canary, null, 0));
            }
            case "rollback" -> outcome(result, rollout.rollback());
            case "stop" -> outcome(result, rollout.stop());
            case "resume" -> outcome(result, rollout.resume());
            case "canary-report" -> {
                long since = optional("since") != null ? java.time.Instant.parse(optional("since")).toEpochMilli()
                        : current != null && current.canaryModelVersion() != null ? current.submittedAtMs() : 0;
                Map<String, Object> report = CanaryReport.read(jobConfig.get(PricingConfig.BOOTSTRAP_SERVERS),
                        jobConfig, since).summary();
                System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
                result.put("ok", true);
                result.put("since", java.time.Instant.ofEpochMilli(since).toString());
                result.put("report", report);
            }
            case "status" -> {
                result.put("ok", current != null);
                result.put("deployment", current);
                if (current != null) {
                    result.put("job_state", flink.job(current.jobId()).state());
                }
                result.put("cluster", flink.overview());
            }
            case "history" -> {
                System.out.print(rollout.history().format());
                result.put("ok", true);
                result.put("entries", rollout.history().entries().size());
            }
            default -> throw new IllegalArgumentException("unknown command '" + command
                    + "' (submit, validate, rollout, canary, promote, rollback, stop, resume, canary-report, status, history)");
        }
        return result;
    }

    ModelRollout rollout(FlinkRestClient flink, Path stateDir, PricingConfig jobConfig) {
        ModelRollout.HealthCriteria health = new ModelRollout.HealthCriteria(
                Long.parseLong(options.get("health-min-decisions")),
                PricingConfig.parseDuration(options.get("health-timeout")),
                Double.parseDouble(options.get("max-model-failure-rate")),
                Double.parseDouble(options.get("max-fallback-increase")),
                Duration.ofSeconds(90), PricingConfig.parseDuration(options.get("health-settle")));
        return new ModelRollout(flink, stateDir, Path.of(options.get("job-jar")).toAbsolutePath(),
                jobConfig.get(PricingConfig.BOOTSTRAP_SERVERS), jobConfig, validator(jobConfig), health,
                line -> System.out.println("rollout: " + line));
    }

    private CandidateValidator validator(PricingConfig jobConfig) {
        CandidateValidator.Limits defaults = CandidateValidator.Limits.defaults();
        return new CandidateValidator(Path.of(jobConfig.get(PricingConfig.MODEL_DIR)), Path.of(options.get("probe-data")),
                PolicySettings.from(jobConfig), new CandidateValidator.Limits(Integer.parseInt(options.get("probe-size")),
                defaults.maxConversionRatio(), defaults.maxSensitivityRatio(), defaults.maxMeanPriceShift()));
    }

    /** The cluster reads models from its own file system: give it an absolute model directory. */
    private List<String> withAbsoluteModelDir(List<String> args) {
        List<String> out = new ArrayList<>(args);
        int i = out.indexOf("--model.dir");
        String dir = Path.of(i >= 0 ? out.get(i + 1) : options.get("model-dir")).toAbsolutePath().normalize().toString();
        if (i >= 0) {
            out.set(i + 1, dir);
        } else {
            out.add("--model.dir");
            out.add(dir);
        }
        return out;
    }

    private static void outcome(Map<String, Object> result, ModelRollout.Outcome o) {
        result.put("ok", o.succeeded());
        result.put("outcome", o);
    }

    private static Deployment requireCurrent(Deployment current) {
        if (current == null) {
            throw new IllegalStateException("no deployment recorded; submit the job first");
        }
        return current;
    }

    private String required(String key) {
        String v = optional(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    private String optional(String key) {
        String v = options.get(key);
        return v == null || v.isBlank() ? null : v;
    }

    private double share() {
        double s = Double.parseDouble(options.get("canary-share"));
        if (!(s > 0 && s < 1)) {
            throw new IllegalArgumentException("--canary-share must be between 0 and 1 (exclusive), got " + s);
        }
        return s;
    }
}
