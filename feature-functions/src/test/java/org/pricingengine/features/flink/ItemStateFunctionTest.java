package org.pricingengine.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.testing.Events;

class ItemStateFunctionTest {
    private KeyedOneInputStreamOperatorTestHarness<String, InboundRecord, EnrichedRequest> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ItemStateFunction(Duration.ofDays(30), Duration.ofSeconds(2), 3),
                InboundRecord::itemId,
                Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void requestCarriesCatalogAndLiveCounts() throws Exception {
        harness.processElement(InboundRecord.of(Events.catalog("i", 20.0, 0)), Events.at(0));
        harness.processElement(InboundRecord.of(Events.event("e1", "u", "i", EventType.VIEW, 1, 20.0)), Events.at(1));
        harness.processElement(
                InboundRecord.of(Events.event("e2", "u", "i", EventType.PURCHASE, 2, 18.0)), Events.at(2));
        harness.processElement(InboundRecord.of(Events.request("r", "u", "i", 3), 99L), Events.at(3));

        EnrichedRequest out = harness.extractOutputValues().get(0);
        assertEquals(99L, out.producedAtMs());
        assertEquals(20.0, out.item().listPrice());
        assertEquals(1, out.item().views());
        assertEquals(1, out.item().purchases());
    }

    @Test
    void olderCatalogUpdateDoesNotOverwriteANewerOne() throws Exception {
        harness.processElement(InboundRecord.of(Events.catalog("i", 25.0, 10)), Events.at(10));
        harness.processElement(InboundRecord.of(Events.catalog("i", 20.0, 5)), Events.at(5));
        harness.processElement(InboundRecord.of(Events.request("r", "u", "i", 11), 0L), Events.at(11));
        assertEquals(25.0, harness.extractOutputValues().get(0).item().listPrice());
    }

    @Test
    void requestWaitsForLateCatalogThenTimerIsCleared() throws Exception {
        harness.setProcessingTime(1000);
        harness.processElement(InboundRecord.of(Events.request("r", "u", "i", 1), 0L), Events.at(1));
        assertEquals(0, harness.extractOutputValues().size());
        assertEquals(1, harness.numProcessingTimeTimers());

        harness.processElement(InboundRecord.of(Events.catalog("i", 9.0, 0)), Events.at(0));
        List<EnrichedRequest> out = harness.extractOutputValues();
        assertEquals(1, out.size());
        assertNotNull(out.get(0).item());
        assertEquals(0, harness.numProcessingTimeTimers(), "the wait timer is deleted once the catalog arrived");
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(1, harness.numKeyedStateEntries(), "only the item profile is left");
    }

    @Test
    void requestWithoutCatalogGoesOnUnpricedAfterTheWaitAndStateIsClean() throws Exception {
        harness.setProcessingTime(1000);
        for (int i = 0; i < 5; i++) {
            harness.processElement(InboundRecord.of(Events.request("r" + i, "u", "i", i), 0L), Events.at(i));
        }
        // The pending list holds 3; the 4th and 5th were released at once without item facts.
        assertEquals(2, harness.extractOutputValues().size());
        harness.setProcessingTime(3001);
        List<EnrichedRequest> out = harness.extractOutputValues();
        assertEquals(5, out.size());
        out.forEach(r -> assertNull(r.item()));
        assertEquals(0, harness.numProcessingTimeTimers());
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(1, harness.numKeyedStateEntries(), "only the item profile remembering the miss (under TTL)");
    }

    @Test
    void afterOneVainWaitLaterRequestsAreNotHeldUntilACatalogEntryArrives() throws Exception {
        harness.setProcessingTime(1000);
        harness.processElement(InboundRecord.of(Events.request("r1", "u", "i", 1), 0L), Events.at(1));
        harness.setProcessingTime(3001);
        assertEquals(1, harness.extractOutputValues().size());

        harness.processElement(InboundRecord.of(Events.request("r2", "u2", "i", 2), 0L), Events.at(2));
        assertEquals(2, harness.extractOutputValues().size(), "released at once, no second wait");
        assertNull(harness.extractOutputValues().get(1).item());
        assertEquals(0, harness.numProcessingTimeTimers());

        harness.processElement(InboundRecord.of(Events.catalog("i", 9.0, 3)), Events.at(3));
        harness.processElement(InboundRecord.of(Events.request("r3", "u3", "i", 4), 0L), Events.at(4));
        assertEquals(9.0, harness.extractOutputValues().get(2).item().listPrice());

        assertEquals(0, harness.numProcessingTimeTimers());
    }

    @Test
    void endOfInputWatermarkReleasesWaitingRequests() throws Exception {
        harness.setProcessingTime(1000);
        harness.processElement(InboundRecord.of(Events.request("r", "u", "i", 1), 0L), Events.at(1));
        harness.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
        assertEquals(1, harness.extractOutputValues().size());
        assertNull(harness.extractOutputValues().get(0).item());
        assertEquals(0, harness.numProcessingTimeTimers());
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(1, harness.numKeyedStateEntries(), "only the item profile remembering the miss (under TTL)");
    }

