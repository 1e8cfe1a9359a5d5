package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;

class PriceResponsePosteriorTest {
    private static final PolicySettings.PriorSettings PRIOR =
            PolicySettings.from(PricingConfig.defaults()).prior();
    private static final double[] LADDER = {1.0, 0.97, 0.95, 0.92, 0.9, 0.85};
    private static final double EXPECTED = expected();

    private static double expected() {
        double e = 0;
        for (double rung : LADDER) {
            e += Math.log(rung) / LADDER.length;
        }
        return e;
    }

    private static double[] traits(double removalRate) {
        return new double[] {1, 0, 1, 0, 0, removalRate};
    }

    private static double sd(PriceResponsePosterior p, int index) {
        return Math.sqrt(p.covariance[index * p.dimension() + index]);
    }

    @Test
    void thePosteriorMovesTowardsTheTruthFromRandomizedOutcomes() {
        // Truth: the model is right about the level but says 0.5 where shoppers respond with 3.5.
        double trueShift = 3.0;
        PriceResponsePosterior posterior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(11);
        for (int i = 0; i < 40_000; i++) {
            double a = -2.5 + 0.5 * random.nextGaussian();
            double x = Math.log(LADDER[random.nextInt(LADDER.length)]);
            double p = 1 / (1 + Math.exp(-(a - (0.5 + trueShift) * x)));
            assertTrue(posterior.update(4, traits(0), a, 0.5, x, EXPECTED, random.nextDouble() < p));
        }
        SegmentPosterior request = posterior.forRequest("k", 4, traits(0), -2.5);
        assertEquals(40_000, posterior.observations);
        assertEquals(40_000, request.observations);
        assertEquals(trueShift, request.meanShift, 3 * request.sdShift() + 0.05, request.toString());
        assertEquals(0.0, request.meanLevel, 3 * request.sdLevel() + 0.02, request.toString());
        assertTrue(request.sdShift() < 0.5, request.toString());
        // Segments without outcomes keep their prior level.
        assertEquals(0.0, posterior.mean[7], 1e-12);
        assertEquals(PRIOR.levelSd(), sd(posterior, 7), 1e-9);
    }

    /**
     * Two kinds of shoppers in one segment: deal seekers (cart removal rate 1) respond with a sensitivity
     * 2 higher than the others. The trait's coefficient learns the difference; a second segment with few
     * outcomes of its own borrows what the first one taught about the traits they share.
     */
    @Test
    void traitsTellRequestsApartAndSegmentsShareWhatTheyTeach() {
        PriceResponsePosterior posterior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(3);
        for (int i = 0; i < 60_000; i++) {
            boolean dealSeeker = random.nextDouble() < 0.4;
            int segment = i % 100 == 0 ? 9 : 2;
            double a = -2.5 + 0.5 * random.nextGaussian();
            double x = Math.log(LADDER[random.nextInt(LADDER.length)]);
            double sensitivity = dealSeeker ? 4.0 : 2.0;
            double p = 1 / (1 + Math.exp(-(a - sensitivity * x)));
            posterior.update(segment, traits(dealSeeker ? 1 : 0), a, 0.5, x, EXPECTED, random.nextDouble() < p);
        }
        SegmentPosterior seeker = posterior.forRequest("k", 2, traits(1), -2.5);
        SegmentPosterior other = posterior.forRequest("k", 2, traits(0), -2.5);
        double difference = seeker.meanShift - other.meanShift;
        double differenceSd = sd(posterior, posterior.beta(5));
        assertEquals(2.0, difference, 3 * differenceSd + 0.05, posterior.toString());
        assertTrue(differenceSd < 0.6, posterior.toString());
        // 600 outcomes of its own would leave segment 9 near its prior sd of about 2.3; it learns from all,
        // down to about the prior sd of its own deviation.
        SegmentPosterior small = posterior.forRequest("k", 9, traits(0), -2.5);
        assertEquals(60_000, small.observations);
        assertEquals(600, posterior.segmentObservations[9]);
        assertEquals(1.5, small.meanShift, 3 * small.sdShift() + 0.05, small.toString());
        assertTrue(small.sdShift() < 0.8, small.toString());
    }

