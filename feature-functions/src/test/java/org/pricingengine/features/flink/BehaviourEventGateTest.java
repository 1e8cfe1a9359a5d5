package org.pricingengine.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.testing.Events;

class BehaviourEventGateTest {
    private KeyedOneInputStreamOperatorTestHarness<String, InboundRecord, InboundRecord> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new BehaviourEventGate("behaviour", 4, Duration.ofHours(1), Duration.ofDays(1)),
                r -> r.behaviour.userId(),
                Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void send(String id, String user, long seconds, long offset) throws Exception {
        BehaviourEvent e = Events.event(id, user, "i-1", EventType.PURCHASE, seconds, 9.5);
        harness.processElement(InboundRecord.of(e, 0, offset), Events.at(seconds));
    }

    private List<String> accepted() {
        return harness.extractOutputValues().stream()
                .map(r -> r.behaviour.eventId())
                .toList();
    }

    private List<DeadLetter> refused() {
        return harness.getSideOutput(BehaviourEventGate.DEAD_LETTERS) == null
                ? List.of()
                : harness.getSideOutput(BehaviourEventGate.DEAD_LETTERS).stream()
                        .map(r -> r.getValue())
                        .toList();
    }

    @Test
    void aRepeatedPurchaseIsRefusedOnceCountedAndNamesItsSource() throws Exception {
        send("p-1", "u", 100, 10);
        send("p-1", "u", 100, 11); // a producer retry
        send("p-1", "other-user", 100, 12); // ids are per user
        assertEquals(List.of("p-1", "p-1"), accepted());
        List<DeadLetter> refused = refused();
        assertEquals(1, refused.size());
        assertTrue(
                refused.get(0).reason().startsWith("DUPLICATE_EVENT:"),
                refused.get(0).reason());
        assertEquals("behaviour", refused.get(0).sourceTopic());
        assertEquals(11, refused.get(0).offset());
        assertTrue(
                refused.get(0).rawRecord().contains("\"event_id\":\"p-1\""),
                refused.get(0).rawRecord());
        assertEquals(
                2, harness.getSideOutput(BehaviourEventGate.ACCEPTED_EVENTS).size());
    }

    @Test
    void onlyTheLatestEventsAreRemembered() throws Exception {
        for (int i = 0; i < 6; i++) {
            send("e-" + i, "u", 100 + i, i);
        }
        send("e-0", "u", 100, 6); // fell out of the 4-event window: accepted again
        send("e-5", "u", 105, 7); // still in it
        assertEquals(List.of("e-0", "e-1", "e-2", "e-3", "e-4", "e-5", "e-0"), accepted());
        assertEquals(List.of(7L), refused().stream().map(DeadLetter::offset).collect(Collectors.toList()));
    }

    @Test
    void eventsOutOfOrderWithinTheLatenessAreAcceptedOlderOnesRefused() throws Exception {
        send("a", "u", 10_000, 0);
        send("b", "u", 10_000 - 3599, 1); // 59:59 late
        send("c", "u", 10_000 - 3601, 2); // more than an hour
        send("d", "new-user", 5, 3); // a first event is never late
        assertEquals(List.of("a", "b", "d"), accepted());
        List<DeadLetter> refused = refused();
        assertEquals(1, refused.size());
        assertTrue(
                refused.get(0).reason().startsWith("LATE_EVENT:"),
                refused.get(0).reason());
        assertEquals(2, refused.get(0).offset());
    }

    @Test
    void stateIsOneSmallEntryPerUserAndExpiresWithTheUserTtl() throws Exception {
        send("a", "u1", 10, 0);
        send("b", "u2", 10, 1);
        assertEquals(2, harness.numKeyedStateEntries());
        harness.setStateTtlProcessingTime(Duration.ofDays(1).toMillis() + 1);
        send("c", "u3", 20, 2);
        send("a", "u1", 10, 3); // u1 expired: its old id is forgotten
        assertEquals(List.of("a", "b", "c", "a"), accepted());
        assertEquals(0, harness.numEventTimeTimers() + harness.numProcessingTimeTimers());
    }
}
