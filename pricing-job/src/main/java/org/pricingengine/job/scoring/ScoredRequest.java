package org.pricingengine.job.scoring;

import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.flink.EnrichedRequest;

/**
 * A request after the model: its demand curve, or the reason there is none ({@code failure}).
 * {@code historyEvents} is how many of the user's earlier events the model saw; {@code features} the model
 * input (null where the request was not scorable); {@code exploration} the policy's randomization the serving
 * control set when the request was scored (null: as the job was started).
 */
public record ScoredRequest(
        EnrichedRequest enriched,
        double baseLogit,
        double priceSensitivity,
        String modelVersion,
        String arm,
        ScoringFailure failure,
        int historyEvents,
        FeatureVector features,
        ServingControl.Exploration exploration) {

    public static ScoredRequest scored(
            EnrichedRequest r, DemandEstimate e, String modelVersion, String arm, int historyEvents) {
        return new ScoredRequest(
                r, e.baseLogit(), e.priceSensitivity(), modelVersion, arm, null, historyEvents, null, null);
    }

    public static ScoredRequest failed(
            EnrichedRequest r, ScoringFailure failure, String modelVersion, String arm, int historyEvents) {
        return new ScoredRequest(r, Double.NaN, Double.NaN, modelVersion, arm, failure, historyEvents, null, null);
    }

    /** The same request with the model input it was scored from (segments and the feature log need it). */
    public ScoredRequest withFeatures(FeatureVector vector) {
        return new ScoredRequest(
                enriched, baseLogit, priceSensitivity, modelVersion, arm, failure, historyEvents, vector, exploration);
    }

    /** The same request priced with the exploration a serving control record set (null: as configured). */
    public ScoredRequest withExploration(ServingControl.Exploration settings) {
        return new ScoredRequest(
                enriched, baseLogit, priceSensitivity, modelVersion, arm, failure, historyEvents, features, settings);
    }

    public DemandEstimate estimate() {
        return failure == null ? new DemandEstimate(baseLogit, priceSensitivity) : null;
    }
}
