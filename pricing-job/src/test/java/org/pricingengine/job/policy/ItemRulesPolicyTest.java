package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.DemandEstimate;

/** Stock, competitor and fairness rules: the bounds they give and the reasons and words a decision gets. */
class ItemRulesPolicyTest {
    /** Very price-sensitive shoppers: without other limits the deepest rung (15% off) wins. */
    private static final DemandEstimate ELASTIC = new DemandEstimate(-2.0, 6.0);
    /** Shoppers who barely react: the list price wins. */
    private static final DemandEstimate INELASTIC = new DemandEstimate(-2.0, 0.2);

    private static PricingPolicy policy(Map<String, String> options) {
        return new PricingPolicy(PolicySettings.from(PricingConfig.of(options)));
    }

    private static final PricingPolicy DEFAULTS = policy(Map.of());

    /** List 100, cost 50, with the given stock and a purchase count high enough to trust its cover. */
    private static ItemSnapshot stocked(Long inventory, Double dailyDemand) {
        return new ItemSnapshot("i", "c", "b", 100.0, 50.0, null, 0, 0, 10).withStock(inventory, dailyDemand);
    }

    @Test
    void anEmptyShelfIsNeverDiscounted() {
        PriceQuote quote = DEFAULTS.decide(stocked(0L, null), ELASTIC, null, null);
        assertEquals(100.0, quote.price());
        assertTrue(quote.reasons().contains(ReasonCode.LOW_STOCK));
        assertEquals(100.0, quote.bounds().floor());
    }

    @Test
    void scarceStockRaisesTheDiscountFloorByItsScarcity() {
        // 7 days low cover; 35 units at 10 a day = 3.5 days: scarcity 0.5, max discount 30% -> 15%.
        PriceBounds bounds = DEFAULTS.bounds(stocked(35L, 10.0), null);
        assertEquals(0.5, bounds.stock().scarcity(), 1e-9);
        assertEquals(85.0, bounds.floor(), 1e-9);
        assertEquals(Guardrail.FLOOR_LOW_STOCK, bounds.floorGuardrail());
        // The objective's cost is 50 + 0.5 x (100 - 50) = 75: a 15% discount at this curve no longer pays.
        assertEquals(75.0, DEFAULTS.objectiveCost(stocked(35L, 10.0), bounds.stock()), 1e-9);
        PriceQuote scarce = DEFAULTS.decide(stocked(35L, 10.0), ELASTIC, null, null);
        PriceQuote plenty = DEFAULTS.decide(stocked(700L, 10.0), ELASTIC, null, null);
        assertTrue(
                scarce.price() > plenty.price(),
                "scarce " + scarce.price() + " discounts less than plenty " + plenty.price());
        assertTrue(scarce.reasons().contains(ReasonCode.LOW_STOCK));
        assertFalse(plenty.reasons().contains(ReasonCode.LOW_STOCK));
    }

    @Test
    void overstockMayClearBelowTheLadderButNeverBelowTheMarginFloor() {
        // 90 days high cover; 2700 units at 10 a day = 270 days: glut min(1, 180/90) = 1.
        ItemSnapshot glut = stocked(2700L, 10.0);
        PriceBounds bounds = DEFAULTS.bounds(glut, null);
        assertEquals(1.0, bounds.stock().glut(), 1e-9);
        // Clearance 50% off = 50, the margin floor 50 x 1.05 = 52.5 holds.
        assertEquals(52.5, bounds.floor(), 1e-9);
        assertEquals(Guardrail.FLOOR_MIN_MARGIN, bounds.floorGuardrail());
        double[] candidates = DEFAULTS.candidates(100.0, bounds);
        assertEquals(52.5, candidates[candidates.length - 1], 1e-9, "the clearance price is a candidate");
        PriceQuote quote = DEFAULTS.decide(glut, ELASTIC, null, null);
        assertTrue(quote.price() < 85.0, "clears deeper than the ladder's 15%: " + quote.price());
        assertTrue(quote.reasons().contains(ReasonCode.OVERSTOCK));
    }

    @Test
    void aNewItemWithFewPurchasesIsNotCalledOverstocked() {
        ItemSnapshot few = new ItemSnapshot("i", "c", "b", 100.0, 50.0, null, 0, 0, 2).withStock(5000L, 1.0);
        assertFalse(DEFAULTS.bounds(few, null).stock().overstocked());
        assertFalse(
                policy(Map.of("stock.enabled", "false"))
                        .bounds(stocked(0L, null), null)
                        .stock()
                        .scarce(),
                "stock.enabled=false turns the rule off");
    }

