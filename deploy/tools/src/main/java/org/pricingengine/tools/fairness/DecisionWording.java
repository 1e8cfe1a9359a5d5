package org.pricingengine.tools.fairness;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plain words for every reason code and guardrail a decision can carry, for a shopper-support agent who
 * explains a price to a shopper. Keyed by the code as published (not by the enum constant) so that codes
 * of a newer or older job than this tool still read: a code without words reads as itself.
 * {@code DecisionWordingTest} fails when a constant of {@code ReasonCode} or {@code Guardrail} has none.
 */
public final class DecisionWording {
    private static final Map<String, String> REASONS = new LinkedHashMap<>();
    private static final Map<String, String> GUARDRAILS = new LinkedHashMap<>();
    /** The explanation factor each reason code belongs to. */
    private static final Map<String, String> REASON_FACTORS = new LinkedHashMap<>();

    static {
        reason(
                "MODEL_OPTIMUM",
                "PRICE_MODEL",
                "The price is the one the demand model expects to work best for this item.");
        reason(
                "THOMPSON_DRAW",
                "EXPLORATION",
                "The price comes from one random draw of what the engine has learned about demand; it keeps testing "
                        + "nearby prices while it is still unsure which works best.");
        reason(
                "UNIFORM_EXPLORATION",
                "EXPLORATION",
                "The price was picked at random among the allowed prices, so the engine keeps learning how shoppers "
                        + "respond to each price.");
        reason(
                "HOLDOUT_LIST_PRICE",
                "HOLDOUT",
                "This shopper is in the comparison group that always sees the list price, never a personalized one.");
        reason(
                "OBJECTIVE_MARGIN",
                "PRICE_MODEL",
                "The shop prices for the profit it makes per sale, not for the number of sales.");
        reason("OBJECTIVE_REVENUE", "PRICE_MODEL", "The shop prices for the money taken in from sales.");
        reason("DISCOUNTED", "PRICE_LEVEL", "The price is below the list price.");
        reason("AT_LIST_PRICE", "PRICE_LEVEL", "The price is the list price.");
        reason(
                "STABLE_QUOTE",
                "STABLE_QUOTE",
                "The shopper was shown this price for this item a short while ago, and the same price is shown again "
                        + "so it does not change while they shop.");
        reason(
                "COST_ABOVE_LIST_PRICE",
                "GUARDRAIL",
                "The item costs the shop more than its list price allows for; the list price is kept rather than "
                        + "charging more than list.");
        reason(
                "FALLBACK_MODEL_ERROR",
                "FALLBACK",
                "The pricing model failed for this request, so the shop's standard price was used.");
        reason(
                "FALLBACK_MODEL_TIMEOUT",
                "FALLBACK",
                "The pricing model did not answer in time, so the shop's standard price was used.");
        reason(
                "FALLBACK_INVALID_MODEL_OUTPUT",
                "FALLBACK",
                "The pricing model gave an unusable answer, so the shop's standard price was used.");
        reason(
                "FALLBACK_UNKNOWN_ITEM",
                "FALLBACK",
                "The pricing engine does not know this item yet, so the shop's own price applies.");
        reason(
                "FALLBACK_CIRCUIT_OPEN",
                "FALLBACK",
                "The pricing model was paused after repeated failures, so the shop's standard price was used.");
        reason(
                "LOW_STOCK",
                "STOCK",
                "Few units are left compared with expected demand, so the discount was held back.");
        reason(
                "OVERSTOCK",
                "STOCK",
                "The shop holds more of this item than it expects to sell soon, so a deeper clearance discount was "
                        + "allowed.");
        reason(
                "COMPETITOR_BOUND",
                "COMPETITOR",
                "The lowest competitor price for this item set the highest price the engine may ask, and the price is "
                        + "at it.");
        reason(
                "COMPETITOR_BELOW_FLOOR",
                "COMPETITOR",
                "A competitor sells this item for less than the shop's lowest allowed price; the engine quoted that "
                        + "lowest price instead of following the competitor further down.");
        reason(
                "FAIRNESS_BAND",
                "FAIRNESS",
                "The price was kept inside the band every shopper asking for this item in the same hour is quoted, so "
                        + "prices for different shoppers stay close together.");

        guardrail(
                "FLOOR_MIN_MARGIN",
                "The price is at its lowest allowed level: the shop must keep a minimum margin over the item's cost.");
        guardrail("FLOOR_MAX_DISCOUNT", "The price is at the largest discount the shop allows off the list price.");
        guardrail("CEILING_LIST_PRICE", "The price is at the highest the shop allows relative to the list price.");
        guardrail(
                "CHANGE_LIMIT",
                "The price was kept within a small step of the price this shopper was shown before for this item.");
        guardrail(
                "FLOOR_LOW_STOCK",
                "The price is at its lowest allowed level while stock is low: no deeper discount until more arrives.");
        guardrail("COMPETITOR_PRICE", "The price is capped by a competitor's price for the same item.");
        guardrail(
                "FAIRNESS_SPREAD",
                "The price is limited so that it does not differ too much from what other shoppers see for this item.");
    }

    private DecisionWording() {}

    private static void reason(String code, String factor, String words) {
        REASONS.put(code, words);
        REASON_FACTORS.put(code, factor);
    }

    private static void guardrail(String code, String words) {
        GUARDRAILS.put(code, words);
    }

    /** The words for a reason code; a code without words reads as itself. */
    public static String reason(String code) {
        return REASONS.getOrDefault(code, "Reason code " + code + ".");
    }

    /** The words for a guardrail; a guardrail without words reads as itself. */
    public static String guardrail(String code) {
        return GUARDRAILS.getOrDefault(code, "Guardrail " + code + " bound the price.");
    }

    /** The explanation factor a reason code belongs to (EXPLORATION, FALLBACK, STOCK, ...). */
    public static String factorOf(String reasonCode) {
        return REASON_FACTORS.getOrDefault(reasonCode, "OTHER");
    }

    static boolean hasReason(String code) {
        return REASONS.containsKey(code);
    }

    static boolean hasGuardrail(String code) {
        return GUARDRAILS.containsKey(code);
    }

    static Map<String, String> reasons() {
        return Map.copyOf(REASONS);
    }

    static Map<String, String> guardrails() {
        return Map.copyOf(GUARDRAILS);
    }
}