    private static final long HOUR = 3600;

    private EnrichedRequest priced(String requestId, long seconds) throws Exception {
        harness.processElement(InboundRecord.of(Events.request(requestId, "u", "i", seconds), 0L), Events.at(seconds));
        List<EnrichedRequest> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private void competitor(String name, double price, long seconds) throws Exception {
        harness.processElement(
                InboundRecord.of(
                        new org.pricingengine.features.events.CompetitorPrice("i", name, price, Events.at(seconds))),
                Events.at(seconds));
    }

    @Test
    void theLowestLiveCompetitorPriceReachesTheRequest() throws Exception {
        harness.processElement(InboundRecord.of(Events.catalog("i", 20.0, 0)), Events.at(0));
        competitor("a", 19.0, 10);
        competitor("b", 18.0, 20);
        competitor("b", 21.0, 5); // older than b's 18: ignored
        EnrichedRequest first = priced("r1", 30);
        assertEquals("b", first.item().lowestCompetitor());
        assertEquals(18.0, first.item().lowestCompetitorPrice());
        competitor("b", 19.5, 40); // b's newer price replaces its older one
        assertEquals("a", priced("r2", 50).item().lowestCompetitor());
        // 24 h after the observations none is live any more.
        EnrichedRequest late = priced("r3", 25 * HOUR);
        assertNull(late.item().lowestCompetitor());
        assertNull(late.item().lowestCompetitorPrice());
    }

    @Test
    void anItemKeepsAtMostTheBoundOfCompetitorsDroppingTheOldestObservation() throws Exception {
        harness.close();
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ItemStateFunction(
                        Duration.ofDays(30),
                        Duration.ofSeconds(2),
                        3,
                        new ItemFacts(Duration.ofDays(7), Duration.ofHours(24), 2, Duration.ofHours(1))),
                InboundRecord::itemId,
                Types.STRING);
        harness.open();
        harness.processElement(InboundRecord.of(Events.catalog("i", 20.0, 0)), Events.at(0));
        competitor("oldest-and-cheapest", 10.0, 1);
        competitor("b", 15.0, 2);
        competitor("c", 16.0, 3);
        EnrichedRequest out = priced("r", 4);
        assertEquals("b", out.item().lowestCompetitor(), "the oldest observation was dropped for the third");
    }

    @Test
    void expectedDemandCountsRecentPurchasesPerDay() throws Exception {
        harness.processElement(InboundRecord.of(Events.catalog("i", 20.0, 0)), Events.at(0));
        assertNull(priced("r0", 1).item().dailyDemand(), "no purchase yet: unknown, not zero");
        // 8 purchases over two days, each decayed by its age with the week's half-life, over the two days watched.
        for (int k = 0; k < 8; k++) {
            harness.processElement(
                    InboundRecord.of(Events.event("p" + k, "u" + k, "i", EventType.PURCHASE, k * 6 * HOUR, 20.0)),
                    Events.at(k * 6 * HOUR));
        }
        double decayed = 0;
        for (int k = 0; k < 8; k++) {
            decayed += Math.pow(0.5, (48 - k * 6) / 168.0);
        }
        assertEquals(decayed / 2, priced("r1", 48 * HOUR).item().dailyDemand(), 1e-9);
        assertTrue(decayed / 2 > 3.5 && decayed / 2 < 4.0);
    }

    @Test
    void theFairnessWindowKeepsItsPricesUntilItEndsOrTheListPriceChanges() throws Exception {
        harness.processElement(InboundRecord.of(Events.catalog("i", 20.0, 0)), Events.at(0));
        competitor("a", 19.0, 1);
        EnrichedRequest opened = priced("r1", 10);
        assertEquals(Events.at(10), opened.item().fairnessWindowStartMs());
        assertEquals(19.0, opened.item().fairnessCompetitorPrice());
        competitor("a", 15.0, 20);
        EnrichedRequest inside = priced("r2", 30 * 60);
        assertEquals(Events.at(10), inside.item().fairnessWindowStartMs(), "same window");
        assertEquals(19.0, inside.item().fairnessCompetitorPrice(), "the window's competitor price");
        assertEquals(15.0, inside.item().lowestCompetitorPrice(), "the live one moved on");
        harness.processElement(InboundRecord.of(Events.catalog("i", 22.0, 31 * 60)), Events.at(31 * 60));
        EnrichedRequest repriced = priced("r3", 32 * 60);
        assertEquals(Events.at(32 * 60), repriced.item().fairnessWindowStartMs(), "a list-price change opens one");
        assertEquals(22.0, repriced.item().fairnessListPrice());
        EnrichedRequest next = priced("r4", 32 * 60 + HOUR);
        assertEquals(Events.at(32 * 60 + HOUR), next.item().fairnessWindowStartMs(), "an hour later, a new one");
    }
}