    @Test
    void theLowestLiveCompetitorCapsThePriceAndIsNamed() {
        ItemSnapshot item = stocked(null, null).withCompetitor("shopA", 90.0);
        PriceQuote quote = DEFAULTS.decide(item, INELASTIC, null, null);
        // 90 x 1.05 = 94.5
        assertEquals(94.5, quote.price(), 1e-9);
        assertTrue(quote.reasons().contains(ReasonCode.COMPETITOR_BOUND));
        assertTrue(quote.guardrails().contains(Guardrail.COMPETITOR_PRICE));
        assertEquals(
                new CompetitorBound("shopA", 90.0, 94.5, false), quote.bounds().competitor());

        PriceQuote matched = policy(Map.of("competitor.match", "true")).decide(item, INELASTIC, null, null);
        assertEquals(90.0, matched.price(), 1e-9);
    }

    @Test
    void aCompetitorBelowTheFloorIsNotFollowed() {
        ItemSnapshot item = stocked(null, null).withCompetitor("dumper", 40.0);
        PriceQuote quote = DEFAULTS.decide(item, INELASTIC, null, null);
        // The floor: max(50 x 1.05, 100 x 0.7) = 70.
        assertEquals(70.0, quote.price(), 1e-9);
        assertTrue(quote.reasons().contains(ReasonCode.COMPETITOR_BELOW_FLOOR));
        assertTrue(quote.bounds().competitor().belowFloor());
        assertNull(policy(Map.of("competitor.guardrail", "false"))
                .bounds(item, null)
                .competitor());
    }

    @Test
    void theFairnessBandKeepsEveryQuoteOfAWindowWithinTheSpread() {
        PricingPolicy tight = policy(Map.of("fairness.max-spread", "0.1"));
        ItemSnapshot item = stocked(null, null).withFairnessWindow(0L, 100.0, null);
        PriceQuote elastic = tight.decide(item, ELASTIC, null, null);
        PriceQuote inelastic = tight.decide(item, INELASTIC, null, null);
        assertEquals(90.0, elastic.price(), 1e-9);
        assertTrue(elastic.reasons().contains(ReasonCode.FAIRNESS_BAND));
        assertEquals(100.0, inelastic.price(), 1e-9);
        assertTrue(inelastic.price() - elastic.price() <= 0.1 * 100 + 1e-9);

        // A competitor that raised its price since the window opened does not lift the window's top.
        ItemSnapshot raised = stocked(null, null).withCompetitor("shopA", 99.0).withFairnessWindow(0L, 100.0, 80.0);
        PriceBounds bounds = tight.bounds(raised, null);
        assertEquals(84.0, bounds.ceiling(), 1e-9, "80 x 1.05 when the window opened");
        assertEquals(Guardrail.FAIRNESS_SPREAD, bounds.ceilingGuardrail());
        assertEquals(74.0, bounds.floor(), 1e-9, "84 - 10% of 100");
    }

    @Test
    void theDefaultFairnessSpreadLeavesTheLadderAlone() {
        ItemSnapshot item = stocked(null, null).withFairnessWindow(0L, 100.0, null);
        assertEquals(85.0, DEFAULTS.decide(item, ELASTIC, null, null).price(), 1e-9);
    }

    @Test
    void theExplanationNamesWhatMovedThePrice() {
        ItemSnapshot item = stocked(35L, 10.0).withCompetitor("shopA", 90.0);
        PriceQuote quote = DEFAULTS.decide(item, INELASTIC, null, null);
        Explanation explanation = Explanation.of(
                quote.price(), 100.0, quote.reasons(), quote.guardrails(), quote.bounds(), quote.experiment());
        assertNotNull(explanation.summary());
        assertTrue(explanation.summary().contains("94.50"), explanation.summary());
        assertTrue(
                explanation.factors().stream().anyMatch(f -> f.factor().equals(Explanation.STOCK)),
                explanation.toString());
        assertTrue(
                explanation.factors().stream()
                        .anyMatch(f -> f.factor().equals(Explanation.COMPETITOR)
                                && f.text().contains("shopA")),
                explanation.toString());
        for (Guardrail g : Guardrail.values()) {
            // Every guardrail is either worded on its own or by the factor it belongs to.
            assertTrue(
                    Explanation.guardrailText(g) != null
                            || g == Guardrail.COMPETITOR_PRICE
                            || g == Guardrail.FAIRNESS_SPREAD,
                    g.name());
        }
    }
}
