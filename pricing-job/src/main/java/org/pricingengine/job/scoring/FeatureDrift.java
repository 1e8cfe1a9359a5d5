package org.pricingengine.job.scoring;

/**
 * How far the live context features have moved from the statistics the model was trained on: per
 * feature, the standardized mean shift (live mean - training mean) / training std over the last
 * complete window of {@code window} scored requests. 0 is the training distribution's centre; a shift of
 * 1 means the live features sit one training standard deviation away, where the model has seen little.
 *
 * <p>Running sums only: {@link #add} allocates nothing; once per window the shifts are published as a
 * fresh array for the metric reporter's thread. Not thread-safe for {@link #add} (the scoring operator's
 * task thread only); {@link #shift} may be read from any thread.
 */
final class FeatureDrift {
    private final float[] trainingMean;
    private final float[] trainingStd;
    private final int window;
    private final double[] sums;
    private int count;
    /** NaN until the first window is complete. */
    private volatile double[] shifts;

    FeatureDrift(float[] trainingMean, float[] trainingStd, int window) {
        if (trainingMean.length != trainingStd.length) {
            throw new IllegalArgumentException("training mean and std differ in length");
        }
        if (window < 1) {
            throw new IllegalArgumentException("drift window must be at least 1, got " + window);
        }
        this.trainingMean = trainingMean.clone();
        this.trainingStd = trainingStd.clone();
        this.window = window;
        this.sums = new double[trainingMean.length];
        double[] none = new double[trainingMean.length];
        java.util.Arrays.fill(none, Double.NaN);
        this.shifts = none;
    }

    /** One scored request's raw (not normalised) context features. */
    void add(float[] contextRaw) {
        for (int i = 0; i < sums.length; i++) {
            sums[i] += contextRaw[i];
        }
        if (++count == window) {
            double[] next = new double[sums.length];
            for (int i = 0; i < sums.length; i++) {
                next[i] = (sums[i] / count - trainingMean[i]) / trainingStd[i];
                sums[i] = 0;
            }
            count = 0;
            shifts = next;
        }
    }

    /** The standardized mean shift of feature {@code i} over the last complete window; NaN before one. */
    double shift(int i) {
        return shifts[i];
    }

    int features() {
        return sums.length;
    }
}
