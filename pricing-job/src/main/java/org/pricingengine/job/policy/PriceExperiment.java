package org.pricingengine.job.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What a learner and an off-policy evaluator need to know about how one price was chosen: the policy,
 * the candidate prices it chose among (already inside the guardrails), the probability it gave each,
 * the chosen one and its propensity, and the demand curve it used. Decisions carry it, and the feedback
 * outcome of a decision carries it on.
 *
 * <p>The curve behind a model price is {@code P(p) = sigmoid(base_logit + level - (model_sensitivity +
 * shift) ln(p / list))}, where (level, shift) is the request's posterior correction of the model (its
 * segment's level, the shift at its {@code traits}, see {@link PriceTraits}):
 * {@code posterior_mean} and {@code posterior_sd} as they were when the price was chosen, and
 * {@code posterior_draw} the Thompson draw that chose it. {@code randomized} is false where the price
 * could not have been another one (one candidate, a stable quote, the holdout, a fallback): such records
 * have propensity 1 and teach nothing about price response.
 *
 * <p>{@code features_logged}: the model input of this decision is on the decision-features topic, keyed
 * by decision id ({@link DecisionFeatures}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "policy_id",
    "group",
    "segment",
    "candidates",
    "probabilities",
    "chosen",
    "propensity",
    "randomized",
    "uniform_pick",
    "floor",
    "ceiling",
    "base_logit",
    "model_sensitivity",
    "posterior_mean",
    "posterior_sd",
    "posterior_draw",
    "posterior_observations",
    "traits",
    "feature_spec",
    "features_logged"
})
public record PriceExperiment(
        @JsonProperty("policy_id") String policyId,
        @JsonProperty("group") String group,
        @JsonProperty("segment") String segment,
        @JsonProperty("candidates") double[] candidates,
        @JsonProperty("probabilities") double[] probabilities,
        @JsonProperty("chosen") int chosen,
        @JsonProperty("propensity") double propensity,
        @JsonProperty("randomized") boolean randomized,
        @JsonProperty("uniform_pick") boolean uniformPick,
        @JsonProperty("floor") double floor,
        @JsonProperty("ceiling") double ceiling,
        @JsonProperty("base_logit") Double baseLogit,
        @JsonProperty("model_sensitivity") Double modelSensitivity,
        @JsonProperty("posterior_mean") double[] posteriorMean,
        @JsonProperty("posterior_sd") double[] posteriorSd,
        @JsonProperty("posterior_draw") double[] posteriorDraw,
        @JsonProperty("posterior_observations") long posteriorObservations,
        @JsonProperty("feature_spec") String featureSpec,
        @JsonProperty("features_logged") boolean featuresLogged,
        @JsonProperty("traits") double[] traits) {

    /** Without the request's traits: what records written before traits were logged read as. */
    public PriceExperiment(
            String policyId,
            String group,
            String segment,
            double[] candidates,
            double[] probabilities,
            int chosen,
            double propensity,
            boolean randomized,
            boolean uniformPick,
            double floor,
            double ceiling,
            Double baseLogit,
            Double modelSensitivity,
            double[] posteriorMean,
            double[] posteriorSd,
            double[] posteriorDraw,
            long posteriorObservations,
            String featureSpec,
            boolean featuresLogged) {
        this(
                policyId,
                group,
                segment,
                candidates,
                probabilities,
                chosen,
                propensity,
                randomized,
                uniformPick,
                floor,
                ceiling,
                baseLogit,
                modelSensitivity,
                posteriorMean,
                posteriorSd,
                posteriorDraw,
                posteriorObservations,
                featureSpec,
                featuresLogged,
                null);
    }

    /** Decisions of the permanent holdout: always the list price, inside the guardrails. */
    public static final String HOLDOUT = "holdout";
    /** Decisions of everyone else: the learning policy. */
    public static final String POLICY = "policy";

    /**
     * The policy's expected ln(price / list) for this request: the candidates' log price ratios weighted
     * by their probabilities. What the learner centers the quoted price on.
     */
    public double expectedLogPriceRatio(double listPrice) {
        double expected = 0;
        for (int k = 0; k < candidates.length; k++) {
            expected += probabilities[k] * Math.log(candidates[k] / listPrice);
        }
        return expected;
    }

    /** The conversion probability the logged curve gives at {@code price}; NaN without a model curve. */
    public double conversionAt(double price, double listPrice) {
        if (baseLogit == null || modelSensitivity == null || posteriorMean == null) {
            return Double.NaN;
        }
        double z = baseLogit + posteriorMean[0] - (modelSensitivity + posteriorMean[1]) * Math.log(price / listPrice);
        return 1.0 / (1.0 + Math.exp(-z));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PriceExperiment e
                && java.util.Objects.equals(policyId, e.policyId)
                && java.util.Objects.equals(group, e.group)
                && java.util.Objects.equals(segment, e.segment)
                && java.util.Arrays.equals(candidates, e.candidates)
                && java.util.Arrays.equals(probabilities, e.probabilities)
                && chosen == e.chosen
                && propensity == e.propensity
                && randomized == e.randomized
                && uniformPick == e.uniformPick
                && floor == e.floor
                && ceiling == e.ceiling
                && java.util.Objects.equals(baseLogit, e.baseLogit)
                && java.util.Objects.equals(modelSensitivity, e.modelSensitivity)
                && java.util.Arrays.equals(posteriorMean, e.posteriorMean)
                && java.util.Arrays.equals(posteriorSd, e.posteriorSd)
                && java.util.Arrays.equals(posteriorDraw, e.posteriorDraw)
                && posteriorObservations == e.posteriorObservations
                && java.util.Objects.equals(featureSpec, e.featureSpec)
                && featuresLogged == e.featuresLogged
                && java.util.Arrays.equals(traits, e.traits);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(policyId, segment, chosen, propensity, java.util.Arrays.hashCode(candidates));
    }
}
