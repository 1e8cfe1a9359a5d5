package org.pricingengine.job.policy;

import java.util.ArrayList;
import java.util.List;
import org.pricingengine.job.policy.ItemRules.StockPosition;

/**
 * The interval a price must lie in, and which guardrail sets each end. Floor and ceiling are already
 * on the rounding grid, so a rounded price inside them stays inside them.
 *
 * @param stock      the item's stock position the bounds were made with
 * @param competitor the competitor price that set the ceiling (or was refused by the floor); null: none did
 * @param fairness   the item's fairness band this window, before the other bounds; null: no fairness floor
 */
public record PriceBounds(
        double floor,
        double ceiling,
        Guardrail floorGuardrail,
        Guardrail ceilingGuardrail,
        boolean costAboveList,
        StockPosition stock,
        CompetitorBound competitor,
        FairnessBand fairness) {

    public PriceBounds(
            double floor, double ceiling, Guardrail floorGuardrail, Guardrail ceilingGuardrail, boolean costAboveList) {
        this(floor, ceiling, floorGuardrail, ceilingGuardrail, costAboveList, StockPosition.NONE, null, null);
    }

    public boolean contains(double price) {
        return price >= floor - 1e-9 && price <= ceiling + 1e-9;
    }

    public double clamp(double price) {
        return Math.max(floor, Math.min(ceiling, price));
    }

    /** Guardrails that are binding at this price. */
    public List<Guardrail> bindingAt(double price) {
        List<Guardrail> binding = new ArrayList<>(2);
        if (Math.abs(price - floor) < 1e-9 && floor < ceiling) {
            binding.add(floorGuardrail);
        }
        if (Math.abs(price - ceiling) < 1e-9) {
            binding.add(ceilingGuardrail);
        }
        return binding;
    }

    /** The same bounds narrowed to another interval (the change limit), keeping what they were made with. */
    PriceBounds narrowed(
            double newFloor, double newCeiling, Guardrail newFloorGuardrail, Guardrail newCeilingGuardrail) {
        return new PriceBounds(
                newFloor,
                newCeiling,
                newFloorGuardrail,
                newCeilingGuardrail,
                costAboveList,
                stock,
                competitor,
                fairness);
    }

    /**
     * The prices every shopper's quote for an item lies in while its fairness window is open.
     *
     * @param windowStartMs when the window opened
     */
    public record FairnessBand(double floor, double top, long windowStartMs) {}
}
