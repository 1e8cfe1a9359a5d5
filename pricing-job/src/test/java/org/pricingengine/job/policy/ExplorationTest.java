package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.DemandEstimate;

class ExplorationTest {
    private final PricingPolicy policy = new PricingPolicy(PolicySettings.from(PricingConfig.defaults()));
    private final ItemSnapshot item = new ItemSnapshot("i", "c", "b", 20.0, null, null, 0, 0, 0);
    private final DemandEstimate estimate = new DemandEstimate(-3, 0.5);

    private PricingContext context(String decisionId, String userId, SegmentPosterior posterior) {
        return new PricingContext(decisionId, userId, "price:1/shopper:new/item:first", posterior, false);
    }

    private static String policyUser(PricingPolicy policy) {
        for (int u = 0; ; u++) {
            if (!policy.inHoldout("user-" + u)) {
                return "user-" + u;
            }
        }
    }

    @Test
    void candidatesAreTheLadderCutToTheGuardrailsAndTheirProbabilitiesSumToOne() {
        String user = policyUser(policy);
        PriceBounds bounds = policy.bounds(item, null);
        for (int i = 0; i < 200; i++) {
            PriceExperiment e = policy.decide(item, estimate, null, null, context("d-" + i, user, null))
                    .experiment();
            assertArrayEquals(new double[] {20.0, 19.4, 19.0, 18.4, 18.0, 17.0}, e.candidates(), 1e-9);
            assertEquals(1.0, Arrays.stream(e.probabilities()).sum(), 1e-9);
            assertEquals(e.probabilities()[e.chosen()], e.propensity(), 1e-15);
            for (double p : e.probabilities()) {
                // The uniform share keeps every candidate reachable: weights stay bounded.
                assertTrue(p >= policy.settings().uniformShare() / 6 - 1e-12, "probability " + p);
            }
            for (double c : e.candidates()) {
                assertTrue(bounds.contains(c));
            }
        }
    }

    @Test
    void theSameDecisionIdAlwaysGetsTheSamePriceAndEveryCandidateIsDrawnAtItsProbability() {
        String user = policyUser(policy);
        PriceQuote once = policy.decide(item, estimate, null, null, context("d-1", user, null));
        PriceQuote again = policy.decide(item, estimate, null, null, context("d-1", user, null));
        assertEquals(once.price(), again.price());
        assertEquals(once.experiment(), again.experiment());

        int n = 20_000;
        double[] probabilities = once.experiment().probabilities();
        int[] counts = new int[probabilities.length];
        for (int i = 0; i < n; i++) {
            counts[
                    policy.decide(item, estimate, null, null, context("d-" + i, user, null))
                            .experiment()
                            .chosen()]++;
        }
        for (int k = 0; k < counts.length; k++) {
            double sd = Math.sqrt(probabilities[k] * (1 - probabilities[k]) / n);
            assertEquals(probabilities[k], counts[k] / (double) n, 4 * sd + 1e-3, "candidate " + k);
        }
    }

    @Test
    void theHoldoutAlwaysGetsTheListPriceAndIsAboutItsShare() {
        int inHoldout = 0;
        for (int u = 0; u < 20_000; u++) {
            String user = "shopper-" + u;
            if (!policy.inHoldout(user)) {
                continue;
            }
            inHoldout++;
            PriceQuote q = policy.decide(item, new DemandEstimate(-3, 9), null, null, context("d-" + u, user, null));
            assertEquals(20.0, q.price());
            assertEquals(PriceExperiment.HOLDOUT, q.experiment().group());
            assertEquals(1.0, q.experiment().propensity());
            assertFalse(q.experiment().randomized());
            assertTrue(q.reasons().contains(ReasonCode.HOLDOUT_LIST_PRICE));
        }
        assertEquals(0.05, inHoldout / 20_000.0, 0.006);
    }

