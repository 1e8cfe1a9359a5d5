package org.pricingengine.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
