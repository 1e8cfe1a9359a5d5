package org.pricingengine.features;

/**
 * Model input for one price request, laid out as in model-assets/CONTRACT.md: the sequence is
 * row-major [SEQUENCE_LENGTH][TOKEN_DIM], the context is raw (the scorer normalises it with the
 * model's own statistics, so one feature vector can be scored by any model of this spec).
 */
public record FeatureVector(float[] sequence, float[] paddingMask, float[] contextRaw) {
    public FeatureVector {
        if (sequence.length != FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM
                || paddingMask.length != FeatureSpec.SEQUENCE_LENGTH
                || contextRaw.length != FeatureSpec.CONTEXT_DIM) {
            throw new IllegalArgumentException("feature vector does not match spec " + FeatureSpec.VERSION);
        }
    }

    /** How many positions hold real events (the rest is padding). */
    public int eventCount() {
        int n = 0;
        for (float m : paddingMask) {
            if (m == 0f) {
                n++;
            }
        }
        return n;
    }
}
