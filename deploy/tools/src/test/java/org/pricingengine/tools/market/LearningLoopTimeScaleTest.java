package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;

class LearningLoopTimeScaleTest {
    private static Map<String, String> scaled(String... argv) throws Exception {
        return new LearningLoop(LearningLoop.OPTIONS.parse(argv)).timeScaled();
    }

    @Test
    void aStockWorldGetsTheJobsDurationsOnTheLoopsTimeScale() throws Exception {
        // Two hours of event time for a day: 7 days -> 14 h, 90 days -> 180 h, 24 h -> 2 h.
        assertEquals(
                Map.of(
                        PricingConfig.STOCK_DEMAND_HALF_LIFE.key(), "50400s",
                        PricingConfig.STOCK_LOW_COVER.key(), "50400s",
                        PricingConfig.STOCK_HIGH_COVER.key(), "648000s",
                        PricingConfig.COMPETITOR_PRICE_TTL.key(), "7200s"),
                scaled("--world", "deploy/worlds/stock-limited.json", "--day", "2h"));
    }

    @Test
    void anOptionGivenOnTheCommandLineIsLeftAlone() throws Exception {
        Map<String, String> s = scaled("--world", "deploy/worlds/stock-limited.json", "--stock.low-cover", "3h");
        assertEquals(3, s.size());
        assertEquals("25200s", s.get(PricingConfig.STOCK_DEMAND_HALF_LIFE.key()), "7 days at the default 1h a day");
    }

    @Test
    void aWorldWithoutStockOrCompetitorsKeepsTheJobsDefaults() throws Exception {
        assertEquals(Map.of(), scaled("--world", "deploy/worlds/elastic.json"));
        assertEquals(4, scaled("--world", "deploy/worlds/competitive.json").size());
    }
}
