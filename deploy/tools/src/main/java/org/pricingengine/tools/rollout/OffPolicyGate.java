package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.tools.evaluation.LoggedFeedback;
import org.pricingengine.tools.evaluation.ModelTarget;
import org.pricingengine.tools.evaluation.OffPolicyEvaluation;
import org.pricingengine.tools.evaluation.TargetPolicy;

/**
 * The rollout gate on logged exploration: estimates, off-policy from the job's logged feedback, the margin
 * per request of the candidate model (target {@code model:CANDIDATE}: its curve on each decision's logged
 * model input, greedy over the logged candidates, no posterior correction) and of the current policy
 * (target {@code greedy}: the logged policy without exploration, i.e. the running model with the
 * posterior correction it has learned). The current policy is taken as it runs rather than as
 * {@code model:CURRENT}: a candidate starts without a posterior correction, so the question is whether it
 * beats what shoppers get today, learning included; and greedy needs no model input.
 *
 * <p>Refused when the candidate's doubly robust lower bound is below the current policy's doubly robust
 * estimate by more than {@code tolerance} (a share of the current estimate): a non-inferiority test, so
 * a log too small to tell is a refusal too. Skipped, and said so, without logged exploration: no log
 * given, no randomized outcome in it, or no logged model input to score the candidate on.
 */
public final class OffPolicyGate {

    /** {@code tolerance}: how far below the current estimate the candidate's lower bound may sit, as a share of it. */
    public record Settings(double tolerance, OffPolicyEvaluation.Settings evaluation) {
        public static Settings defaults() {
            return new Settings(0.05, OffPolicyEvaluation.Settings.defaults());
        }
    }

