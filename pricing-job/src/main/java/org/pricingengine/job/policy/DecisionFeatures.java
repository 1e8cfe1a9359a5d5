package org.pricingengine.job.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.pricingengine.features.FeatureVector;

/**
 * The model input of one decision, as the job computed it (context raw, before the model's
 * normalisation): what retraining from feedback learns from. Topic: decision features, keyed by decision
 * id; written only when that topic is configured, for randomized decisions.
 */
@JsonPropertyOrder({"decision_id", "feature_spec", "model_version", "sequence", "padding_mask", "context"})
public record DecisionFeatures(
        @JsonProperty("decision_id") String decisionId,
        @JsonProperty("feature_spec") String featureSpec,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("sequence") float[] sequence,
        @JsonProperty("padding_mask") float[] paddingMask,
        @JsonProperty("context") float[] context) {

    public static DecisionFeatures of(String decisionId, String featureSpec, String modelVersion, FeatureVector f) {
        return new DecisionFeatures(
                decisionId, featureSpec, modelVersion, f.sequence(), f.paddingMask(), f.contextRaw());
    }

    public FeatureVector vector() {
        return new FeatureVector(sequence, paddingMask, context);
    }
}
