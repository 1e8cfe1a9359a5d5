package org.pricingengine.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.testing.Events;

/** An erasure request drops what the user-keyed feature operators keep about that shopper, and only that. */
class ErasureInUserStateTest {

    @Test
    void theGateForgetsTheErasedShopperOnlyAndPassesTheErasureOn() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, InboundRecord, InboundRecord> gate =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new BehaviourEventGate("behaviour", 4, Duration.ofHours(1), Duration.ofDays(1)),
                        InboundRecord::userId,
                        Types.STRING)) {
            gate.open();
            gate.processElement(InboundRecord.of(Events.event("e-1", "A", "i-1", EventType.VIEW, 100, 5), 0, 1), 100);
            gate.processElement(InboundRecord.of(Events.event("e-2", "B", "i-1", EventType.VIEW, 100, 5), 0, 2), 100);
            assertEquals(2, gate.numKeyedStateEntries());

            ErasureRequest erasure = new ErasureRequest("x-1", "A", 200_000);
            gate.processElement(InboundRecord.of(erasure), 200_000);

            assertEquals(1, gate.numKeyedStateEntries(), "only B's recent event ids remain");
            assertEquals(
                    List.of(erasure),
                    gate.getSideOutput(BehaviourEventGate.ERASURES).stream()
                            .map(r -> r.getValue())
                            .toList());
            assertEquals(0, gate.numEventTimeTimers() + gate.numProcessingTimeTimers());
            // A's old event id is forgotten: the same id is new again. B's is still a duplicate.
            gate.processElement(InboundRecord.of(Events.event("e-1", "A", "i-1", EventType.VIEW, 100, 5), 0, 3), 100);
            gate.processElement(InboundRecord.of(Events.event("e-2", "B", "i-1", EventType.VIEW, 100, 5), 0, 4), 100);
            List<String> passed = gate.extractOutputValues().stream()
                    .map(r -> r.behaviour.userId() + "/" + r.behaviour.eventId())
                    .toList();
            assertEquals(List.of("A/e-1", "B/e-2", "A/e-1"), passed);
            assertEquals(1, gate.getSideOutput(BehaviourEventGate.DEAD_LETTERS).size());
        }
    }

    @Test
    void userBehaviourOfTheErasedShopperIsDroppedAndFeaturesStartFromNothing() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, UserInput, ScoringRequest> users =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new UserBehaviourFunction(40, Duration.ofDays(1)), UserInput::userId, Types.STRING)) {
            users.open();
            for (String user : List.of("A", "B")) {
                users.processElement(UserInput.of(Events.event("v-" + user, user, "i-1", EventType.VIEW, 10, 5)), 10);
                users.processElement(UserInput.of(Events.event("c-" + user, user, "i-1", EventType.CART, 20, 5)), 20);
            }
            assertEquals(2, users.numKeyedStateEntries());

            users.processElement(UserInput.of(new ErasureRequest("x-1", "A", 30_000)), 30);
            assertEquals(1, users.numKeyedStateEntries(), "only B's behaviour remains");
            assertEquals(0, users.numEventTimeTimers() + users.numProcessingTimeTimers());

            for (String user : List.of("A", "B")) {
                users.processElement(
                        UserInput.of(new EnrichedRequest(
                                Events.request("r-" + user, user, "i-1", 40), 0L, Events.item("i-1", 5))),
                        40);
            }
            List<ScoringRequest> out = users.extractOutputValues();
            assertEquals(0, out.get(0).features().eventCount(), "A has no history after the erasure");
            assertTrue(out.get(1).features().eventCount() > 0, "B keeps its history");
            // The request for A did not write state back: features are read, not kept.
            assertEquals(1, users.numKeyedStateEntries());
        }
    }
}
