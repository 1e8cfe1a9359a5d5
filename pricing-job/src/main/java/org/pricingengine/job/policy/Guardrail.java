package org.pricingengine.job.policy;

import java.util.List;

/**
 * A guardrail that bounds a price; a decision lists those binding at its price. The constant's name is
 * the code on the decisions topic and in kept decisions: renaming one changes the published contract.
 */
public enum Guardrail {
    /** Floor: unit cost plus the minimum margin. */
    FLOOR_MIN_MARGIN,
    /** Floor: list price less the maximum discount. */
    FLOOR_MAX_DISCOUNT,
    /** Ceiling: list price plus the maximum markup. */
    CEILING_LIST_PRICE,
    /** Either end: at most max-change away from the user's previous quote for the item. */
    CHANGE_LIMIT,
    /** Floor: scarce stock holds the discount back (stock.low-cover). */
    FLOOR_LOW_STOCK,
    /** Ceiling: at most competitor.max-above-lowest above the lowest live competitor price. */
    COMPETITOR_PRICE,
    /** Either end: the item's fairness band this window (fairness.max-spread). */
    FAIRNESS_SPREAD;

    /** The code as published. */
    public String code() {
        return name();
    }

    /** @throws IllegalArgumentException for a code this job does not know */
    public static Guardrail ofCode(String code) {
        return valueOf(code);
    }

    static List<String> codes(List<Guardrail> guardrails) {
        return guardrails.stream().map(Guardrail::code).toList();
    }
}
