package org.pricingengine.job.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.EventType;
import org.pricingengine.job.policy.PriceDecision;

class FeedbackAttributionFunctionTest {
    private static final long MIN = 60_000;
    private KeyedBroadcastOperatorTestHarness<String, AttributionInput, ErasureRequest, FeedbackOutcome> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harnessOf(new FeedbackAttributionFunction(Duration.ofMinutes(60)));
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void decision(String requestId, String user, String item, long timeMs) throws Exception {
        harness.processElement(AttributionInput.of(decisionAt(requestId, user, item, timeMs)), timeMs);
    }

    private static PriceDecision decisionAt(String requestId, String user, String item, long timeMs) {
        return new PriceDecision(
                PriceDecision.decisionIdFor(requestId, user, item),
                requestId,
                user,
                item,
                10.0,
                9.5,
                6.0,
                "v1",
                "canary",
                0.1,
                List.of(),
                List.of(),
                false,
                true,
                "d",
                timeMs,
                timeMs,
                1,
                0,
                null);
    }

    private void event(String id, String user, String item, EventType type, long timeMs, double price)
            throws Exception {
        harness.processElement(
                AttributionInput.of(new BehaviourEvent(id, user, item, type, timeMs, price, null, null, null)), timeMs);
    }

    private Map<String, FeedbackOutcome> outcomesByRequest() {
        return harness.extractOutputValues().stream().collect(Collectors.toMap(FeedbackOutcome::requestId, o -> o));
    }

    @Test
    void purchaseAfterAPricedViewIsAttributedAndAViewWithoutFollowUpIsNone() throws Exception {
        decision("r-buy", "u", "i", 10 * MIN);
        decision("r-idle", "u", "other", 10 * MIN);
        event("e-cart", "u", "i", EventType.CART, 12 * MIN, 9.5);
        event("e-buy", "u", "i", EventType.PURCHASE, 20 * MIN, 9.5);
        assertTrue(harness.extractOutputValues().isEmpty(), "nothing before the window closes");

        watermark(harness, 70 * MIN);
        Map<String, FeedbackOutcome> out = outcomesByRequest();
        assertEquals(2, out.size());
        FeedbackOutcome bought = out.get("r-buy");
        assertEquals(FeedbackOutcome.PURCHASE, bought.outcome());
        assertEquals("canary", bought.arm(), "the outcome carries the decision's arm");
        assertEquals("v1", bought.modelVersion());
        assertEquals(9.5, bought.revenue());
        assertEquals(600.0, bought.secondsToOutcome());
        assertEquals(3600, bought.attributionWindowSeconds());
        FeedbackOutcome idle = out.get("r-idle");
        assertEquals(FeedbackOutcome.NONE, idle.outcome());
        assertNull(idle.secondsToOutcome());

        watermark(harness, 200 * MIN);
        assertEquals(0, keyedEntries(harness), "decisions and events are gone after their windows");
        assertEquals(0, harness.numEventTimeTimers());
    }

    @Test
    void eventBeforeItsDecisionArrivesIsStillJoinedAndLateEventsAreNot() throws Exception {
        // The purchase is read before the decision (independent topics).
        event("e-buy", "u", "i", EventType.PURCHASE, 30 * MIN, 4.0);
        decision("r", "u", "i", 10 * MIN);
        // A purchase after the window closes belongs to nobody.
        event("e-late", "u", "i", EventType.PURCHASE, 71 * MIN, 4.0);
        watermark(harness, 80 * MIN);
        FeedbackOutcome o = outcomesByRequest().get("r");
        assertEquals(FeedbackOutcome.PURCHASE, o.outcome());
        assertEquals(4.0, o.revenue());
    }

    @Test
    void onePurchaseIsCountedOnceForTheLastQuoteBeforeIt() throws Exception {
        decision("r-1", "u", "i", 10 * MIN);
        decision("r-2", "u", "i", 15 * MIN);
        decision("r-2", "u", "i", 15 * MIN); // replayed duplicate
        event("e-cart", "u", "i", EventType.CART, 12 * MIN, 5.0);
        event("e-buy", "u", "i", EventType.PURCHASE, 16 * MIN, 5.0);
        watermark(harness, 100 * MIN);
        List<FeedbackOutcome> all = harness.extractOutputValues();
        assertEquals(2, all.size(), "one outcome per decision, duplicates included once");
        Map<String, FeedbackOutcome> out = outcomesByRequest();
        assertEquals(FeedbackOutcome.CART, out.get("r-1").outcome(), "the cart came before the second quote");
        assertEquals(0.0, out.get("r-1").revenue());
        assertEquals(FeedbackOutcome.PURCHASE, out.get("r-2").outcome());
    }

