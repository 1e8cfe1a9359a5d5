package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.policy.PricingPolicy;

class TruthLedgerTest {
    static final PricingPolicy POLICY = new PricingPolicy(PolicySettings.from(PricingConfig.defaults()));
    /** Elastic truth: the best of the candidates below is the lowest, 8.50. */
    static final TrueDemand.Curve TRUTH = new TrueDemand.Curve(World.ShapeType.LOGISTIC, 0, -4, 4);

    static PriceExperiment experiment(
            String group, double[] candidates, double[] probabilities, int chosen, boolean uniformPick, double shift) {
        return new PriceExperiment(
                "thompson-ladder",
                group,
                "price:1/shopper:new/item:new",
                candidates,
                probabilities,
                chosen,
                probabilities[chosen],
                probabilities[chosen] < 1,
                uniformPick,
                7.0,
                10.0,
                -4.0,
                1.0,
                new double[] {0, shift},
                new double[] {0.1, 0.1},
                new double[] {0, shift},
                10,
                "fs-1",
                true);
    }

    static PriceDecision decision(Double price, Double list, PriceExperiment x) {
        return new PriceDecision(
                "d1",
                "r1",
                "u1",
                "i1",
                list,
                price,
                list == null ? null : list * 0.6,
                "v1",
                "control",
                0.02,
                List.of("MODEL_OPTIMUM"),
                List.of(),
                false,
                true,
                "X",
                0,
                0,
                0,
                0,
                x);
    }

    @Test
    void pricesTheDecisionListUniformOracleAndGreedyUnderTheTruth() {
        double[] candidates = {10.0, 9.5, 9.0, 8.5};
        PriceExperiment x = experiment("policy", candidates, new double[] {0.4, 0.3, 0.2, 0.1}, 1, false, 0);
        TruthLedger.Entry e = TruthLedger.price(7, 3, decision(9.5, 10.0, x), TRUTH, POLICY, 0.6);
        assertEquals(TRUTH.margin(9.5, 10, 6), e.policy(), 1e-12);
        assertEquals(TRUTH.margin(10, 10, 6), e.list(), 1e-12);
        // Discounts of the default ladder: 0, 3, 5, 8, 10 and 15%.
        assertEquals(TRUTH.margin(9.0, 10, 6), e.uniform()[4], 1e-6);
        assertEquals(TRUTH.margin(8.5, 10, 6), e.uniform()[5], 1e-6);
        assertEquals(6, e.uniform().length);
        assertEquals(TRUTH.margin(8.5, 10, 6), e.oracle(), 1e-12);
        // The logged curve (sensitivity 1 + shift 0) is inelastic: greedy keeps list price.
        assertEquals(TRUTH.margin(10, 10, 6), e.noExploration(), 1e-12);
        assertTrue(e.exploration());
        assertTrue(e.discounted());
        assertEquals(0.95, e.priceRatio(), 1e-12);
        assertFalse(e.guardrailViolation());
        assertEquals(7, e.seq());
        assertEquals(3, e.shopper());
    }

    @Test
    void greedyFollowsThePosteriorMean() {
        double[] candidates = {10.0, 9.5, 9.0, 8.5};
        PriceExperiment x = experiment("policy", candidates, new double[] {0.25, 0.25, 0.25, 0.25}, 0, true, 4);
        assertEquals(8.5, TruthLedger.greedyCandidate(x, 10, 6), 1e-12);
        TruthLedger.Entry e = TruthLedger.price(0, 0, decision(10.0, 10.0, x), TRUTH, POLICY, 0.6);
        assertEquals(e.oracle(), e.noExploration(), 1e-12);
        assertTrue(e.exploration(), "a uniform pick is exploration");
    }

    @Test
    void guardrailBreachesAndHoldoutOffListAreFlagged() {
        PriceExperiment x = experiment("policy", new double[] {10.0}, new double[] {1}, 0, false, 0);
        assertTrue(TruthLedger.price(0, 0, decision(6.5, 10.0, x), TRUTH, POLICY, 0.6)
                .outsideDecisionBounds());
        assertTrue(TruthLedger.price(0, 0, decision(10.5, 10.0, x), TRUTH, POLICY, 0.6)
                .outsideHardBounds());
        PriceExperiment holdout = experiment("holdout", new double[] {10.0, 9.0}, new double[] {0, 1}, 1, false, 0);
        TruthLedger.Entry e = TruthLedger.price(0, 0, decision(9.0, 10.0, holdout), TRUTH, POLICY, 0.6);
        assertTrue(e.holdoutOffList());
        assertFalse(e.exploration(), "propensity 1 is no exploration");
        // After a list-price jump the change limit caps everyone's quote, the holdout's too: its ceiling here.
        PriceExperiment capped = new PriceExperiment(
                "thompson-ladder",
                "holdout",
                "s",
                new double[] {9.0},
                new double[] {1},
                0,
                1,
                false,
                false,
                8.1,
                9.0,
                -4.0,
                1.0,
                new double[] {0, 0},
                new double[] {0.1, 0.1},
                new double[] {0, 0},
                10,
                "fs-1",
                false);
        assertFalse(TruthLedger.price(0, 0, decision(9.0, 10.0, capped), TRUTH, POLICY, 0.6)
                .holdoutOffList());
        assertFalse(TruthLedger.price(0, 0, decision(10.0, 10.0, x), TRUTH, POLICY, 0.6)
                .guardrailViolation());
    }

    @Test
    void withoutAnExperimentTheJobsBoundsAndOwnPriceStandIn() {
        TruthLedger.Entry e = TruthLedger.price(0, 0, decision(9.0, 10.0, null), TRUTH, POLICY, 0.6);
        // The oracle may take any ladder price inside the bounds: here the deepest, 8.50.
        assertEquals(TRUTH.margin(8.5, 10, 6), e.oracle(), 1e-12);
        assertEquals(e.policy(), e.noExploration(), 1e-12);
        assertEquals("(none)", e.segment());
        // Inside the hard bounds (floor 7.00): 15% off is 8.50.
        assertEquals(TRUTH.margin(8.5, 10, 6), e.uniform()[5], 1e-6);
        TruthLedger.Entry unknown = TruthLedger.price(0, 0, decision(null, null, null), TRUTH, POLICY, 0.6);
        assertFalse(unknown.priced());
        assertEquals(0, unknown.policy() + unknown.list() + unknown.oracle());
    }
}
