package org.pricingengine.job.policy;

import org.pricingengine.job.scoring.ScoredRequest;

/**
 * A scored request with its learning segment, its price-response traits and what the job has learned
 * about requests like it for the model that scored it ({@code posterior} null: nothing yet, the policy
 * uses the prior).
 */
public record PricingRequest(ScoredRequest scored, String segment, double[] traits, SegmentPosterior posterior) {

    /** Without learned posteriors (learning off, tests): the segment and traits only. */
    public static PricingRequest of(ScoredRequest scored, double[] segmentPriceBands) {
        return new PricingRequest(
                scored, segmentOf(scored, segmentPriceBands), traitsOf(scored, segmentPriceBands), null);
    }

    static String segmentOf(ScoredRequest scored, double[] segmentPriceBands) {
        var item = scored.enriched().item();
        return item == null ? null : PriceSegments.of(segmentPriceBands, item, scored.features());
    }

    static double[] traitsOf(ScoredRequest scored, double[] segmentPriceBands) {
        var item = scored.enriched().item();
        return item == null
                ? null
                : PriceTraits.of(item.listPrice(), scored.features(), PriceTraits.referencePrice(segmentPriceBands));
    }
}
