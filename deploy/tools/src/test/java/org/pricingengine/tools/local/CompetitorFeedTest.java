package org.pricingengine.tools.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.events.Json;

class CompetitorFeedTest {
    private static final long HOUR = 3_600_000;

    @Test
    void theSameSeedGivesTheSamePricesAndAnotherSeedOthers() {
        CompetitorFeed a = new CompetitorFeed(CompetitorFeed.Settings.defaults(), 42);
        CompetitorFeed b = new CompetitorFeed(CompetitorFeed.Settings.defaults(), 42);
        CompetitorFeed c = new CompetitorFeed(CompetitorFeed.Settings.defaults(), 43);
        int differ = 0;
        for (int i = 0; i < 200; i++) {
            List<CompetitorPrice> x = a.prices("item-" + i, 20.0, 5 * HOUR);
            assertEquals(x, b.prices("item-" + i, 20.0, 5 * HOUR));
            if (!x.equals(c.prices("item-" + i, 20.0, 5 * HOUR))) {
                differ++;
            }
        }
        assertTrue(differ > 190, "another seed, other prices: " + differ + " of 200 items differ");
        assertEquals(List.of("shopA", "shopB", "shopC"), a.competitors());
    }

    @Test
    void pricesFollowTheDocumentedProcess() {
        // No undercuts, no positioning spread: every price is list x (1 + 0.02 + 0.05 N(0, 1)), rounded to cents.
        CompetitorFeed feed =
                new CompetitorFeed(new CompetitorFeed.Settings(4, 0.75, 0.02, 0.0, 0.05, 6.0, 0.0, 0.1, 0.2), 7);
        double sum = 0;
        double squares = 0;
        int n = 0;
        int carried = 0;
        int offered = 0;
        for (int i = 0; i < 5000; i++) {
            for (int shop = 0; shop < 4; shop++) {
                offered++;
                double p = feed.price("item-" + i, 100.0, shop, 3);
                if (Double.isNaN(p)) {
                    continue;
                }
                carried++;
                assertEquals(p, Math.round(p * 100) / 100.0, 1e-9, "cents");
                double r = p / 100.0 - 1;
                sum += r;
                squares += r * r;
                n++;
            }
        }
        double mean = sum / n;
        double sd = Math.sqrt(squares / n - mean * mean);
        // n is about 15,000: the mean's standard error is 0.0004, the sd's about 0.0003.
        assertEquals(0.02, mean, 0.002);
        assertEquals(0.05, sd, 0.002);
        assertEquals(0.75, (double) carried / offered, 0.015);
    }

    @Test
    void undercutsAreAsFrequentAndAsDeepAsSet() {
        CompetitorFeed feed =
                new CompetitorFeed(new CompetitorFeed.Settings(2, 1.0, 0.0, 0.0, 0.0, 6.0, 0.1, 0.1, 0.2), 9);
        int undercuts = 0;
        int n = 0;
        for (int i = 0; i < 10_000; i++) {
            for (int shop = 0; shop < 2; shop++) {
                double ratio = feed.price("item-" + i, 50.0, shop, 0) / 50.0;
                n++;
                if (ratio < 0.999) {
                    undercuts++;
                    assertTrue(ratio >= 0.8 - 1e-3 && ratio <= 0.9 + 1e-3, "an undercut of 10-20%: " + ratio);
                } else {
                    assertEquals(1.0, ratio, 1e-9, "no spread: list price");
                }
            }
        }
        assertEquals(0.1, (double) undercuts / n, 0.01);
    }

    @Test
    void theFeedReportsNewItemsListChangesAndNewPeriodsOnly() {
        CompetitorFeed feed = new CompetitorFeed(CompetitorFeed.Settings.defaults(), 1);
        long t = 1_002 * HOUR; // the start of a 6-hour period (167 x 6 h)
        List<CompetitorPrice> first = feed.observe("i", 10.0, t);
        assertTrue(!first.isEmpty() && first.size() <= 3);
        first.forEach(o -> assertEquals(t, o.observedTimeMs()));
        assertEquals(List.of(), feed.observe("i", 10.0, t + HOUR), "same period, same list price");
        List<CompetitorPrice> repriced = feed.observe("i", 12.0, t + 2 * HOUR);
        assertEquals(first.size(), repriced.size(), "a list change: the same shops report again");
        List<CompetitorPrice> next = feed.observe("i", 12.0, t + 6 * HOUR);
        assertEquals(first.size(), next.size(), "a new period: prices redrawn");
        assertNotEquals(
                repriced.stream().map(CompetitorPrice::price).toList(),
                next.stream().map(CompetitorPrice::price).toList());
        assertEquals(List.of(), feed.observe("free", 0.0, t), "no list price, no competitor price");
    }

    @Test
    void anObservationIsTheTopicsRecord() {
        String json = Json.toJson(new CompetitorPrice("5773203", "shopA", 12.49, 1_796_274_000_000L));
        assertEquals(
                "{\"item_id\":\"5773203\",\"competitor\":\"shopA\",\"price\":12.49,\"observed_time\":\"2026-12-03T05:00:00Z\"}",
                json);
    }

    @Test
    void badSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new CompetitorFeed(new CompetitorFeed.Settings(0, 1.0, 0.0, 0.0, 0.0, 6.0, 0.0, 0.1, 0.2), 1));
        assertTrue(e.getMessage().startsWith("competitors.competitors:"), e.getMessage());
    }
}
