package org.pricingengine.job.policy;

import java.util.Arrays;

/**
 * What the job has learned about price response for one model version: a Gaussian posterior of the
 * correction of the model's demand curve {@code P(p) = sigmoid(a + level - (b + shift) ln(p / list))},
 * where a and b are the model's base logit and price sensitivity for the request, pooled over all its
 * requests.
 *
 * <ul>
 *   <li>{@code level}, the correction of the model's purchase odds, is {@code alpha[segment] + gamma .
 *       traits + kappa a}: the request's segment's ({@link PriceSegments}) own, a coefficient on each trait
 *       but the intercept, and one on the model's own base logit {@code a} (recalibration: kappa -1 says
 *       the model's odds tell nothing, kappa 0 that they are right). The model's odds may rank shoppers
 *       differently from how they buy; left in, such a misfit would bias the shift (a logistic slope is
 *       read against the curvature p(1 - p) the curve predicts, and where the policy discounts the requests
 *       whose odds are under-predicted, price looks to matter more than it does).
 *   <li>{@code shift}, the correction of the price sensitivity, is {@code beta . traits + delta[segment]}:
 *       linear in the request's observable {@link PriceTraits} (common to all segments), plus the segment's
 *       own deviation with a tighter prior. Price response carries little information per outcome
 *       (purchases are rare, candidate prices close): pooling lets every outcome inform every request that
 *       shares its traits, instead of each segment learning its own from a trickle, and it tells apart
 *       requests inside a segment (a bargain hunter from a loyal buyer).
 * </ul>
 *
 * <p>Parameters, in order: the segments' alphas, gamma (one per trait but the intercept), kappa, beta (one
 * per trait), the segments' deltas. Updated one feedback outcome at a time by a Laplace step: the
 * likelihood of one outcome depends on the parameters only through one linear combination, so the mode
 * lies along the covariance times that combination (one-dimensional Newton) and the new covariance is a
 * rank-one update. Exact for the Gaussian part, the usual approximation for the logistic one.
 *
 * <p>The shift's regressor is {@code ln(p / list)} minus an expected {@code ln(p / list)} the caller
 * passes ({@code learning.price-variation}):
 *
 * <ul>
 *   <li>0 (all price variation): every quoted price informs the shift, including the part of it the
 *       policy chose on purpose for the request. The most information, and unbiased as long as the level
 *       takes what the model misses about the request's odds.
 *   <li>the policy's expected {@code ln(p / list)} for that request (the propensity-weighted mean over the
 *       candidates; action centering): only the randomized part informs the shift, and the expected part
 *       goes into the offset at the current shift. The centered regressor has mean zero given everything
 *       before the draw, so whatever the model and the level miss cannot load onto the shift, even though
 *       the sampler's price assignment moves with the posterior over time and so with any drift. Outcomes
 *       whose price was not randomized (stable quotes, the holdout, one candidate) have nothing to center
 *       and inform the level only. Every earlier outcome put its expected price into the offset at the
 *       shift of its day; when the shift moves, each segment's level follows by the change at its
 *       outcomes' average expected price (first order: {@link #anchor}), so that early plug-in shifts do
 *       not stay in the level for good.
 * </ul>
 *
 * <p>Flink POJO (keyed state of the learner, broadcast state of the policy): public fields, no-arg
 * constructor. {@link #update} changes it in place; the learner publishes a {@link #copy}.
 */
public class PriceResponsePosterior {
    public String modelVersion;
    public int segments;
    public double[] mean;
    /** Row-major, {@code dimension() x dimension()}. */
    public double[] covariance;

    public long observations;
    public long[] segmentObservations;
    /** Per segment: the sum of its outcomes' curvature weights p(1 - p). */
    public double[] levelWeight;
    /**
     * Per segment, {@code PriceTraits.COUNT + 1} values: the curvature-weighted mean of the outcomes'
     * expected ln(price / list) times each trait, and of the expected ln(price / list) alone (the delta's).
     */
    public double[] anchor;

    public PriceResponsePosterior() {}

    public static PriceResponsePosterior prior(String modelVersion, int segments, PolicySettings.PriorSettings prior) {
        PriceResponsePosterior p = new PriceResponsePosterior();
        p.modelVersion = modelVersion;
        p.segments = segments;
        int d = dimension(segments);
        p.mean = new double[d];
        p.covariance = new double[d * d];
        for (int g = 0; g < segments; g++) {
            p.covariance[g * d + g] = prior.levelSd() * prior.levelSd();
            int delta = p.delta(g);
            p.covariance[delta * d + delta] = prior.segmentShiftSd() * prior.segmentShiftSd();
        }
        for (int k = 1; k < PriceTraits.COUNT; k++) {
            p.covariance[p.gamma(k) * d + p.gamma(k)] = prior.levelSd() * prior.levelSd();
        }
        p.covariance[p.calibration() * d + p.calibration()] = prior.levelSd() * prior.levelSd();
        p.mean[p.beta(0)] = prior.shiftMean();
        p.covariance[p.beta(0) * d + p.beta(0)] = prior.shiftSd() * prior.shiftSd();
        for (int k = 1; k < PriceTraits.COUNT; k++) {
            p.covariance[p.beta(k) * d + p.beta(k)] = prior.traitSd() * prior.traitSd();
        }
        p.segmentObservations = new long[segments];
        p.levelWeight = new double[segments];
        p.anchor = new double[segments * (PriceTraits.COUNT + 1)];
        return p;
    }

