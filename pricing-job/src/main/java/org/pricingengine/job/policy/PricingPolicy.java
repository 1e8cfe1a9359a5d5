package org.pricingengine.job.policy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoringFailure;

/**
 * Chooses a price from the model's demand curve, inside guardrails that hold whatever the model says.
 *
 * <p>Bounds: floor = max(unit cost x (1 + min margin), list price x (1 - max discount)); ceiling = list
 * price x (1 + max markup). If the user was quoted for this item recently, the new price also stays
 * within max-change of that quote (when that interval meets the bounds). Both ends are snapped inward
 * onto the rounding grid.
 *
 * <p>Choice: the demand curve P(p) = sigmoid(a - b ln(p / list)) is evaluated at evenly spaced candidate
 * prices between floor and ceiling, and the price with the highest expected margin (p - cost) P(p)
 * (or revenue p P(p)) is taken, then rounded to the grid. Without a usable curve (model error,
 * timeout, NaN or absurd outputs) the fallback is the list price clamped into the bounds.
 */
public final class PricingPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PolicySettings settings;

    public PricingPolicy(PolicySettings settings) {
        this.settings = settings;
    }

    public PolicySettings settings() {
        return settings;
    }

    public double unitCost(ItemSnapshot item) {
        Double cost = item.unitCost();
        return cost != null ? cost : item.listPrice() * settings.costRatio();
    }

    /** @param previousPrice the user's previous quote for the item still inside change memory, or null */
    public PriceBounds bounds(ItemSnapshot item, Double previousPrice) {
        double list = item.listPrice();
        double cost = unitCost(item);
        double marginFloor = cost * (1 + settings.minMargin());
        double discountFloor = list * (1 - settings.maxDiscount());
        double floor = Math.max(marginFloor, discountFloor);
        Guardrail floorGuardrail =
                marginFloor >= discountFloor ? Guardrail.FLOOR_MIN_MARGIN : Guardrail.FLOOR_MAX_DISCOUNT;
        double ceiling = list * (1 + settings.maxMarkup());
        Guardrail ceilingGuardrail = Guardrail.CEILING_LIST_PRICE;
        boolean costAboveList = floor > ceiling;
        if (costAboveList) {
            // Selling below the margin floor is the lesser evil than quoting above list price.
            floor = ceiling;
        }
        double[] hard = snapInward(floor, ceiling);
        floor = hard[0];
        ceiling = hard[1];
        if (previousPrice != null && settings.maxChange() > 0 && !costAboveList) {
            // The change limit narrows the hard bounds when the two overlap on the rounding grid;
            // otherwise the hard guardrails win.
            double[] limited = snapInward(
                    Math.max(floor, previousPrice * (1 - settings.maxChange())),
                    Math.min(ceiling, previousPrice * (1 + settings.maxChange())));
            if (limited[0] <= limited[1] && limited[0] >= floor && limited[1] <= ceiling) {
                if (limited[0] > floor) {
                    floorGuardrail = Guardrail.CHANGE_LIMIT;
                }
                if (limited[1] < ceiling) {
                    ceilingGuardrail = Guardrail.CHANGE_LIMIT;
                }
                floor = limited[0];
                ceiling = limited[1];
            }
        }
        return new PriceBounds(floor, ceiling, floorGuardrail, ceilingGuardrail, costAboveList);
    }

    /** Moves both ends onto the rounding grid, inward; an interval narrower than a step keeps its exact ends. */
    private double[] snapInward(double floor, double ceiling) {
        double unit = settings.roundingUnit();
        double snappedFloor = roundCents(Math.ceil(floor / unit - 1e-9) * unit);
        double snappedCeiling = roundCents(Math.floor(ceiling / unit + 1e-9) * unit);
        if (snappedFloor <= snappedCeiling) {
            return new double[] {snappedFloor, snappedCeiling};
        }
        return new double[] {roundCents(floor), Math.max(roundCents(floor), roundCents(ceiling))};
    }

    /**
     * @param failure       why scoring gave no demand curve, or null
     * @param previousPrice the user's previous quote for the item still inside change memory, or null
     */
    public PriceQuote decide(ItemSnapshot item, DemandEstimate estimate, ScoringFailure failure, Double previousPrice) {
        PriceBounds bounds = bounds(item, previousPrice);
        List<ReasonCode> reasons = new ArrayList<>(4);
        if (bounds.costAboveList()) {
            reasons.add(ReasonCode.COST_ABOVE_LIST_PRICE);
        }
        if (failure != null || estimate == null || !estimate.isUsable()) {
            reasons.add(
                    0, failure != null ? ReasonCode.fallbackFor(failure) : ReasonCode.FALLBACK_INVALID_MODEL_OUTPUT);
            double price = bounds.clamp(item.listPrice());
            return new PriceQuote(price, null, reasons, bounds.bindingAt(price), true, bounds);
        }
        double cost = unitCost(item);
        double list = item.listPrice();
        double best = bounds.ceiling();
        double bestValue = Double.NEGATIVE_INFINITY;
        int points = settings.gridPoints();
        for (int i = 0; i < points; i++) {
            double p = bounds.floor() + (bounds.ceiling() - bounds.floor()) * i / (points - 1);
            double value = objective(p, cost, estimate.conversionAt(p, list));
            // Ties go to the higher price: never discount for nothing.
            if (value > bestValue + 1e-12 || (Math.abs(value - bestValue) <= 1e-12 && p > best)) {
                bestValue = value;
                best = p;
            }
        }
        double price = bounds.clamp(round(best));
        reasons.add(ReasonCode.MODEL_OPTIMUM);
        reasons.add(settings.maximiseMargin() ? ReasonCode.OBJECTIVE_MARGIN : ReasonCode.OBJECTIVE_REVENUE);
        reasons.add(price < list - 1e-9 ? ReasonCode.DISCOUNTED : ReasonCode.AT_LIST_PRICE);
        return new PriceQuote(
                price, estimate.conversionAt(price, list), reasons, bounds.bindingAt(price), false, bounds);
    }

    private double objective(double price, double cost, double conversion) {
        return (settings.maximiseMargin() ? price - cost : price) * conversion;
    }

    private double round(double price) {
        return roundCents(Math.round(price / settings.roundingUnit()) * settings.roundingUnit());
    }

    /** Removes binary floating-point noise (19.990000000000002) from money amounts. */
    static double roundCents(double amount) {
        return Math.round(amount * 1e6) / 1e6;
    }
}
