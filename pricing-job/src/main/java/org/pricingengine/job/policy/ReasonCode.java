package org.pricingengine.job.policy;

import java.util.List;
import org.pricingengine.job.scoring.ScoringFailure;

/**
 * Why a price is what it is; a decision carries one or more, the fallback reason first. The constant's
 * name is the code on the decisions topic and in kept decisions: renaming one changes the published
 * contract.
 */
public enum ReasonCode {
    MODEL_OPTIMUM,
    THOMPSON_DRAW,
    UNIFORM_EXPLORATION,
    HOLDOUT_LIST_PRICE,
    OBJECTIVE_MARGIN,
    OBJECTIVE_REVENUE,
    DISCOUNTED,
    AT_LIST_PRICE,
    STABLE_QUOTE,
    COST_ABOVE_LIST_PRICE,
    /** Stock covers less than stock.low-cover of expected demand: the discount is held back. */
    LOW_STOCK,
    /** Stock covers more than stock.high-cover of expected demand: a deeper clearance discount is allowed. */
    OVERSTOCK,
    /** The lowest live competitor price set the ceiling and the price is at it. */
    COMPETITOR_BOUND,
    /** The competitor ceiling lay below the job's own floor, which was quoted instead. */
    COMPETITOR_BELOW_FLOOR,
    /** The item's fairness band this window bounds the price. */
    FAIRNESS_BAND,

    FALLBACK_MODEL_ERROR,
    FALLBACK_MODEL_TIMEOUT,
    FALLBACK_INVALID_MODEL_OUTPUT,
    FALLBACK_UNKNOWN_ITEM,
    FALLBACK_CIRCUIT_OPEN;

    /** The code as published. */
    public String code() {
        return name();
    }

    /** Whether the price is the fallback (list price in the guardrails) rather than the model's. */
    public boolean isFallback() {
        return name().startsWith("FALLBACK_");
    }

    /** @throws IllegalArgumentException for a code this job does not know */
    public static ReasonCode ofCode(String code) {
        return valueOf(code);
    }

    /** The fallback reason for a request scoring could not give a demand curve. */
    public static ReasonCode fallbackFor(ScoringFailure failure) {
        return switch (failure) {
            case UNKNOWN_ITEM -> FALLBACK_UNKNOWN_ITEM;
            case CIRCUIT_OPEN -> FALLBACK_CIRCUIT_OPEN;
            case MODEL_ERROR -> FALLBACK_MODEL_ERROR;
            case MODEL_TIMEOUT -> FALLBACK_MODEL_TIMEOUT;
        };
    }

    static List<String> codes(List<ReasonCode> reasons) {
        return reasons.stream().map(ReasonCode::code).toList();
    }
}
