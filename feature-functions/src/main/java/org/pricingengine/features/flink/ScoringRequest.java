package org.pricingengine.features.flink;

import org.pricingengine.features.FeatureVector;

/** A request ready for the model: its features, or null features when it cannot be scored. */
public record ScoringRequest(EnrichedRequest enriched, FeatureVector features) {
    public boolean scorable() {
        return features != null && enriched.item() != null;
    }
}
