package org.pricingengine.job.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;

/**
 * Reusable native-order input buffers and output arrays for up to {@code capacity} requests, so
 * the hot path fills memory instead of allocating it. Not thread-safe: one per scoring thread.
 */
public final class ScoringBatch {
    final int capacity;
    final FloatBuffer sequence;
    final FloatBuffer paddingMask;
    final FloatBuffer context;
    final float[] baseLogit;
    final float[] priceSensitivity;
    int size;

    public ScoringBatch(int capacity) {
        this.capacity = capacity;
        this.sequence = direct(capacity * FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM);
        this.paddingMask = direct(capacity * FeatureSpec.SEQUENCE_LENGTH);
        this.context = direct(capacity * FeatureSpec.CONTEXT_DIM);
        this.baseLogit = new float[capacity];
        this.priceSensitivity = new float[capacity];
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    public void clear() {
        size = 0;
        sequence.clear();
        paddingMask.clear();
        context.clear();
    }

    /** Adds one request; the context is normalised with the model's statistics on the way in. */
    public void add(FeatureVector features, float[] contextMean, float[] contextStd) {
        if (size == capacity) {
            throw new IllegalStateException("scoring batch is full (" + capacity + ")");
        }
        sequence.put(features.sequence());
        paddingMask.put(features.paddingMask());
        float[] raw = features.contextRaw();
        for (int i = 0; i < raw.length; i++) {
            context.put((raw[i] - contextMean[i]) / contextStd[i]);
        }
        size++;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    public float baseLogit(int i) {
        return baseLogit[i];
    }

    public float priceSensitivity(int i) {
        return priceSensitivity[i];
    }
}
