package org.pricingengine.job.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.pricingengine.job.policy.ItemRules.StockPosition;

/**
 * A decision in words a shopper-support agent can repeat: a summary, and the few factors that moved the
 * price, each with its kind ({@link Factor#factor()}: what a support tool groups by) and its sentence.
 * Made from what the policy already decided (reasons, guardrails, bounds, the experiment); it changes no
 * price.
 */
@JsonPropertyOrder({"summary", "factors"})
public record Explanation(
        @JsonProperty("summary") String summary,
        @JsonProperty("factors") List<Factor> factors) {

    /** One thing that moved the price. */
    @JsonPropertyOrder({"factor", "text"})
    public record Factor(
            @JsonProperty("factor") String factor,
            @JsonProperty("text") String text) {}

    /** Kinds of factor. */
    public static final String FALLBACK = "FALLBACK";

    public static final String SEGMENT_SENSITIVITY = "SEGMENT_SENSITIVITY";
    public static final String EXPLORATION = "EXPLORATION";
    public static final String HOLDOUT = "HOLDOUT";
    public static final String STABLE_QUOTE = "STABLE_QUOTE";
    public static final String STOCK = "STOCK";
    public static final String COMPETITOR = "COMPETITOR";
    public static final String FAIRNESS = "FAIRNESS";
    public static final String GUARDRAIL = "GUARDRAIL";

    /**
     * @param price      null: no price (unknown item)
     * @param bounds     the bounds the price was chosen in; null when there were none
     * @param experiment how the price was chosen; null when there was none
     */
    public static Explanation of(
            Double price,
            Double listPrice,
            List<ReasonCode> reasons,
            List<Guardrail> guardrails,
            PriceBounds bounds,
            PriceExperiment experiment) {
        List<Factor> factors = new ArrayList<>(4);
        if (price == null || listPrice == null) {
            factors.add(new Factor(
                    FALLBACK,
                    "The item is not in the catalog yet, so the engine gave no price and the"
                            + " store's own price applies."));
            return new Explanation("No personalized price: the store's own price applies.", factors);
        }
        ReasonCode fallback =
                reasons.stream().filter(ReasonCode::isFallback).findFirst().orElse(null);
        if (fallback != null) {
            factors.add(new Factor(FALLBACK, fallbackText(fallback)));
        } else if (reasons.contains(ReasonCode.OUT_OF_STOCK)) {
            factors.add(new Factor(
                    STOCK,
                    "The item is out of stock, so the regular price is quoted and no"
                            + " personalized price is tried."));
        } else if (reasons.contains(ReasonCode.STABLE_QUOTE)) {
            factors.add(new Factor(
                    STABLE_QUOTE,
                    "The shopper was quoted this price for the item a short while ago;"
                            + " it stays the same so the price does not jump between page views."));
        } else if (reasons.contains(ReasonCode.HOLDOUT_LIST_PRICE)) {
            factors.add(new Factor(
                    HOLDOUT,
                    "The shopper is in the comparison group that always sees the regular"
                            + " price, so the engine can measure what personalized prices add."));
        } else if (experiment != null && experiment.modelSensitivity() != null) {
            factors.add(new Factor(SEGMENT_SENSITIVITY, sensitivityText(experiment, reasons, price, listPrice)));
            if (reasons.contains(ReasonCode.THOMPSON_DRAW) || reasons.contains(ReasonCode.UNIFORM_EXPLORATION)) {
                if (experiment.randomized()) {
                    factors.add(new Factor(
                            EXPLORATION,
                            String.format(
                                    Locale.ROOT,
                                    "This price was one of %d tried by chance (this one with probability %.0f%%) so the engine"
                                            + " keeps learning how shoppers respond to prices.",
                                    experiment.candidates().length,
                                    100 * experiment.propensity())));
                }
            }
        }
        if (bounds != null && !reasons.contains(ReasonCode.OUT_OF_STOCK)) {
            stockFactor(bounds.stock(), reasons).ifPresent(factors::add);
        }
        if (bounds != null) {
            CompetitorBound competitor = bounds.competitor();
            if (competitor != null) {
                factors.add(new Factor(
                        COMPETITOR,
                        competitor.belowFloor()
                                ? String.format(
                                        Locale.ROOT,
                                        "%s sells it for %s, lower than this store's lowest allowed price; the engine does not"
                                                + " follow it below that.",
                                        competitor.competitor(),
                                        money(competitor.price()))
                                : String.format(
                                        Locale.ROOT,
                                        "%s sells it for %s, the lowest competitor price seen; the engine never asks more"
                                                + " than %s for it.",
                                        competitor.competitor(),
                                        money(competitor.price()),
                                        money(competitor.ceiling()))));
            }
            if (guardrails.contains(Guardrail.FAIRNESS_SPREAD) && bounds.fairness() != null) {
                factors.add(new Factor(
                        FAIRNESS,
                        String.format(
                                Locale.ROOT,
                                "Every shopper asking for this item in the same hour is quoted between %s and %s, so prices"
                                        + " for different shoppers stay close together.",
                                money(bounds.fairness().floor()),
                                money(bounds.fairness().top()))));
            }
        }
        for (Guardrail g : guardrails) {
            String text = guardrailText(g);
            if (text != null) {
                factors.add(new Factor(GUARDRAIL, text));
            }
        }
        return new Explanation(summary(price, listPrice, factors), List.copyOf(factors));
    }

    private static String summary(double price, double list, List<Factor> factors) {
        double off = list > 0 ? 1 - price / list : 0;
        String level = Math.abs(off) < 0.005
                ? String.format(Locale.ROOT, "Quoted the regular price, %s.", money(price))
                : off > 0
                        ? String.format(
                                Locale.ROOT,
                                "Quoted %s, %.0f%% below the regular price of %s.",
                                money(price),
                                100 * off,
                                money(list))
                        : String.format(
                                Locale.ROOT,
                                "Quoted %s, %.0f%% above the regular price of %s.",
                                money(price),
                                -100 * off,
                                money(list));
        return factors.isEmpty()
                ? level
                : level + " Main reason: " + lowerFirst(factors.get(0).text());
    }

    private static Optional<Factor> stockFactor(StockPosition stock, List<ReasonCode> reasons) {
        if (stock == null || !(reasons.contains(ReasonCode.LOW_STOCK) || reasons.contains(ReasonCode.OVERSTOCK))) {
            return Optional.empty();
        }
        String cover = stock.coverDays() == null
                ? ""
                : String.format(Locale.ROOT, ", about %.0f days of expected sales", stock.coverDays());
        return Optional.of(new Factor(
                STOCK,
                stock.scarce()
                        ? String.format(
                                Locale.ROOT,
                                "Only %d left in stock%s, so the discount is held back to keep it for shoppers who buy at"
                                        + " the regular price.",
                                stock.inventory(),
                                cover)
                        : String.format(
                                Locale.ROOT,
                                "%d in stock%s, more than the store wants to hold, so a deeper clearance discount is allowed.",
                                stock.inventory(),
                                cover)));
    }

    /**
     * The curve that chose the price, in words: the sensitivity under the posterior draw that picked it
     * (Thompson) or the posterior mean, and what it implies. A uniformly explored price claims nothing: its
     * EXPLORATION factor says why.
     */
    private static String sensitivityText(
            PriceExperiment experiment, List<ReasonCode> reasons, double price, double list) {
        double[] shift = reasons.contains(ReasonCode.THOMPSON_DRAW) && experiment.posteriorDraw() != null
                ? experiment.posteriorDraw()
                : experiment.posteriorMean();
        double sensitivity = experiment.modelSensitivity() + (shift == null ? 0 : shift[1]);
        String segment = experiment.segment() == null ? "" : " (segment " + experiment.segment() + ")";
        String curve = String.format(
                Locale.ROOT,
                "Shoppers like this one%s respond to price with an estimated sensitivity of %.1f: a price 1%% lower"
                        + " raises the chance they buy by about %.1f%%",
                segment,
                sensitivity,
                Math.max(0, sensitivity));
        if (reasons.contains(ReasonCode.UNIFORM_EXPLORATION)) {
            return curve + ".";
        }
        return curve
                + (price < list - 1e-9
                        ? "; at that sensitivity this discount earns more than the regular price."
                        : "; at that sensitivity the regular price earns more than a discount.");
    }

    private static String fallbackText(ReasonCode fallback) {
        return switch (fallback) {
            case FALLBACK_MODEL_TIMEOUT -> "The pricing model did not answer in time, so the regular price applies.";
            case FALLBACK_MODEL_ERROR -> "The pricing model failed on this request, so the regular price applies.";
            case FALLBACK_INVALID_MODEL_OUTPUT ->
                "The pricing model's answer was not usable, so the regular price applies.";
            case FALLBACK_CIRCUIT_OPEN ->
                "The pricing model is paused after repeated failures, so the regular price applies.";
            case FALLBACK_UNKNOWN_ITEM -> "The item is not in the catalog yet, so the regular price applies.";
            default -> "No personalized price could be made, so the regular price applies.";
        };
    }

    /** Words for a guardrail that set the price; null for those another factor already explains. */
    static String guardrailText(Guardrail g) {
        return switch (g) {
            case FLOOR_MIN_MARGIN -> "The price cannot go lower: below it the store would not make its minimum margin.";
            case FLOOR_MAX_DISCOUNT -> "The price cannot go lower: it is the deepest discount the store allows.";
            case CEILING_LIST_PRICE -> "The price is never above the regular price.";
            case CHANGE_LIMIT ->
                "The price moved as far as allowed from what this shopper was quoted earlier for the item.";
            case FLOOR_LOW_STOCK -> "The discount is limited because little stock is left.";
            case COMPETITOR_PRICE -> null;
            case FAIRNESS_SPREAD -> null;
        };
    }

    private static String money(double amount) {
        return String.format(Locale.ROOT, "%.2f", amount);
    }

    private static String lowerFirst(String text) {
        return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