    public PriceResponsePosterior copy() {
        PriceResponsePosterior p = new PriceResponsePosterior();
        p.modelVersion = modelVersion;
        p.segments = segments;
        p.mean = mean.clone();
        p.covariance = covariance.clone();
        p.observations = observations;
        p.segmentObservations = segmentObservations.clone();
        p.levelWeight = levelWeight.clone();
        p.anchor = anchor.clone();
        return p;
    }

    /** Parameters with {@code segments} segments: an alpha and a delta each, gamma, kappa and beta. */
    private static int dimension(int segments) {
        return 2 * segments + 2 * PriceTraits.COUNT;
    }

    /** Whether this posterior has the parameter layout of {@code segments} segments in this version. */
    public boolean fits(int segments) {
        return this.segments == segments && mean != null && mean.length == dimension(segments);
    }

    public int dimension() {
        return mean.length;
    }

    /** A segment's own correction of the purchase odds. */
    int alpha(int segment) {
        return segment;
    }

    /** The level's coefficient on a trait, 1 <= trait < PriceTraits.COUNT (the intercept is the alphas'). */
    int gamma(int trait) {
        return segments + trait - 1;
    }

    /** The level's coefficient on the model's own base logit: how far the model's odds are to be trusted. */
    int calibration() {
        return segments + PriceTraits.COUNT - 1;
    }

    int beta(int trait) {
        return segments + PriceTraits.COUNT + trait;
    }

    int delta(int segment) {
        return segments + 2 * PriceTraits.COUNT + segment;
    }

    /** Parameter indexes and loadings of a request's level: alpha[segment] + gamma . traits + kappa a. */
    private int[] levelIndex(int segment) {
        int[] index = new int[PriceTraits.COUNT + 1];
        index[0] = alpha(segment);
        for (int k = 1; k < PriceTraits.COUNT; k++) {
            index[k] = gamma(k);
        }
        index[PriceTraits.COUNT] = calibration();
        return index;
    }

    private static double[] levelLoading(double[] traits, double baseLogit) {
        double[] v = Arrays.copyOf(traits, PriceTraits.COUNT + 1);
        v[0] = 1;
        v[PriceTraits.COUNT] = baseLogit;
        return v;
    }

    /** Parameter indexes and loadings of a request's shift: beta . traits + delta[segment]. */
    private int[] shiftIndex(int segment) {
        int[] index = new int[PriceTraits.COUNT + 1];
        for (int k = 0; k < PriceTraits.COUNT; k++) {
            index[k] = beta(k);
        }
        index[PriceTraits.COUNT] = delta(segment);
        return index;
    }

    private static double[] shiftLoading(double[] traits) {
        double[] v = Arrays.copyOf(traits, PriceTraits.COUNT + 1);
        v[PriceTraits.COUNT] = 1;
        return v;
    }

    private double dot(int[] index, double[] v) {
        double s = 0;
        for (int i = 0; i < index.length; i++) {
            s += v[i] * mean[index[i]];
        }
        return s;
    }

    private double quadratic(int[] ia, double[] va, int[] ib, double[] vb) {
        int d = dimension();
        double s = 0;
        for (int i = 0; i < ia.length; i++) {
            int row = ia[i] * d;
            for (int j = 0; j < ib.length; j++) {
                s += va[i] * vb[j] * covariance[row + ib[j]];
            }
        }
        return s;
    }

    /** The posterior mean of the shift of a request of this segment with these traits. */
    public double shift(int segment, double[] traits) {
        return dot(shiftIndex(segment), shiftLoading(traits));
    }

