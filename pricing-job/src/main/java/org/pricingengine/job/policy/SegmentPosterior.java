package org.pricingengine.job.policy;

/**
 * What the policy knows about the price response of one request: the joint Gaussian posterior of the
 * correction (level, shift) of the model's demand curve {@code P(p) = sigmoid(a + level - (b + shift) ln(p /
 * list))} for that request, where a and b are the model's base logit and price sensitivity. Learned pooled
 * over all requests of a model version ({@link PriceResponsePosterior#forRequest}); a new model version
 * starts from the prior: a correction learned for one model means nothing for another.
 *
 * <p>Immutable value; a Flink POJO (public fields, no-arg constructor) so that it can travel in records.
 */
public class SegmentPosterior {
    public String key;
    public double meanLevel;
    public double meanShift;
    /** Covariance of (level, shift). */
    public double varLevel;

    public double covLevelShift;
    public double varShift;
    /** Outcomes the posterior has learned from so far (of all segments: they share what they teach). */
    public long observations;

    public SegmentPosterior() {}

    public SegmentPosterior(
            String key,
            double meanLevel,
            double meanShift,
            double varLevel,
            double covLevelShift,
            double varShift,
            long observations) {
        this.key = key;
        this.meanLevel = meanLevel;
        this.meanShift = meanShift;
        this.varLevel = varLevel;
        this.covLevelShift = covLevelShift;
        this.varShift = varShift;
        this.observations = observations;
    }

    /** The key of a segment's posterior for one model version. */
    public static String keyOf(String modelVersion, String segment) {
        return modelVersion + "|" + segment;
    }

    /** The prior of a request whose traits are unknown to the policy: the shared and the segment's shift. */
    public static SegmentPosterior prior(String key, PolicySettings.PriorSettings prior) {
        return new SegmentPosterior(
                key,
                0,
                prior.shiftMean(),
                prior.levelSd() * prior.levelSd(),
                0,
                prior.shiftSd() * prior.shiftSd() + prior.segmentShiftSd() * prior.segmentShiftSd(),
                0);
    }

    public double sdLevel() {
        return Math.sqrt(varLevel);
    }

    public double sdShift() {
        return Math.sqrt(varShift);
    }

    /**
     * The correction at standard normal coordinates (z1, z2): mean + L z with L the Cholesky factor of the
     * covariance.
     */
    public double[] at(double z1, double z2) {
        double l11 = Math.sqrt(Math.max(0, varLevel));
        double l21 = l11 > 0 ? covLevelShift / l11 : 0;
        double l22 = Math.sqrt(Math.max(0, varShift - l21 * l21));
        return new double[] {meanLevel + l11 * z1, meanShift + l21 * z1 + l22 * z2};
    }

    @Override
    public String toString() {
        return String.format(
                "%s: level %.3f (sd %.3f), shift %.3f (sd %.3f), %d outcomes",
                key, meanLevel, sdLevel(), meanShift, sdShift(), observations);
    }
}
