package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoringFailure;

class PricingPolicyTest {
    private final PricingPolicy policy = new PricingPolicy(PolicySettings.from(PricingConfig.defaults()));

    private static ItemSnapshot item(double listPrice, Double unitCost) {
        return new ItemSnapshot("i", "c", "b", listPrice, unitCost, null, 0, 0, 0);
    }

    /** The floor and ceiling computed here from the documented defaults, independently of the policy. */
    private static void assertInsideGuardrails(double price, ItemSnapshot item, String context) {
        double cost = item.unitCost() != null ? item.unitCost() : item.listPrice() * 0.6;
        double ceiling = item.listPrice();
        double floor = Math.min(ceiling, Math.max(item.listPrice() * 0.7, cost * 1.05));
        assertTrue(Double.isFinite(price), context);
        assertTrue(price <= ceiling + 1e-9, context + ": " + price + " above ceiling " + ceiling);
        assertTrue(price >= floor - 0.01 - 1e-9, context + ": " + price + " below floor " + floor);
        assertEquals(Math.round(price * 100) / 100.0, price, 1e-9, context + ": not rounded to cents");
    }

    @Test
    void priceStaysInsideGuardrailsWhateverTheModelSays() {
        Random random = new Random(7);
        double[] extremes = {
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            -1e9,
            1e9,
            0,
            -0.0,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            -5,
            40
        };
        for (int i = 0; i < 20_000; i++) {
            double list = Math.exp(random.nextDouble() * 9 - 2); // 0.13 .. 1100
            Double cost = random.nextBoolean() ? null : list * random.nextDouble() * 1.5;
            ItemSnapshot item = item(Math.round(list * 100) / 100.0 + 0.01, cost);
            double a = i % 3 == 0 ? extremes[random.nextInt(extremes.length)] : random.nextGaussian() * 5;
            double b = i % 5 == 0 ? extremes[random.nextInt(extremes.length)] : random.nextDouble() * 30;
            Double previous = random.nextInt(4) == 0 ? item.listPrice() * (0.5 + random.nextDouble()) : null;
            PriceQuote quote = policy.decide(item, new DemandEstimate(a, b), null, previous);
            assertInsideGuardrails(
                    quote.price(), item, "a=" + a + " b=" + b + " list=" + item.listPrice() + " cost=" + cost);
        }
    }

    @Test
    void nanOrNegativeSensitivityFallsBackToListPrice() {
        ItemSnapshot item = item(20.0, null);
        for (DemandEstimate bad : List.of(
                new DemandEstimate(Double.NaN, 1),
                new DemandEstimate(0, -2),
                new DemandEstimate(Double.POSITIVE_INFINITY, 1),
                new DemandEstimate(1e6, 1))) {
            PriceQuote q = policy.decide(item, bad, null, null);
            assertTrue(q.fallback(), bad.toString());
            assertEquals(20.0, q.price());
            assertEquals(ReasonCode.FALLBACK_INVALID_MODEL_OUTPUT, q.reasons().get(0));
            assertNull(q.expectedConversion());
        }
    }

    @Test
    void modelFailureFallsBackToListPriceWithItsReason() {
        PriceQuote q = policy.decide(item(15.5, 5.0), null, ScoringFailure.MODEL_TIMEOUT, null);
        assertTrue(q.fallback());
        assertEquals(15.5, q.price());
        assertEquals(List.of(ReasonCode.FALLBACK_MODEL_TIMEOUT), q.reasons());
        assertEquals(List.of(Guardrail.CEILING_LIST_PRICE), q.guardrails());
    }

    @Test
    void priceInsensitiveDemandKeepsListPriceAndSensitiveDemandIsDiscounted() {
        ItemSnapshot item = item(100.0, 40.0);
        PriceQuote flat = policy.decide(item, new DemandEstimate(-3, 0.0), null, null);
        assertEquals(100.0, flat.price());
        assertTrue(flat.reasons().contains(ReasonCode.AT_LIST_PRICE));
        assertFalse(flat.fallback());

        // Elastic demand: margin (p - 40) * sigmoid(-3 - 8 ln(p/100)) peaks well below list price.
        PriceQuote elastic = policy.decide(item, new DemandEstimate(-3, 8.0), null, null);
        assertTrue(elastic.price() < 100.0 && elastic.price() >= 70.0, "price " + elastic.price());
        assertTrue(elastic.reasons().contains(ReasonCode.DISCOUNTED));
        assertTrue(elastic.expectedConversion() > flat.expectedConversion());
        double expectedMargin = (elastic.price() - 40) * elastic.expectedConversion();
        for (double p : policy.candidates(100.0, policy.bounds(item, null))) {
            double m = (p - 40) * new DemandEstimate(-3, 8.0).conversionAt(p, 100);
            assertTrue(expectedMargin >= m - 1e-12, "a better candidate at " + p);
        }
    }

    @Test
    void costAboveListPriceQuotesListPriceAndSaysSo() {
        PriceQuote q = policy.decide(item(10.0, 12.0), new DemandEstimate(0, 5), null, null);
        assertEquals(10.0, q.price());
        assertTrue(q.reasons().contains(ReasonCode.COST_ABOVE_LIST_PRICE));
    }

    @Test
    void changeLimitKeepsANewQuoteNearThePreviousOne() {
        ItemSnapshot item = item(100.0, 10.0);
        PriceQuote q = policy.decide(item, new DemandEstimate(-3, 0.0), null, 80.0);
        assertEquals(88.0, q.price(), 1e-9, "at most +10% from the previous 80.00");
        assertTrue(q.guardrails().contains(Guardrail.CHANGE_LIMIT));
    }
}
