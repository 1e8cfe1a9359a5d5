package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.DemandEstimate;

class ExplorationTest {
    private final PricingPolicy policy = new PricingPolicy(PolicySettings.from(PricingConfig.defaults()));
    private final ItemSnapshot item = new ItemSnapshot("i", "c", "b", 20.0, null, null, 0, 0, 0);
    private final DemandEstimate estimate = new DemandEstimate(-3, 0.5);

    private PricingContext context(String decisionId, String userId, SegmentPosterior posterior) {
        return new PricingContext(decisionId, userId, "price:1/shopper:new/item:first", null, posterior, false);
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
        SegmentPosterior learned = new SegmentPosterior("k", 0.0, 5.0, 0.01, 0, 0.01, 1000);
        PriceQuote q = greedy.decide(item, estimate, null, null, context("d", "u", learned));
        assertFalse(q.experiment().randomized());
        assertEquals(1.0, q.experiment().propensity());
        assertTrue(q.price() < 20.0, "a learned sensitivity of 5.5 makes a discount pay: " + q.price());
        assertArrayEquals(new double[] {0.0, 5.0}, q.experiment().posteriorMean(), 1e-12);
    }

    @Test
    void aConfidentPosteriorConcentratesTheDrawsOnItsBestCandidate() {
        String user = policyUser(policy);
        SegmentPosterior sure = new SegmentPosterior("k", 0.0, 0.0, 1e-6, 0, 1e-6, 100_000);
        PriceExperiment e = policy.decide(item, estimate, null, null, context("d", user, sure))
                .experiment();
        // Only the uniform share is left to the other candidates.
        double epsilon = policy.settings().uniformShare();
        assertEquals(1 - epsilon + epsilon / 6, e.probabilities()[0], 1e-9);
    }

    @Test
    void segmentsAreBoundedAndNamed() {
        double[] bands = {10, 50};
        assertEquals(18, PriceSegments.count(bands));
        String s = PriceSegments.of(bands, item, null);
        assertEquals("price:1/shopper:new/item:first", s);
        assertNotNull(PriceSegments.of(bands, new ItemSnapshot("j", null, null, 99.0, null, null, 0, 0, 0), null));
        java.util.Set<Integer> indexes = new java.util.HashSet<>();
        for (int band = 0; band <= bands.length; band++) {
            for (String shopper : new String[] {"new", "returning", "buyer"}) {
                for (String view : new String[] {"first", "repeat"}) {
                    int i = PriceSegments.index("price:" + band + "/shopper:" + shopper + "/item:" + view, bands);
                    assertTrue(i >= 0 && i < 18 && indexes.add(i), "index " + i);
                }
            }
        }
        assertEquals(-1, PriceSegments.index("price:3/shopper:new/item:first", bands));
        assertEquals(-1, PriceSegments.index("price:x/shopper:new/item:first", bands));
        assertEquals(-1, PriceSegments.index("price:1/shopper:old/item:first", bands));
        assertEquals(-1, PriceSegments.index("whatever", bands));
        assertEquals(-1, PriceSegments.index(null, bands));
    }
}