    @Test
    void withoutExplorationThePriceIsTheBestCandidateAtThePosteriorMean() {
        PricingPolicy greedy = new PricingPolicy(PolicySettings.from(
                PricingConfig.of(Map.of("pricing.exploration", "off", "pricing.holdout-share", "0"))));
        SegmentPosterior learned = new SegmentPosterior("k", 0.0, 5.0, 0.01, 0, 0.01, 1000, 0, 0);
        PriceQuote q = greedy.decide(item, estimate, null, null, context("d", "u", learned));
        assertFalse(q.experiment().randomized());
        assertEquals(1.0, q.experiment().propensity());
        assertTrue(q.price() < 20.0, "a learned sensitivity of 5.5 makes a discount pay: " + q.price());
        assertArrayEquals(new double[] {0.0, 5.0}, q.experiment().posteriorMean(), 1e-12);
    }

    @Test
    void aConfidentPosteriorConcentratesTheDrawsOnItsBestCandidate() {
        String user = policyUser(policy);
        SegmentPosterior sure = new SegmentPosterior("k", 0.0, 0.0, 1e-6, 0, 1e-6, 100_000, 0, 0);
        PriceExperiment e = policy.decide(item, estimate, null, null, context("d", user, sure))
                .experiment();
        // Only the uniform share is left to the other candidates.
        double epsilon = policy.settings().uniformShare();
        assertEquals(1 - epsilon + epsilon / 6, e.probabilities()[0], 1e-9);
    }

    @Test
    void thePosteriorMovesTowardsTheTruthFromRandomizedOutcomes() {
        // Truth: the model is right about the level but says 0.5 where shoppers respond with 3.5.
        double trueShift = 3.0;
        SegmentPosterior posterior = SegmentPosterior.prior(
                "k", PolicySettings.from(PricingConfig.defaults()).prior());
        Random random = new Random(11);
        double[] ladder = {1.0, 0.97, 0.95, 0.92, 0.9, 0.85};
        double expected = 0;
        for (double rung : ladder) {
            expected += Math.log(rung) / ladder.length;
        }
        for (int i = 0; i < 40_000; i++) {
            double a = -2.5 + 0.5 * random.nextGaussian();
            double x = Math.log(ladder[random.nextInt(ladder.length)]);
            double p = 1 / (1 + Math.exp(-(a - (0.5 + trueShift) * x)));
            posterior = posterior.updated(a, 0.5, x, expected, random.nextDouble() < p);
        }
        assertEquals(40_000, posterior.observations);
        assertEquals(trueShift, posterior.meanShift, 3 * posterior.sdShift() + 0.05, posterior.toString());
        assertEquals(0.0, posterior.meanLevel, 3 * posterior.sdLevel() + 0.02, posterior.toString());
        assertTrue(posterior.sdShift() < 0.5, posterior.toString());
    }

    /**
     * The sampler discounts more while the segment's purchase rate happens to be high (its assignment
     * follows the posterior over time; the rate drifts for reasons the model does not see). The model's
     * sensitivity is right: the true shift is 0. Learning from the quoted price as it is reads the drift
     * as price response; learning from the price centered on the policy's expectation does not.
     */
    @Test
    void driftThatCoincidesWithDiscountingDoesNotReadAsPriceResponse() {
        PolicySettings.PriorSettings prior =
                PolicySettings.from(PricingConfig.defaults()).prior();
        SegmentPosterior centered = SegmentPosterior.prior("k", prior);
        SegmentPosterior asQuoted = SegmentPosterior.prior("k", prior);
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
            centered = centered.updated(a, 0.5, x, discountShare * discount, bought);
            asQuoted = asQuoted.updated(a, 0.5, x, 0, bought);
        }
        assertEquals(0.0, centered.meanShift, 3 * centered.sdShift() + 0.05, centered.toString());
        assertTrue(asQuoted.meanShift > 2, "the uncentered update is confounded by the drift: " + asQuoted);
    }

    @Test
    void segmentsAreBoundedAndNamed() {
        double[] bands = {10, 50};
        assertEquals(18, PriceSegments.count(bands));
        String s = PriceSegments.of(bands, item, null);
        assertEquals("price:1/shopper:new/item:first", s);
        assertNotNull(PriceSegments.of(bands, new ItemSnapshot("j", null, null, 99.0, null, null, 0, 0, 0), null));
    }
}