    /**
     * The model's purchase odds miss what past purchases add (+1.5 on the log-odds for a buyer) while price
     * response is the same for everyone. The level learns the trait's part of the odds, and the shift comes
     * out the same for buyers and others: read against the under-predicted odds of buyers, their price
     * response would look stronger than it is.
     */
    @Test
    void aModelThatMissesWhatATraitDoesToTheOddsDoesNotBiasTheShift() {
        PriceResponsePosterior posterior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(17);
        double[] buyer = {1, 0, 1, Math.log(2), 0, 0};
        double[] other = {1, 0, 1, 0, 0, 0};
        for (int i = 0; i < 60_000; i++) {
            boolean isBuyer = random.nextBoolean();
            double a = -2.0 + 0.3 * random.nextGaussian();
            double x = Math.log(LADDER[random.nextInt(LADDER.length)]);
            double p = 1 / (1 + Math.exp(-(a + (isBuyer ? 1.5 : 0) - 1.5 * x)));
            posterior.update(3, isBuyer ? buyer : other, a, 0.5, x, EXPECTED, random.nextDouble() < p);
        }
        SegmentPosterior b = posterior.forRequest("k", 3, buyer, -2.0);
        SegmentPosterior o = posterior.forRequest("k", 3, other, -2.0);
        assertEquals(1.5, b.meanLevel - o.meanLevel, 0.15, b + " / " + o);
        assertEquals(1.0, b.meanShift, 3 * b.sdShift() + 0.05, b.toString());
        assertEquals(1.0, o.meanShift, 3 * o.sdShift() + 0.05, o.toString());
    }

    /**
     * The sampler discounts more while the segment's purchase rate happens to be high (its assignment
     * follows the posterior over time; the rate drifts for reasons the model does not see). The model's
     * sensitivity is right: the true shift is 0. Learning from the quoted price as it is reads the drift
     * as price response; learning from the price centered on the policy's expectation does not.
     */
    @Test
    void driftThatCoincidesWithDiscountingDoesNotReadAsPriceResponse() {
        PriceResponsePosterior centered = PriceResponsePosterior.prior("v1", 18, PRIOR);
        PriceResponsePosterior asQuoted = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(5);
        double discount = Math.log(0.85);
        for (int i = 0; i < 60_000; i++) {
            boolean busy = (i / 2_000) % 2 == 0;
            double drift = busy ? 0.6 : -0.6;
            double discountShare = busy ? 0.8 : 0.2;
            double a = -2.5 + 0.3 * random.nextGaussian();
            double x = random.nextDouble() < discountShare ? discount : 0;
            double p = 1 / (1 + Math.exp(-(a + drift - 0.5 * x)));
            boolean bought = random.nextDouble() < p;
            centered.update(0, traits(0), a, 0.5, x, discountShare * discount, bought);
            asQuoted.update(0, traits(0), a, 0.5, x, 0, bought);
        }
        SegmentPosterior c = centered.forRequest("k", 0, traits(0), -2.5);
        SegmentPosterior q = asQuoted.forRequest("k", 0, traits(0), -2.5);
        assertEquals(0.0, c.meanShift, 3 * c.sdShift() + 0.05, c.toString());
        assertTrue(q.meanShift > 2, "the uncentered update is confounded by the drift: " + q);
    }