    /**
     * Takes in one more outcome.
     *
     * @param segment the request's segment index ({@link PriceSegments#index})
     * @param traits the request's {@link PriceTraits}, as logged
     * @param baseLogit the model's base logit for the request (as logged)
     * @param sensitivity the model's price sensitivity for the request (as logged)
     * @param logPriceRatio ln(price / list price) of the quoted price
     * @param expectedLogPriceRatio the part of ln(price / list price) the shift does not learn from: 0 to
     *     learn from all of it; the policy's expected ln(price / list price) for this request to learn from
     *     the randomized part only, and then {@code logPriceRatio} when the price was not randomized
     * @param purchased whether the quote was bought within the attribution window
     * @return false when the step was degenerate and nothing was learned
     */
    public boolean update(
            int segment,
            double[] traits,
            double baseLogit,
            double sensitivity,
            double logPriceRatio,
            double expectedLogPriceRatio,
            boolean purchased) {
        int d = dimension();
        int t = PriceTraits.COUNT;
        double centered = logPriceRatio - expectedLogPriceRatio;
        // The outcome's log-odds: offset + level - shift (x - expected x), level = alpha[g] + gamma . traits +
        // kappa a, shift = beta . traits + delta[g].
        int[] li = levelIndex(segment);
        double[] lv = levelLoading(traits, baseLogit);
        int[] si = shiftIndex(segment);
        double[] sv = shiftLoading(traits);
        int[] index = new int[li.length + si.length];
        double[] f = new double[index.length];
        for (int i = 0; i < li.length; i++) {
            index[i] = li[i];
            f[i] = lv[i];
        }
        for (int i = 0; i < si.length; i++) {
            index[li.length + i] = si[i];
            f[li.length + i] = -centered * sv[i];
        }
        double offset = baseLogit - sensitivity * logPriceRatio - shift(segment, traits) * expectedLogPriceRatio;
        double eta = offset;
        for (int i = 0; i < f.length; i++) {
            eta += f[i] * mean[index[i]];
        }
        double[] u = new double[d]; // covariance x f
        for (int i = 0; i < f.length; i++) {
            if (f[i] != 0) {
                int row = index[i] * d;
                for (int j = 0; j < d; j++) {
                    u[j] += f[i] * covariance[row + j];
                }
            }
        }
        double s = 0;
        for (int i = 0; i < f.length; i++) {
            s += f[i] * u[index[i]];
        }
        double y = purchased ? 1 : 0;
        // The mode is mean + lambda u with lambda = y - sigmoid(eta + s lambda).
        double lambda = 0;
        for (int iteration = 0; iteration < 30; iteration++) {
            double mu = sigmoid(eta + s * lambda);
            double g = lambda - (y - mu);
            double step = g / (1 + s * mu * (1 - mu));
            lambda -= step;
            if (Math.abs(step) < 1e-12) {
                break;
            }
        }
        double mu = sigmoid(eta + s * lambda);
        double w = mu * (1 - mu);
        double shrink = w / (1 + w * s);
        if (!Double.isFinite(lambda) || !(s >= 0) || !Double.isFinite(shrink)) {
            return false; // A degenerate step teaches nothing; keep what is known.
        }
        double[] before = mean.clone();
        for (int i = 0; i < d; i++) {
            mean[i] += lambda * u[i];
            double ui = u[i] * shrink;
            int row = i * d;
            for (int j = 0; j < d; j++) {
                covariance[row + j] -= ui * u[j];
            }
        }
        observations++;
        segmentObservations[segment]++;
        int a = segment * (t + 1);
        double weight = levelWeight[segment] + w;
        if (weight > 0) {
            for (int k = 0; k < t; k++) {
                anchor[a + k] += (expectedLogPriceRatio * traits[k] - anchor[a + k]) * w / weight;
            }
            anchor[a + t] += (expectedLogPriceRatio - anchor[a + t]) * w / weight;
        }
        levelWeight[segment] = weight;
        followShift(before);
        return true;
    }

    /** Moves every segment's level by its shift's change at the segment's average expected price. */
    private void followShift(double[] before) {
        int t = PriceTraits.COUNT;
        for (int g = 0; g < segments; g++) {
            int a = g * (t + 1);
            double move = (mean[delta(g)] - before[delta(g)]) * anchor[a + t];
            for (int k = 0; k < t; k++) {
                move += (mean[beta(k)] - before[beta(k)]) * anchor[a + k];
            }
            mean[alpha(g)] += move;
        }
    }

    /**
     * What the policy needs for one request: the joint posterior of its segment's level and its shift (at
     * its traits), as a two-dimensional {@link SegmentPosterior}.
     */
    public SegmentPosterior forRequest(String key, int segment, double[] traits, double baseLogit) {
        int[] li = levelIndex(segment);
        double[] lv = levelLoading(traits, baseLogit);
        int[] si = shiftIndex(segment);
        double[] sv = shiftLoading(traits);
        return new SegmentPosterior(
                key,
                dot(li, lv),
                dot(si, sv),
                Math.max(quadratic(li, lv, li, lv), 0),
                quadratic(li, lv, si, sv),
                Math.max(quadratic(si, sv, si, sv), 0),
                observations);
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(modelVersion + ": " + observations + " outcomes; shift =");
        for (int k = 0; k < PriceTraits.COUNT; k++) {
            appendCoefficient(b, beta(k), PriceTraits.NAMES.get(k));
        }
        b.append("; level =");
        for (int k = 1; k < PriceTraits.COUNT; k++) {
            appendCoefficient(b, gamma(k), PriceTraits.NAMES.get(k));
        }
        appendCoefficient(b, calibration(), "model_logit");
        return b.toString();
    }

    private void appendCoefficient(StringBuilder b, int i, String name) {
        b.append(String.format(
                java.util.Locale.ROOT,
                " %+.3f (sd %.3f) %s",
                mean[i],
                Math.sqrt(covariance[i * dimension() + i]),
                name));
    }
}
