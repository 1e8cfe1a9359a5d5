package org.pricingengine.job.policy;

import org.pricingengine.job.config.PricingConfig;

import java.io.Serializable;

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
        String disclosureText) implements Serializable {

    public static PolicySettings from(PricingConfig c) {
        return new PolicySettings(
                c.getString(PricingConfig.OBJECTIVE).equals("margin"),
                c.getDouble(PricingConfig.COST_RATIO),
                c.getDouble(PricingConfig.MIN_MARGIN),
                c.getDouble(PricingConfig.MAX_DISCOUNT),
                c.getDouble(PricingConfig.MAX_MARKUP),
                c.getInt(PricingConfig.PRICE_GRID_POINTS),
                c.getDouble(PricingConfig.ROUNDING_UNIT),
                c.getDuration(PricingConfig.QUOTE_TTL).toMillis(),
                c.getDouble(PricingConfig.MAX_CHANGE),
                c.getDuration(PricingConfig.CHANGE_MEMORY).toMillis(),
                c.getString(PricingConfig.DISCLOSURE_TEXT));
    }
}
