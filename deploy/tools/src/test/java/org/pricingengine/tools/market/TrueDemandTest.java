package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrueDemandTest {
    private static World world(String shape, double median) {
        return World.parse(WorldTest.VALID
                .replace("\"type\": \"logistic\"", shape)
                .replace("\"median\": 3", "\"median\": " + median));
    }

    /** The price on a fine grid with the highest expected margin. */
    private static double bestRatio(TrueDemand.Curve c, double costRatio) {
        double best = 1;
        double bestMargin = -1;
        for (double r = 0.5; r <= 1.0001; r += 0.001) {
            double m = c.margin(r, 1, costRatio);
            if (m > bestMargin) {
                bestMargin = m;
                best = r;
            }
        }
        return best;
    }

    @Test
    void logisticCurveIsTheJobsFormulaWithTraitsAndShopperEffects() {
        TrueDemand truth = new TrueDemand(world("\"type\": \"logistic\"", 3));
        Traits t = new Traits(0, 1, 0, 0, 0.5);
        TrueDemand.Curve c = truth.curve(t, new TrueDemand.Shopper(0.2, 1.0));
        assertEquals(-3 + 0.3 + 0.2, c.a(), 1e-12);
        assertEquals(3 * Math.exp(0.5 * 0.5 + 0.2 * 1.0), c.b(), 1e-12);
        assertEquals(1 / (1 + Math.exp(-(c.a() - c.b() * Math.log(0.9)))), c.probability(9, 10), 1e-12);
    }

    @Test
    void atLowConversionTheLogisticOptimumIsCostTimesBOverBMinusOne() {
        TrueDemand.Curve c = new TrueDemand.Curve(World.ShapeType.LOGISTIC, 0, -6, 4);
        assertEquals(0.6 * 4 / 3, bestRatio(c, 0.6), 0.01);
        TrueDemand.Curve inelastic = new TrueDemand.Curve(World.ShapeType.LOGISTIC, 0, -3, 1);
        assertEquals(1.0, bestRatio(inelastic, 0.6), 1e-9);
    }

    @Test
    void kinkedIgnoresSmallDiscountsAndRespondsBeyondTheThreshold() {
        TrueDemand.Curve c = new TrueDemand.Curve(World.ShapeType.KINKED, 0.06, -3, 7);
        double atList = c.probability(10, 10);
        assertEquals(atList, c.probability(9.5, 10), 1e-15);
        assertEquals(atList, c.probability(9.4, 10), 1e-12);
        assertTrue(c.probability(8.5, 10) > 1.9 * atList);
        assertTrue(c.margin(9.5, 10, 6) < c.margin(10, 10, 6));
        assertTrue(c.margin(8.5, 10, 6) > 1.2 * c.margin(10, 10, 6));
        assertTrue(c.probability(11, 10) < atList, "above list the full sensitivity applies");
    }

    @Test
    void linearDemandFallsInAStraightLineAndStaysAProbability() {
        TrueDemand.Curve c = new TrueDemand.Curve(World.ShapeType.LINEAR, 0, -3, 4.5);
        double p0 = TrueDemand.sigmoid(-3);
        assertEquals(p0 * (1 + 4.5 * 0.1), c.probability(9, 10), 1e-12);
        assertEquals(0, c.probability(20, 10), 1e-12);
        assertEquals((1 + 4.5 + 4.5 * 0.6) / (2 * 4.5), bestRatio(c, 0.6), 0.002);
        assertEquals(1.0, new TrueDemand.Curve(World.ShapeType.LINEAR, 0, 5, 4.5).probability(5, 10), 1e-12);
    }

    @Test
    void shopperEffectsAreFixedPerShopperAndSeed() {
        TrueDemand a = new TrueDemand(world("\"type\": \"logistic\"", 3));
        assertEquals(a.shopper("u1"), a.shopper("u1"));
        assertNotEquals(a.shopper("u1"), a.shopper("u2"));
        assertNotEquals(a.shopper("u1"), new TrueDemand(a.world().withSeed(2)).shopper("u1"));
    }
}