    /** What the gate measured; {@code skipped} with the reason when it could not judge. */
    @JsonPropertyOrder({
        "skipped",
        "reason",
        "source",
        "randomized",
        "requests",
        "candidate_policy",
        "candidate_dr",
        "candidate_dr_ci_low",
        "candidate_dr_ci_high",
        "candidate_ess",
        "candidate_clipped",
        "current_policy",
        "current_dr",
        "current_dr_ci_low",
        "current_dr_ci_high",
        "logged_margin",
        "tolerance",
        "confidence"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Figures(
            @JsonProperty("skipped") boolean skipped,
            @JsonProperty("reason") String reason,
            @JsonProperty("source") String source,
            @JsonProperty("randomized") Long randomized,
            @JsonProperty("requests") Long requests,
            @JsonProperty("candidate_policy") String candidatePolicy,
            @JsonProperty("candidate_dr") Double candidateDr,
            @JsonProperty("candidate_dr_ci_low") Double candidateDrCiLow,
            @JsonProperty("candidate_dr_ci_high") Double candidateDrCiHigh,
            @JsonProperty("candidate_ess") Double candidateEss,
            @JsonProperty("candidate_clipped") Long candidateClipped,
            @JsonProperty("current_policy") String currentPolicy,
            @JsonProperty("current_dr") Double currentDr,
            @JsonProperty("current_dr_ci_low") Double currentDrCiLow,
            @JsonProperty("current_dr_ci_high") Double currentDrCiHigh,
            @JsonProperty("logged_margin") Double loggedMargin,
            @JsonProperty("tolerance") Double tolerance,
            @JsonProperty("confidence") Double confidence) {

        static Figures skipped(String reason, String source, Long randomized) {
            return new Figures(
                    true,
                    reason,
                    source,
                    randomized,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }
    }

    /** Where the logged feedback comes from; read at every check. */
    public interface Source {
        LoggedFeedback read() throws Exception;

        String describe();
    }

    private final Source source;
    private final Path modelRoot;
    private final Settings settings;
    /** The log the check in progress judges on. */
    private LoggedFeedback lastRead;

    private OffPolicyGate(Source source, Path modelRoot, Settings settings) {
        this.source = source;
        this.modelRoot = modelRoot;
        this.settings = settings;
    }

    /**
     * Logged feedback from files ({@code feedbackLog}, {@code featuresLog}) or from topics on
     * {@code bootstrap}; the features are optional (null or blank: none) and only those of randomized
     * decisions are kept.
     */
    public static Source loggedFeedback(
            PricingConfig config,
            String bootstrap,
            String feedbackLog,
            String feedbackTopic,
            String featuresLog,
            String featuresTopic) {
        return new Source() {
            @Override
            public LoggedFeedback read() throws Exception {
                List<FeedbackOutcome> outcomes = feedbackLog != null
                        ? LoggedFeedback.readOutcomes(Path.of(feedbackLog))
                        : LoggedFeedback.outcomesFromTopic(bootstrap, config, feedbackTopic);
                Set<String> wanted = LoggedFeedback.randomizedDecisionIds(outcomes);
                Map<String, DecisionFeatures> features = featuresLog != null
                        ? LoggedFeedback.readFeatures(Path.of(featuresLog), wanted::contains)
                        : featuresTopic != null && !featuresTopic.isBlank()
                                ? LoggedFeedback.featuresFromTopic(bootstrap, config, featuresTopic, wanted::contains)
                                : Map.of();
                return new LoggedFeedback(outcomes, features);
            }

            @Override
            public String describe() {
                return feedbackLog != null ? feedbackLog : bootstrap + "/" + feedbackTopic;
            }
        };
    }

    /** No logged feedback: every check is skipped. */
    public static OffPolicyGate none() {
        return new OffPolicyGate(null, null, Settings.defaults());
    }

    public static OffPolicyGate of(Source source, Path modelRoot, Settings settings) {
        return new OffPolicyGate(source, modelRoot, settings);
    }

    /** Judges {@code candidate} (scored with its model files) and adds a refusal to {@code problems}. */
    public Figures check(String candidate, List<String> problems) {
        if (source == null) {
            return Figures.skipped(
                    "no logged feedback given (--feedback-log FILE or --feedback-topic TOPIC)", null, null);
        }
        return check(
                // Called once the log has been read.
                version -> ModelTarget.score(modelRoot, version, lastRead.outcomes(), lastRead.features()),
                candidate,
                problems);
    }

    /** Judges the target {@code models} makes of {@code candidate}; the model-free part, for tests. */
    Figures check(Function<String, TargetPolicy> models, String candidate, List<String> problems) {
        LoggedFeedback l;
        try {
            l = log();
            lastRead = l;
        } catch (Exception e) {
            problems.add("cannot read the logged feedback from " + source.describe() + ": " + e.getMessage());
            return Figures.skipped("the logged feedback could not be read", source.describe(), null);
        }
        long randomized = l.randomized();
        if (randomized == 0) {
            return Figures.skipped(
                    "no randomized outcome among the " + l.outcomes().size()
                            + " logged (no exploration: pricing.exploration off, or every decision a holdout, "
                            + "stable quote or fallback)",
                    source.describe(),
                    0L);
        }
        OffPolicyEvaluation.Result cand =
                OffPolicyEvaluation.evaluate(l.outcomes(), models.apply(candidate), settings.evaluation());
        if (cand.requests() == 0) {
            return Figures.skipped(
                    "no logged model input to score " + candidate + " on for the " + randomized
                            + " randomized outcomes (decision features not given, or of another feature spec)",
                    source.describe(),
                    randomized);
        }
        OffPolicyEvaluation.Result cur =
                OffPolicyEvaluation.evaluate(l.outcomes(), TargetPolicy.greedy(), settings.evaluation());
        Figures figures = new Figures(
                false,
                null,
                source.describe(),
                randomized,
                cand.requests(),
                cand.policy(),
                cand.dr(),
                cand.drCiLow(),
                cand.drCiHigh(),
                cand.ess(),
                cand.clipped(),
                cur.policy(),
                cur.dr(),
                cur.drCiLow(),
                cur.drCiHigh(),
                cur.margin().logged(),
                settings.tolerance(),
                settings.evaluation().confidence());
        if (cur.dr() == null || cand.drCiLow() == null) {
            return figures;
        }
        double threshold = cur.dr() - settings.tolerance() * Math.abs(cur.dr());
        if (cand.drCiLow() < threshold) {
            problems.add(String.format(
                    "off-policy estimate on %d logged randomized requests: the candidate's margin per request is "
                            + "%.4f (%.0f%% interval %.4f to %.4f), the current policy's (greedy) %.4f; the lower "
                            + "bound %.4f is below %.4f (the current estimate less %.1f%%)",
                    cand.requests(),
                    cand.dr(),
                    100 * settings.evaluation().confidence(),
                    cand.drCiLow(),
                    cand.drCiHigh(),
                    cur.dr(),
                    cand.drCiLow(),
                    threshold,
                    100 * settings.tolerance()));
        }
        return figures;
    }

    /**
     * Read afresh for every check: a gate lives as long as the rollout tool (the learning loop keeps one
     * across rounds), and the log grows; a check must judge on what is logged now.
     */
    private LoggedFeedback log() throws Exception {
        return source.read();
    }
}