    /**
     * The model's odds are over-confident: the truth moves 0.3 for each 1 the model's base logit moves.
     * The policy discounts mostly where the model says the odds are low, and there shoppers buy more often
     * than the model says, at any price. Learning from the quoted price, the level's coefficient on the
     * model's logit takes the misfit (about -0.7) and the shift comes out right, at 1; without it, the
     * discounts would read as a strong price response.
     */
    @Test
    void overConfidentModelOddsAreRecalibratedAndDoNotReadAsPriceResponse() {
        PriceResponsePosterior posterior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(23);
        double discount = Math.log(0.85);
        for (int i = 0; i < 80_000; i++) {
            double a = -2.5 + random.nextGaussian();
            double x = random.nextDouble() < (a < -2.5 ? 0.8 : 0.2) ? discount : 0;
            double p = 1 / (1 + Math.exp(-(-2.5 + 0.3 * (a + 2.5) - 1.5 * x)));
            assertTrue(posterior.update(6, traits(0), a, 0.5, x, 0, random.nextDouble() < p));
        }
        double kappa = posterior.mean[posterior.calibration()];
        assertEquals(-0.7, kappa, 3 * sd(posterior, posterior.calibration()) + 0.03, posterior.toString());
        for (double a : new double[] {-4, -2.5, -1}) {
            SegmentPosterior r = posterior.forRequest("k", 6, traits(0), a);
            assertEquals(1.0, r.meanShift, 3 * r.sdShift() + 0.05, r.toString());
            assertEquals(-2.5 + 0.3 * (a + 2.5), a + r.meanLevel, 3 * r.sdLevel() + 0.05, r.toString());
        }
    }

    @Test
    void aPriceThatWasNotRandomizedInformsTheLevelOnly() {
        PriceResponsePosterior posterior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(8);
        for (int i = 0; i < 5_000; i++) {
            double x = Math.log(0.9);
            posterior.update(1, traits(0.5), -2.0, 0.5, x, x, random.nextDouble() < 0.3);
        }
        PriceResponsePosterior prior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        for (int k = 0; k < PriceTraits.COUNT; k++) {
            assertEquals(prior.mean[prior.beta(k)], posterior.mean[posterior.beta(k)], 1e-12);
            assertEquals(sd(prior, prior.beta(k)), sd(posterior, posterior.beta(k)), 1e-12);
        }
        SegmentPosterior request = posterior.forRequest("k", 1, traits(0.5), -2.0);
        assertTrue(request.sdLevel() < 0.05, "the level learned: " + request);
    }

    @Test
    void theRequestsMarginalIsTheJointPosteriorAlongItsTraits() {
        PriceResponsePosterior posterior = PriceResponsePosterior.prior("v1", 18, PRIOR);
        Random random = new Random(2);
        for (int i = 0; i < 3_000; i++) {
            double[] t = {1, random.nextGaussian(), random.nextInt(2), random.nextDouble(), random.nextDouble(), 0};
            double x = Math.log(LADDER[random.nextInt(LADDER.length)]);
            posterior.update(random.nextInt(18), t, -2.0, 0.5, x, EXPECTED, random.nextDouble() < 0.1);
        }
        int d = posterior.dimension();
        for (int i = 0; i < d; i++) {
            assertTrue(posterior.covariance[i * d + i] > 0);
            for (int j = 0; j < d; j++) {
                assertEquals(posterior.covariance[i * d + j], posterior.covariance[j * d + i], 1e-12);
            }
        }
        double[] t = {1, 0.3, 1, 0.7, 1.1, 0.2};
        int segment = 5;
        // The request's shift and level as loadings on all parameters.
        double[] v = new double[d];
        double[] l = new double[d];
        v[posterior.delta(segment)] = 1;
        l[segment] = 1;
        l[posterior.calibration()] = -2.0;
        for (int k = 0; k < t.length; k++) {
            v[posterior.beta(k)] = t[k];
            if (k > 0) {
                l[posterior.gamma(k)] = t[k];
            }
        }
        double var = 0;
        double cov = 0;
        double varLevel = 0;
        double mean = 0;
        double level = 0;
        for (int i = 0; i < d; i++) {
            mean += v[i] * posterior.mean[i];
            level += l[i] * posterior.mean[i];
            for (int j = 0; j < d; j++) {
                var += v[i] * v[j] * posterior.covariance[i * d + j];
                cov += l[i] * v[j] * posterior.covariance[i * d + j];
                varLevel += l[i] * l[j] * posterior.covariance[i * d + j];
            }
        }
        SegmentPosterior r = posterior.forRequest("k", segment, t, -2.0);
        assertEquals(mean, r.meanShift, 1e-9);
        assertEquals(var, r.varShift, 1e-9);
        assertEquals(cov, r.covLevelShift, 1e-9);
        assertEquals(level, r.meanLevel, 1e-9);
        assertEquals(varLevel, r.varLevel, 1e-9);
    }
}
