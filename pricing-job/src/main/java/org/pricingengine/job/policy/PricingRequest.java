package org.pricingengine.job.policy;

import org.pricingengine.job.scoring.ScoredRequest;

/**
 * A scored request with its learning segment and what the job has learned about that segment for the
 * model that scored it ({@code posterior} null: nothing yet, the policy uses the prior).
 */
public record PricingRequest(ScoredRequest scored, String segment, SegmentPosterior posterior) {

    /** Without learned posteriors (learning off, tests): the segment only. */
    public static PricingRequest of(ScoredRequest scored, double[] segmentPriceBands) {
        return new PricingRequest(scored, segmentOf(scored, segmentPriceBands), null);
    }

    static String segmentOf(ScoredRequest scored, double[] segmentPriceBands) {
        var item = scored.enriched().item();
        return item == null ? null : PriceSegments.of(segmentPriceBands, item, scored.features());
    }

    /** The key of this request's posterior: segment and the model version that scored it. */
    public String posteriorKey() {
        return segment == null ? null : SegmentPosterior.keyOf(scored.modelVersion(), segment);
    }
}