    @Test
    void stateIsOneFlinkPojoPerUserAndItem() {
        TypeInformation<AttributionWindow> type = TypeInformation.of(AttributionWindow.class);
        assertTrue(type instanceof PojoTypeInfo, "a POJO, not a generic type: " + type);
        for (int i = 0; i < type.getArity(); i++) {
            TypeInformation<?> field =
                    ((PojoTypeInfo<?>) type).getPojoFieldAt(i).getTypeInformation();
            assertFalse(field instanceof GenericTypeInfo, "no Kryo inside the state: " + field);
        }
    }

    /** What the earlier version kept: decisions and carts or purchases in two map states, a timer each. */
    private static final class EarlierLayout
            extends KeyedCoProcessFunction<String, PriceDecision, BehaviourEvent, FeedbackOutcome> {
        private static final long serialVersionUID = 1L;
        private transient MapState<String, PriceDecision> decisions;
        private transient MapState<String, BehaviourEvent> events;

        @Override
        public void open(OpenContext openContext) {
            decisions = getRuntimeContext()
                    .getMapState(
                            new MapStateDescriptor<>("decisions-awaiting-outcome", String.class, PriceDecision.class));
            events = getRuntimeContext()
                    .getMapState(new MapStateDescriptor<>("carts-and-purchases", String.class, BehaviourEvent.class));
        }

        @Override
        public void processElement1(PriceDecision d, Context ctx, Collector<FeedbackOutcome> out) throws Exception {
            decisions.put(d.decisionId(), d);
            ctx.timerService().registerEventTimeTimer(d.requestTimeMs() + 60 * MIN);
        }

        @Override
        public void processElement2(BehaviourEvent e, Context ctx, Collector<FeedbackOutcome> out) throws Exception {
            events.put(e.eventId(), e);
            ctx.timerService().registerEventTimeTimer(e.eventTimeMs() + 60 * MIN + 1);
        }
    }

