package org.pricingengine.job.policy;

/**
 * What the policy knows about the price response of one request: the joint Gaussian posterior of its
 * segment's level and its log-scale u, which give the correction of the model's demand curve {@code P(p) =
 * sigmoid(a + level - (b + shift) ln(p / list))} with {@code shift = exp(u) - 1}, where a and b are the
 * model's base logit and price sensitivity. Learned pooled over all requests of a model version ({@link
 * PriceResponsePosterior#forRequest}); a new model version starts from the prior: a correction learned for
 * one model means nothing for another.
 *
 * <p>Immutable value; a Flink POJO (public fields, no-arg constructor) so that it can travel in records.
 */
public class SegmentPosterior {
    public String key;
    public double meanLevel;
    /** Mean of u, the log-scale of the sensitivity correction: {@code shift = exp(u) - 1}. */
    public double meanLogScale;
    /** Covariance of (level, u). */
    public double varLevel;

    public double covLevelLogScale;
    public double varLogScale;
    /** Outcomes the posterior has learned from so far (of all segments: they share what they teach). */
    public long observations;

    public SegmentPosterior() {}

    public SegmentPosterior(
            String key,
            double meanLevel,
            double meanLogScale,
            double varLevel,
            double covLevelLogScale,
            double varLogScale,
            long observations) {
        this.key = key;
        this.meanLevel = meanLevel;
        this.meanLogScale = meanLogScale;
        this.varLevel = varLevel;
        this.covLevelLogScale = covLevelLogScale;
        this.varLogScale = varLogScale;
        this.observations = observations;
    }

    /** The key of a segment's posterior for one model version. */
    public static String keyOf(String modelVersion, String segment) {
        return modelVersion + "|" + segment;
    }

    /** The prior of a request whose traits are unknown to the policy: the shared and the segment's part. */
    public static SegmentPosterior prior(String key, PolicySettings.PriorSettings prior) {
        return new SegmentPosterior(
                key,
                0,
                PriceResponsePosterior.logScaleOf(prior.shiftMean()),
                prior.levelSd() * prior.levelSd(),
                0,
                prior.shiftSd() * prior.shiftSd() + prior.segmentShiftSd() * prior.segmentShiftSd(),
                0);
    }

    /** The sensitivity shift at the posterior mean of u. */
    public double meanShift() {
        return Math.expm1(meanLogScale);
    }

    public double sdLevel() {
        return Math.sqrt(varLevel);
    }

    /** The shift's sd to first order: exp(mean u) x sd of u. */
    public double sdShift() {
        return Math.exp(meanLogScale) * Math.sqrt(varLogScale);
    }

    /**
     * The correction (level, shift) at standard normal coordinates (z1, z2): (level, u) = mean + L z with L
     * the Cholesky factor of the covariance, then {@code shift = exp(u) - 1}. At (0, 0): the correction at
     * the posterior mean.
     */
    public double[] at(double z1, double z2) {
        double l11 = Math.sqrt(Math.max(0, varLevel));
        double l21 = l11 > 0 ? covLevelLogScale / l11 : 0;
        double l22 = Math.sqrt(Math.max(0, varLogScale - l21 * l21));
        return new double[] {meanLevel + l11 * z1, Math.expm1(meanLogScale + l21 * z1 + l22 * z2)};
    }

    @Override
    public String toString() {
        return String.format(
                "%s: level %.3f (sd %.3f), shift %.3f (u %.3f, sd %.3f), %d outcomes",
                key, meanLevel, sdLevel(), meanShift(), meanLogScale, Math.sqrt(varLogScale), observations);
    }
}
