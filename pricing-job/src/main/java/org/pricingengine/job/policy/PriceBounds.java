package org.pricingengine.job.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * The interval a price must lie in, and which guardrail sets each end. Floor and ceiling are already
 * on the rounding grid, so a rounded price inside them stays inside them.
 */
public record PriceBounds(
        double floor, double ceiling, Guardrail floorGuardrail, Guardrail ceilingGuardrail, boolean costAboveList) {

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
}
