package org.pricingengine.job.scoring;

import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.flink.EnrichedRequest;

/**
 * A request after the model: its demand curve, or the reason there is none ({@code failure}).
 * {@code historyEvents} is how many of the user's earlier events the model saw; {@code features} the model
 * input (null where the request was not scorable).
 */
public record ScoredRequest(
        EnrichedRequest enriched,
        double baseLogit,
        double priceSensitivity,
        String modelVersion,
        String arm,
        ScoringFailure failure,
        int historyEvents,
        FeatureVector features) {

    public static ScoredRequest scored(
            EnrichedRequest r, DemandEstimate e, String modelVersion, String arm, int historyEvents) {
        return new ScoredRequest(r, e.baseLogit(), e.priceSensitivity(), modelVersion, arm, null, historyEvents, null);
    }

    public static ScoredRequest failed(
            EnrichedRequest r, ScoringFailure failure, String modelVersion, String arm, int historyEvents) {
        return new ScoredRequest(r, Double.NaN, Double.NaN, modelVersion, arm, failure, historyEvents, null);
    }

    /** The same request with the model input it was scored from (segments and the feature log need it). */
    public ScoredRequest withFeatures(FeatureVector vector) {
        return new ScoredRequest(
                enriched, baseLogit, priceSensitivity, modelVersion, arm, failure, historyEvents, vector);
    }

    public DemandEstimate estimate() {
        return failure == null ? new DemandEstimate(baseLogit, priceSensitivity) : null;
    }
}
