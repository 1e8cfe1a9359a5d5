package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.tools.local.LocalStack;

class MarketTemplateTest {
    private static ReplayRecord view(String user, String item, long t) {
        return new ReplayRecord(
                ReplayRecord.Role.BEHAVIOUR,
                user,
                new BehaviourEvent("e" + t, user, item, EventType.VIEW, t, 1, null, null, null),
                t);
    }

    private static ReplayRecord request(String user, String item, long t) {
        return new ReplayRecord(
                ReplayRecord.Role.REQUEST, user, new PriceRequest("r" + t, user, item, t, "web", null), t);
    }

    @Test
    void dropsLoggedOutcomesShortensGapsAndKnowsTheNextRequestForTheSameItem() {
        ReplayRecord purchase = new ReplayRecord(
                ReplayRecord.Role.BEHAVIOUR,
                "u",
                new BehaviourEvent("p", "u", "a", EventType.PURCHASE, 1500, 1, null, null, null),
                1500);
        MarketTemplate t = MarketTemplate.of(
                List.of(
                        request("u", "a", 1000),
                        view("u", "a", 1000),
                        purchase,
                        request("u", "b", 61_000),
                        request("u", "a", 62_000)),
                2000);
        assertEquals(4, t.entries.size());
        assertEquals(
                List.of(0L, 0L, 2000L, 3000L),
                t.entries.stream().map(MarketTemplate.Entry::timeMs).toList());
        assertEquals(3000L, t.entries.get(0).nextSameItemRequestMs());
        assertEquals(Long.MAX_VALUE, t.entries.get(2).nextSameItemRequestMs());
        assertEquals(1000, t.startMs);
        assertEquals(5000, t.spanMs);
        assertEquals(3, t.requests);
    }

    @Test
    void theBundledPassClosesAnAttributionWindowEveryFewThousandRequests() throws Exception {
        MarketTemplate t = MarketTemplate.bundled(
                LocalStack.repositoryRoot().resolve("model-assets/data/rees46"), MarketLoop.MAX_GAP_MS);
        double requestsPerHour = t.requests / (t.spanMs / 3_600_000.0);
        assertTrue(
                requestsPerHour > 1000 && requestsPerHour < 6000,
                "requests per hour of event time: " + requestsPerHour);
        assertTrue(t.entries.stream()
                .noneMatch(e -> e.record().role() == ReplayRecord.Role.BEHAVIOUR
                        && ((BehaviourEvent) e.record().value()).type() != EventType.VIEW));
    }
}
