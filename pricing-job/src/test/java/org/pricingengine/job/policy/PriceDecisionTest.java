package org.pricingengine.job.policy;

import org.junit.jupiter.api.Test;

import org.pricingengine.features.events.Json;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PriceDecisionTest {
    @Test
    void aDecisionReadBackFromTheTopicWritesOutToTheSameBytes() throws Exception {
        PriceDecision priced = new PriceDecision(PriceDecision.decisionIdFor("r-1", "u-1", "i-1"), "r-1", "u-1", "i-1", 12.99, 11.7,
                7.794, "v1", "control", 0.08731234567891234, List.of("MODEL_PRICE"), List.of("MAX_CHANGE"), false, true,
                "Price set by an algorithm", 1_569_888_630_123L, 1_700_000_000_001L, 17, 12);
        PriceDecision unknownItem = new PriceDecision(PriceDecision.decisionIdFor("r-2", "u-2", "i-2"), "r-2", "u-2", "i-2", null, null,
                null, "v2", "canary", null, List.of("FALLBACK_UNKNOWN_ITEM"), List.of(), true, false, null,
                1_569_888_630_000L, 1_700_000_000_000L, 0, 0);
        for (PriceDecision d : List.of(priced, unknownItem)) {
            byte[] published = Json.toBytes(d);
            PriceDecision readBack = PriceDecision.fromJson(published);
            assertEquals(d, readBack);
            assertArrayEquals(published, Json.toBytes(readBack));
        }
    }
}
