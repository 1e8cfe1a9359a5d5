package org.pricingengine.job.policy;

/**
 * What the job has learned about how one segment of requests responds to price, relative to one model
 * version: a Gaussian posterior of the correction (level, shift) of the model's demand curve
 * {@code P(p) = sigmoid(a + level - (b + shift) ln(p / list))}, where a and b are the model's base logit
 * and price sensitivity for the request. Level corrects the model's purchase odds, shift its price
 * sensitivity. A new model version starts from the prior: a correction learned for one model means
 * nothing for another.
 *
 * <p>Updated one feedback outcome at a time by a Laplace step (Newton's method to the mode of prior x
 * Bernoulli likelihood, the curvature there as the new precision): exact for the Gaussian part, the
 * usual approximation for the logistic one.
 *
 * <p>The shift is learned from the randomized part of the price alone (action centering): its regressor
 * is {@code ln(p / list)} minus the policy's expected {@code ln(p / list)} for that request (the
 * propensity-weighted mean over the candidates), and the expected part goes into the offset at the
 * current shift. The centered regressor has mean zero given everything before the draw, so whatever the
 * model and the level miss about a request (a shopper's history, drift of a segment's purchase rate over
 * the day) cannot load onto the shift, even though the sampler's price assignment moves with the
 * posterior over time and so with that drift. Without centering, such drift that coincides with more
 * discounting reads as price sensitivity and feeds on itself. Outcomes whose price was not randomized
 * (stable quotes, the holdout, one candidate) have nothing to center, and inform the level only.
 *
 * <p>Flink POJO (broadcast state of the policy, keyed state of the learner): public fields, no-arg
 * constructor. Treat as immutable: {@link #updated} returns a new one.
 */
public class SegmentPosterior {
    public String key;
    public double meanLevel;
    public double meanShift;
    /** Covariance of (level, shift). */
    public double varLevel;

    public double covLevelShift;
    public double varShift;
    public long observations;
    /**
     * Sum of the outcomes' curvature weights p(1 - p) so far, and the mean of their expected ln(price /
     * list) under those weights: where the level has been observed, on average.
     */
    public double levelWeight;

    public double meanExpectedLogPriceRatio;

    public SegmentPosterior() {}

    public SegmentPosterior(
            String key,
            double meanLevel,
            double meanShift,
            double varLevel,
            double covLevelShift,
            double varShift,
            long observations,
            double levelWeight,
            double meanExpectedLogPriceRatio) {
        this.key = key;
        this.meanLevel = meanLevel;
        this.meanShift = meanShift;
        this.varLevel = varLevel;
        this.covLevelShift = covLevelShift;
        this.varShift = varShift;
        this.observations = observations;
        this.levelWeight = levelWeight;
        this.meanExpectedLogPriceRatio = meanExpectedLogPriceRatio;
    }

    /** The key of a segment's posterior for one model version. */
    public static String keyOf(String modelVersion, String segment) {
        return modelVersion + "|" + segment;
    }

    public static SegmentPosterior prior(String key, PolicySettings.PriorSettings prior) {
        return new SegmentPosterior(
                key,
                0,
                prior.shiftMean(),
                prior.levelSd() * prior.levelSd(),
                0,
                prior.shiftSd() * prior.shiftSd(),
                0,
                0,
                0);
    }

    /**
     * The posterior after one more outcome.
     *
     * @param baseLogit   the model's base logit for the request (as logged)
     * @param sensitivity the model's price sensitivity for the request (as logged)
     * @param logPriceRatio ln(price / list price) of the quoted price
     * @param expectedLogPriceRatio the policy's expected ln(price / list price) for this request: the
     *     propensity-weighted mean over its candidates; equal to {@code logPriceRatio} when the price was
     *     not randomized
     * @param purchased   whether the quote was bought within the attribution window
     */
    public SegmentPosterior updated(
            double baseLogit,
            double sensitivity,
            double logPriceRatio,
            double expectedLogPriceRatio,
            boolean purchased) {
        double x = logPriceRatio;
        double centered = x - expectedLogPriceRatio;
        double offset = baseLogit - sensitivity * x - meanShift * expectedLogPriceRatio;
        // Features of (level, shift) in the log-odds: z = offset + level - shift * (x - expected x).
        double f1 = 1;
        double f2 = -centered;
        double y = purchased ? 1 : 0;
        // Prior precision (inverse covariance).
        double det = varLevel * varShift - covLevelShift * covLevelShift;
        double p11 = varShift / det;
        double p12 = -covLevelShift / det;
        double p22 = varLevel / det;
        double t1 = meanLevel;
        double t2 = meanShift;
        double w = 0;
        for (int iteration = 0; iteration < 6; iteration++) {
            double mu = sigmoid(offset + t1 * f1 + t2 * f2);
            w = mu * (1 - mu);
            double d1 = t1 - meanLevel;
            double d2 = t2 - meanShift;
            double g1 = (y - mu) * f1 - (p11 * d1 + p12 * d2);
            double g2 = (y - mu) * f2 - (p12 * d1 + p22 * d2);
            double h11 = w * f1 * f1 + p11;
            double h12 = w * f1 * f2 + p12;
            double h22 = w * f2 * f2 + p22;
            double hDet = h11 * h22 - h12 * h12;
            double s1 = (h22 * g1 - h12 * g2) / hDet;
            double s2 = (-h12 * g1 + h11 * g2) / hDet;
            t1 += s1;
            t2 += s2;
            if (Math.abs(s1) + Math.abs(s2) < 1e-9) {
                break;
            }
        }
        double mu = sigmoid(offset + t1 * f1 + t2 * f2);
        w = mu * (1 - mu);
        double q11 = p11 + w * f1 * f1;
        double q12 = p12 + w * f1 * f2;
        double q22 = p22 + w * f2 * f2;
        double qDet = q11 * q22 - q12 * q12;
        if (!(qDet > 0) || !Double.isFinite(t1) || !Double.isFinite(t2)) {
            return this; // A degenerate step teaches nothing; keep what is known.
        }
        // Every earlier outcome put its expected price into the offset at the shift of its day. Now that
        // the shift has moved, the level those outcomes imply moves with it, by the shift's change at
        // their average expected price (first order); without this the level keeps the early, wrong
        // shifts for good.
        double weight = levelWeight + w;
        double meanExpected = weight > 0
                ? meanExpectedLogPriceRatio + (expectedLogPriceRatio - meanExpectedLogPriceRatio) * w / weight
                : meanExpectedLogPriceRatio;
        double level = t1 + (t2 - meanShift) * meanExpected;
        return new SegmentPosterior(
                key, level, t2, q22 / qDet, -q12 / qDet, q11 / qDet, observations + 1, weight, meanExpected);
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

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    @Override
    public String toString() {
        return String.format(
                "%s: level %.3f (sd %.3f), shift %.3f (sd %.3f), %d outcomes",
                key, meanLevel, sdLevel(), meanShift, sdShift(), observations);
    }
}
