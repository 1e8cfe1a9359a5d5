package org.pricingengine.job.policy;

/** The reason codes a decision carries, so consumers can see why a price is what it is. */
public final class ReasonCodes {
    public static final String MODEL_OPTIMUM = "MODEL_OPTIMUM";
    public static final String OBJECTIVE_MARGIN = "OBJECTIVE_MARGIN";
    public static final String OBJECTIVE_REVENUE = "OBJECTIVE_REVENUE";
    public static final String DISCOUNTED = "DISCOUNTED";
    public static final String AT_LIST_PRICE = "AT_LIST_PRICE";
    public static final String STABLE_QUOTE = "STABLE_QUOTE";
    public static final String COST_ABOVE_LIST_PRICE = "COST_ABOVE_LIST_PRICE";

    public static final String FALLBACK_MODEL_ERROR = "FALLBACK_MODEL_ERROR";
    public static final String FALLBACK_MODEL_TIMEOUT = "FALLBACK_MODEL_TIMEOUT";
    public static final String FALLBACK_INVALID_MODEL_OUTPUT = "FALLBACK_INVALID_MODEL_OUTPUT";
    public static final String FALLBACK_UNKNOWN_ITEM = "FALLBACK_UNKNOWN_ITEM";
    public static final String FALLBACK_CIRCUIT_OPEN = "FALLBACK_CIRCUIT_OPEN";

    /** Guardrails that bound a price. */
    public static final String GUARDRAIL_FLOOR_MIN_MARGIN = "FLOOR_MIN_MARGIN";
    public static final String GUARDRAIL_FLOOR_MAX_DISCOUNT = "FLOOR_MAX_DISCOUNT";
    public static final String GUARDRAIL_CEILING = "CEILING_LIST_PRICE";
    public static final String GUARDRAIL_CHANGE_LIMIT = "CHANGE_LIMIT";

    private ReasonCodes() {}
}
