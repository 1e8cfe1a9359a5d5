package org.pricingengine.tools.market;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What one round of the closed loop found: the {@code loop: {json}} line and {@code loop.json}. Margins
 * are true expected margins per request over the last half of the traffic (see the README, "Closed-loop
 * market"). The {@code ope_*} fields: the off-policy evaluator's doubly robust estimate (90% interval) of
 * {@code ope_policy}, a policy the job did not run, on this round's randomized outcomes, and that policy's
 * true expected margin on the same requests ({@code ope_true}); per randomized request, over the whole round.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
    "world",
    "model_version",
    "round",
    "requests",
    "decisions",
    "decisions_with_experiment",
    "duplicate_decisions",
    "duplicate_mismatches",
    "retries_sent",
    "outcomes",
    "outcomes_with_experiment",
    "decisions_without_outcome",
    "attribution_mismatches",
    "purchases_drawn",
    "purchases_attributed",
    "margin_policy",
    "margin_list",
    "margin_best_uniform",
    "best_uniform_discount",
    "margin_oracle",
    "margin_no_exploration",
    "gap_closed",
    "lift_vs_list",
    "lift_vs_list_ci_low",
    "lift_vs_uniform",
    "lift_vs_uniform_ci_low",
    "exploration_share",
    "exploration_cost",
    "holdout_share",
    "discounted_share",
    "guardrail_violations",
    "ope_dr",
    "ope_ci_low",
    "ope_ci_high",
    "ope_true",
    "ope_policy",
    "ope_requests",
    "ope_ess",
    "elapsed_s"
})
public record LoopResult(
        @JsonProperty("world") String world,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("round") int round,
        @JsonProperty("requests") long requests,
        @JsonProperty("decisions") long decisions,
        @JsonProperty("decisions_with_experiment") long decisionsWithExperiment,
        @JsonProperty("duplicate_decisions") long duplicateDecisions,
        @JsonProperty("duplicate_mismatches") long duplicateMismatches,
        @JsonProperty("retries_sent") long retriesSent,
        @JsonProperty("outcomes") long outcomes,
        @JsonProperty("outcomes_with_experiment") long outcomesWithExperiment,
        @JsonProperty("decisions_without_outcome") long decisionsWithoutOutcome,
        @JsonProperty("attribution_mismatches") long attributionMismatches,
        @JsonProperty("purchases_drawn") long purchasesDrawn,
        @JsonProperty("purchases_attributed") long purchasesAttributed,
        @JsonProperty("margin_policy") double marginPolicy,
        @JsonProperty("margin_list") double marginList,
        @JsonProperty("margin_best_uniform") double marginBestUniform,
        @JsonProperty("best_uniform_discount") double bestUniformDiscount,
        @JsonProperty("margin_oracle") double marginOracle,
        @JsonProperty("margin_no_exploration") double marginNoExploration,
        @JsonProperty("gap_closed") Double gapClosed,
        @JsonProperty("lift_vs_list") double liftVsList,
        @JsonProperty("lift_vs_list_ci_low") double liftVsListCiLow,
        @JsonProperty("lift_vs_uniform") double liftVsUniform,
        @JsonProperty("lift_vs_uniform_ci_low") double liftVsUniformCiLow,
        @JsonProperty("exploration_share") double explorationShare,
        @JsonProperty("exploration_cost") Double explorationCost,
        @JsonProperty("holdout_share") double holdoutShare,
        @JsonProperty("discounted_share") double discountedShare,
        @JsonProperty("guardrail_violations") long guardrailViolations,
        @JsonProperty("ope_dr") Double opeDr,
        @JsonProperty("ope_ci_low") Double opeCiLow,
        @JsonProperty("ope_ci_high") Double opeCiHigh,
        @JsonProperty("ope_true") Double opeTrue,
        @JsonProperty("ope_policy") String opePolicy,
        @JsonProperty("ope_requests") Long opeRequests,
        @JsonProperty("ope_ess") Double opeEss,
        @JsonProperty("elapsed_s") double elapsedS) {

    /** The same result with the off-policy evaluator's figures. */
    public LoopResult withOpe(
            Double dr, Double ciLow, Double ciHigh, Double truth, String policy, Long opeRequests, Double ess) {
        return new LoopResult(
                world,
                modelVersion,
                round,
                requests,
                decisions,
                decisionsWithExperiment,
                duplicateDecisions,
                duplicateMismatches,
                retriesSent,
                outcomes,
                outcomesWithExperiment,
                decisionsWithoutOutcome,
                attributionMismatches,
                purchasesDrawn,
                purchasesAttributed,
                marginPolicy,
                marginList,
                marginBestUniform,
                bestUniformDiscount,
                marginOracle,
                marginNoExploration,
                gapClosed,
                liftVsList,
                liftVsListCiLow,
                liftVsUniform,
                liftVsUniformCiLow,
                explorationShare,
                explorationCost,
                holdoutShare,
                discountedShare,
                guardrailViolations,
                dr,
                ciLow,
                ciHigh,
                truth,
                policy,
                opeRequests,
                ess,
                elapsedS);
    }

    /** True expected margin per request in one tenth of the traffic (by request order). */
    @JsonPropertyOrder({"tenth", "decisions", "policy", "list", "best_uniform", "oracle", "no_exploration"})
    public record Tenth(
            @JsonProperty("tenth") int tenth,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("policy") double policy,
            @JsonProperty("list") double list,
            @JsonProperty("best_uniform") double bestUniform,
            @JsonProperty("oracle") double oracle,
            @JsonProperty("no_exploration") double noExploration) {}

    /**
     * Prices of one segment or group over the last half. {@code best_discount} and {@code
     * margin_best_discount}: the one discount of the uniform grid that would have earned most on this
     * group's requests, in hindsight. {@code true_sensitivity}: the truth's mean price sensitivity on them;
     * {@code learned_sensitivity}: the job's (model sensitivity + the segment's posterior shift as logged),
     * null where no decision logged a curve.
     */
    @JsonPropertyOrder({
        "name",
        "decisions",
        "mean_price_ratio",
        "discounted_share",
        "margin_policy",
        "margin_list",
        "best_discount",
        "margin_best_discount",
        "true_sensitivity",
        "learned_sensitivity"
    })
    public record Group(
            @JsonProperty("name") String name,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("mean_price_ratio") double meanPriceRatio,
            @JsonProperty("discounted_share") double discountedShare,
            @JsonProperty("margin_policy") double marginPolicy,
            @JsonProperty("margin_list") double marginList,
            @JsonProperty("best_discount") double bestDiscount,
            @JsonProperty("margin_best_discount") double marginBestDiscount,
            @JsonProperty("true_sensitivity") double trueSensitivity,
            @JsonProperty("learned_sensitivity") Double learnedSensitivity) {}

    /** Spread of price / list within items (items with at least two priced decisions in the last half). */
    @JsonPropertyOrder({"items", "mean_sd", "p90_sd", "max_sd"})
    public record Dispersion(
            @JsonProperty("items") long items,
            @JsonProperty("mean_sd") double meanSd,
            @JsonProperty("p90_sd") double p90Sd,
            @JsonProperty("max_sd") double maxSd) {}

    /** Guardrail violations by kind, over all decisions. */
    @JsonPropertyOrder({"outside_decision_bounds", "outside_hard_bounds", "holdout_off_list"})
    public record Violations(
            @JsonProperty("outside_decision_bounds") long outsideDecisionBounds,
            @JsonProperty("outside_hard_bounds") long outsideHardBounds,
            @JsonProperty("holdout_off_list") long holdoutOffList) {}

    /** The tables of the report, written next to it as {@code loop-details.json}. */
    @JsonPropertyOrder({"curve", "segments", "groups", "dispersion", "violations", "uniform_margins"})
    public record Details(
            @JsonProperty("curve") List<Tenth> curve,
            @JsonProperty("segments") List<Group> segments,
            @JsonProperty("groups") List<Group> groups,
            @JsonProperty("dispersion") Dispersion dispersion,
            @JsonProperty("violations") Violations violations,
            @JsonProperty("uniform_margins") List<Double> uniformMargins,
            @JsonProperty("margin_best_segment_discounts") double marginBestSegmentDiscounts,
            @JsonProperty("policy_group_lift_vs_uniform") double policyGroupLiftVsUniform,

            @JsonProperty("policy_group_lift_vs_uniform_ci_low")
            double policyGroupLiftVsUniformCiLow) {}
}