    /** Same key groups before and after (max parallelism 128), so keyed state and timers carry over. */
    private static KeyedTwoInputStreamOperatorTestHarness<String, PriceDecision, BehaviourEvent, FeedbackOutcome>
            earlierHarnessOf(KeyedCoProcessFunction<String, PriceDecision, BehaviourEvent, FeedbackOutcome> function)
                    throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(function),
                d -> FeedbackAttributionFunction.keyOf(d.userId(), d.itemId()),
                e -> FeedbackAttributionFunction.keyOf(e.userId(), e.itemId()),
                Types.STRING,
                128,
                1,
                0);
    }

    /** The function as the job runs it: decisions and events keyed, erasures broadcast; 128 key groups. */
    static KeyedBroadcastOperatorTestHarness<String, AttributionInput, ErasureRequest, FeedbackOutcome> harnessOf(
            FeedbackAttributionFunction function) throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(function, List.of(FeedbackAttributionFunction.ERASURES)),
                AttributionInput::key,
                Types.STRING,
                128,
                1,
                0);
    }

    /** Entries of keyed state (heap backend), as the keyed harnesses count them. */
    static int keyedEntries(
            KeyedBroadcastOperatorTestHarness<String, AttributionInput, ErasureRequest, FeedbackOutcome> h) {
        AbstractStreamOperator<?> operator = h.getOperator();
        return ((HeapKeyedStateBackend<?>) operator.getKeyedStateBackend()).numKeyValueStateEntries();
    }

    /** Event time of the keyed input; the erasures' input is outside event time (idle) in the job. */
    static void watermark(
            KeyedBroadcastOperatorTestHarness<String, AttributionInput, ErasureRequest, FeedbackOutcome> h, long ms)
            throws Exception {
        h.processWatermark(ms);
        h.processBroadcastWatermark(ms);
    }

    @Test
    void decisionsAndEventsOfTheEarlierMapLayoutAreMovedAndAttributed() throws Exception {
        OperatorSubtaskState earlier;
        try (var before = earlierHarnessOf(new EarlierLayout())) {
            before.open();
            before.processElement1(decisionAt("r-old", "u", "i", 10 * MIN), 10 * MIN);
            before.processElement2(
                    new BehaviourEvent("e-buy", "u", "i", EventType.PURCHASE, 20 * MIN, 9.5, null, null, null),
                    20 * MIN);
            earlier = before.snapshot(1, 1L);
        }
        OperatorSubtaskState current;
        FeedbackAttributionFunction upgradedFunction = new FeedbackAttributionFunction(Duration.ofMinutes(60));
        try (var upgraded = harnessOf(upgradedFunction)) {
            upgraded.initializeState(earlier);
            upgraded.open();
            assertTrue(upgradedFunction.earlierLayoutMayRemain());
            upgraded.processElement(AttributionInput.of(decisionAt("r-new", "u", "i", 5 * MIN)), 5 * MIN);
            // The first timer of the key moves the earlier layout's decision and purchase into its window.
            watermark(upgraded, 66 * MIN);
            watermark(upgraded, 200 * MIN);
            Map<String, FeedbackOutcome> outcomes = upgraded.extractOutputValues().stream()
                    .collect(Collectors.toMap(FeedbackOutcome::requestId, o -> o));
            assertEquals(FeedbackOutcome.NONE, outcomes.get("r-new").outcome(), "the purchase came after r-old");
            assertEquals(FeedbackOutcome.PURCHASE, outcomes.get("r-old").outcome());
            assertEquals(9.5, outcomes.get("r-old").revenue());
            assertEquals(0, keyedEntries(upgraded), "the earlier layout's state is gone too");
            assertEquals(0, upgraded.numEventTimeTimers());
            current = upgraded.snapshot(2, 2L);
        }
        // Restored from the upgraded job's snapshot: other keys may still hold the earlier layout.
        FeedbackAttributionFunction again = new FeedbackAttributionFunction(Duration.ofMinutes(60));
        try (var h = harnessOf(again)) {
            h.initializeState(current);
            h.open();
            assertTrue(again.earlierLayoutMayRemain());
        }
    }

    @Test
    void aJobThatNeverHeldTheEarlierLayoutDoesNotLookForItAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        FeedbackAttributionFunction fresh = new FeedbackAttributionFunction(Duration.ofMinutes(60));
        try (var h = harnessOf(fresh)) {
            h.open();
            assertFalse(fresh.earlierLayoutMayRemain());
            h.processElement(AttributionInput.of(decisionAt("r", "u", "i", MIN)), MIN);
            snapshot = h.snapshot(1, 1L);
        }
        FeedbackAttributionFunction restored = new FeedbackAttributionFunction(Duration.ofMinutes(60));
        try (var h = harnessOf(restored)) {
            h.initializeState(snapshot);
            h.open();
            assertFalse(restored.earlierLayoutMayRemain());
            watermark(h, 62 * MIN);
            assertEquals(FeedbackOutcome.NONE, h.extractOutputValues().get(0).outcome(), "its window was restored");
            assertEquals(0, keyedEntries(h));
        }
    }

    @Test
    void anErasureDropsEveryItemWindowOfTheUserAndItsTimersWriteNothing() throws Exception {
        decision("r-a1", "A", "i-1", 10 * MIN);
        decision("r-a2", "A", "i-2", 10 * MIN);
        event("e-a", "A", "i-3", EventType.CART, 12 * MIN, 5.0); // a cart with no decision yet
        decision("r-b1", "B", "i-1", 10 * MIN);
        event("e-b", "B", "i-1", EventType.PURCHASE, 20 * MIN, 9.5);
        // An id holding the separator must not be taken for A: its key starts with "A|" too.
        decision("r-c", "A|x", "i-9", 10 * MIN);
        assertEquals(5, keyedEntries(harness));

        harness.processBroadcastElement(new ErasureRequest("x-1", "A", 30 * MIN), 30 * MIN);
        assertEquals(2, keyedEntries(harness), "B's and A|x's windows remain");
        assertTrue(
                !harness.getBroadcastState(FeedbackAttributionFunction.ERASURES)
                        .iterator()
                        .hasNext(),
                "nothing is kept of A");

        watermark(harness, 200 * MIN);
        Map<String, FeedbackOutcome> outcomes = outcomesByRequest();
        assertEquals(java.util.Set.of("r-b1", "r-c"), outcomes.keySet(), "A's timers fired into empty state");
        assertEquals(FeedbackOutcome.PURCHASE, outcomes.get("r-b1").outcome());
        assertEquals(0, keyedEntries(harness), "no timer brought A's state back");
        assertEquals(0, harness.numEventTimeTimers());
    }
}
