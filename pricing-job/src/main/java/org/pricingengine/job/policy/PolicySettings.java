package org.pricingengine.job.policy;

import java.io.Serializable;
import org.pricingengine.job.config.PricingConfig;

/** The pricing policy's knobs, read once from {@link PricingConfig}. */
public record PolicySettings(
        boolean maximiseMargin,
        double costRatio,
        double minMargin,
        double maxDiscount,
        double maxMarkup,
        int gridPoints,
        double roundingUnit,
        long quoteTtlMs,
        double maxChange,
        long changeMemoryMs,
        String disclosureText)
        implements Serializable {

    public static PolicySettings from(PricingConfig c) {
        return new PolicySettings(
                c.get(PricingConfig.OBJECTIVE) == PricingConfig.Objective.MARGIN,
                c.get(PricingConfig.COST_RATIO),
                c.get(PricingConfig.MIN_MARGIN),
                c.get(PricingConfig.MAX_DISCOUNT),
                c.get(PricingConfig.MAX_MARKUP),
                c.get(PricingConfig.PRICE_GRID_POINTS),
                c.get(PricingConfig.ROUNDING_UNIT),
                c.get(PricingConfig.QUOTE_TTL).toMillis(),
                c.get(PricingConfig.MAX_CHANGE),
                c.get(PricingConfig.CHANGE_MEMORY).toMillis(),
                c.get(PricingConfig.DISCLOSURE_TEXT));
    }
}
