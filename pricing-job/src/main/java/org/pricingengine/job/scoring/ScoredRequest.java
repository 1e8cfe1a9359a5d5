package org.pricingengine.job.scoring;

import org.pricingengine.features.flink.EnrichedRequest;

/**
 * A request after the model: its demand curve, or the reason there is none ({@code failure}).
 * {@code historyEvents} is how many of the user's earlier events the model saw.
 */
public record ScoredRequest(
        EnrichedRequest enriched,
        double baseLogit,
        double priceSensitivity,
        String modelVersion,
        String arm,
        ScoringFailure failure,
        int historyEvents) {

    public static ScoredRequest scored(
            EnrichedRequest r, DemandEstimate e, String modelVersion, String arm, int historyEvents) {
        return new ScoredRequest(r, e.baseLogit(), e.priceSensitivity(), modelVersion, arm, null, historyEvents);
    }

    public static ScoredRequest failed(
            EnrichedRequest r, ScoringFailure failure, String modelVersion, String arm, int historyEvents) {
        return new ScoredRequest(r, Double.NaN, Double.NaN, modelVersion, arm, failure, historyEvents);
    }

    public DemandEstimate estimate() {
        return failure == null ? new DemandEstimate(baseLogit, priceSensitivity) : null;
    }
}
