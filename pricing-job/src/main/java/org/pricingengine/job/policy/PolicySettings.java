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
        double[] priceLadder,
        double roundingUnit,
        long quoteTtlMs,
        double maxChange,
        long changeMemoryMs,
        String disclosureText,
        String policyId,
        boolean thompson,
        double uniformShare,
        double holdoutShare,
        PriorSettings prior,
        int thompsonDraws,
        double[] segmentPriceBands,
        boolean logFeatures,
        ItemRules itemRules)
        implements Serializable {

    /**
     * The prior of the correction of the model's curve: each segment's level; the shift's shared part
     * (mean and sd), its coefficient on each other trait, and each segment's own deviation.
     */
    public record PriorSettings(double levelSd, double shiftMean, double shiftSd, double traitSd, double segmentShiftSd)
            implements Serializable {}

    public static PolicySettings from(PricingConfig c) {
        return new PolicySettings(
                c.get(PricingConfig.OBJECTIVE) == PricingConfig.Objective.MARGIN,
                c.get(PricingConfig.COST_RATIO),
                c.get(PricingConfig.MIN_MARGIN),
                c.get(PricingConfig.MAX_DISCOUNT),
                c.get(PricingConfig.MAX_MARKUP),
                c.priceLadder(),
                c.get(PricingConfig.ROUNDING_UNIT),
                c.get(PricingConfig.QUOTE_TTL).toMillis(),
                c.get(PricingConfig.MAX_CHANGE),
                c.get(PricingConfig.CHANGE_MEMORY).toMillis(),
                c.get(PricingConfig.DISCLOSURE_TEXT),
                c.get(PricingConfig.POLICY_ID),
                c.get(PricingConfig.EXPLORATION) == PricingConfig.Exploration.THOMPSON,
                c.get(PricingConfig.UNIFORM_SHARE),
                c.get(PricingConfig.HOLDOUT_SHARE),
                new PriorSettings(
                        c.get(PricingConfig.PRIOR_LEVEL_SD),
                        c.get(PricingConfig.PRIOR_SHIFT_MEAN),
                        c.get(PricingConfig.PRIOR_SHIFT_SD),
                        c.get(PricingConfig.PRIOR_TRAIT_SD),
                        c.get(PricingConfig.PRIOR_SEGMENT_SHIFT_SD)),
                c.get(PricingConfig.THOMPSON_DRAWS),
                c.segmentPriceBands(),
                !c.get(PricingConfig.TOPIC_DECISION_FEATURES).isBlank(),
                ItemRules.from(c));
    }

    /** The same settings with the exploration a serving control record asks for. */
    public PolicySettings withExploration(boolean thompsonOn, double uniform, double holdout) {
        return new PolicySettings(
                maximiseMargin,
                costRatio,
                minMargin,
                maxDiscount,
                maxMarkup,
                priceLadder,
                roundingUnit,
                quoteTtlMs,
                maxChange,
                changeMemoryMs,
                disclosureText,
                policyId,
                thompsonOn,
                uniform,
                holdout,
                prior,
                thompsonDraws,
                segmentPriceBands,
                logFeatures,
                itemRules);
    }

    /** The same settings without randomization: the policy's greedy peer (exploration off, no holdout). */
    public PolicySettings withoutExploration() {
        return withExploration(false, 0, 0);
    }
}
