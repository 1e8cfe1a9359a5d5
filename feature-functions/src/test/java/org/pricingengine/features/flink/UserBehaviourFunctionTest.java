package org.pricingengine.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.testing.Events;

class UserBehaviourFunctionTest {
    private static final int CAPACITY = 40;
    private KeyedOneInputStreamOperatorTestHarness<String, UserInput, ScoringRequest> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new UserBehaviourFunction(CAPACITY, Duration.ofDays(1)), UserInput::userId, Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void behaviour(String id, String user, String item, EventType type, long seconds, double price)
            throws Exception {
        harness.processElement(UserInput.of(Events.event(id, user, item, type, seconds, price)), Events.at(seconds));
    }

    private ScoringRequest request(String user, String item, long seconds, double listPrice) throws Exception {
        harness.processElement(
                UserInput.of(new EnrichedRequest(
                        Events.request("r-" + seconds, user, item, seconds), 0L, Events.item(item, listPrice))),
                Events.at(seconds));
        List<ScoringRequest> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    @Test
    void requestSeesOnlyEventsBeforeItsTimeInOrderWithPadding() throws Exception {
        behaviour("e1", "u", "i-1", EventType.VIEW, 10, 10.0);
        behaviour("e2", "u", "i-2", EventType.CART, 20, 8.0);
        // The request's own view arrived first: it must not show up in the request's features.
        behaviour("e3", "u", "i-1", EventType.VIEW, 30, 10.0);
        FeatureVector f = request("u", "i-1", 30, 10.0).features();

        assertEquals(2, f.eventCount());
        int seq = FeatureSpec.SEQUENCE_LENGTH;
        int d = FeatureSpec.TOKEN_DIM;
        assertEquals(1f, f.paddingMask()[0]);
        assertEquals(0f, f.paddingMask()[seq - 2]);
        // Oldest of the two first: the view of i-1, then the cart of i-2.
        assertEquals(1f, f.sequence()[(seq - 2) * d]); // is_view
        assertEquals(1f, f.sequence()[(seq - 2) * d + 4]); // same_item
        assertEquals(1f, f.sequence()[(seq - 1) * d + 1]); // is_cart
        assertEquals(0f, f.sequence()[(seq - 1) * d + 4]); // another item
        assertEquals((float) Math.log(8.0 / 10.0), f.sequence()[(seq - 1) * d + 6], 1e-6);
        assertEquals((float) (Math.log1p(10) / 10), f.sequence()[(seq - 1) * d + 7], 1e-6);
        assertEquals((float) Math.log1p(1), f.contextRaw()[0], 1e-6); // one view before t
        assertEquals((float) Math.log1p(1), f.contextRaw()[1], 1e-6); // one cart before t
        assertEquals((float) Math.log1p(20), f.contextRaw()[5], 1e-6); // tenure 20 s
        assertEquals((float) Math.log1p(10), f.contextRaw()[6], 1e-6); // last event 10 s ago
    }

    @Test
    void sequenceIsBoundedAndDuplicatesAreIgnored() throws Exception {
        for (int i = 0; i < 100; i++) {
            behaviour("e" + i, "u", "i-" + i, EventType.VIEW, i, 5.0);
        }
        behaviour("e99", "u", "i-99", EventType.PURCHASE, 99, 5.0); // a redelivered id
        FeatureVector f = request("u", "i-1", 1000, 5.0).features();
        assertEquals(FeatureSpec.SEQUENCE_LENGTH, f.eventCount());
        assertEquals((float) Math.log1p(100), f.contextRaw()[0], 1e-6);
        assertEquals(0f, f.contextRaw()[3], "the redelivered event must not count as a purchase");
        // Newest event last: i-99 viewed at second 99.
        int last = (FeatureSpec.SEQUENCE_LENGTH - 1) * FeatureSpec.TOKEN_DIM;
        assertEquals((float) (Math.log1p(901) / 10), f.sequence()[last + 7], 1e-6);
        assertEquals(1, harness.numKeyedStateEntries(), "one state entry for one user");
    }

    @Test
    void newUserGetsAllPaddingAndUserStateExpiresAfterTtl() throws Exception {
        FeatureVector fresh = request("new-user", "i-1", 5, 3.0).features();
        assertEquals(0, fresh.eventCount());
        assertEquals(0, harness.numKeyedStateEntries(), "a request alone creates no user state");

        harness.setStateTtlProcessingTime(0);
        behaviour("e1", "u", "i-1", EventType.PURCHASE, 10, 4.0);
        assertEquals(1, request("u", "i-1", 20, 4.0).features().eventCount());

        harness.setStateTtlProcessingTime(Duration.ofDays(1).toMillis() + 1);
        assertEquals(0, request("u", "i-1", 30, 4.0).features().eventCount(), "expired user looks new");
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(0, harness.numProcessingTimeTimers());
    }

    @Test
    void requestWithoutItemPassesThroughUnscored() throws Exception {
        harness.processElement(
                UserInput.of(new EnrichedRequest(Events.request("r", "u", "i", 1), 0L, null)), Events.at(1));
        ScoringRequest out = harness.extractOutputValues().get(0);
        assertNull(out.features());
        assertTrue(!out.scorable());
    }

    @Test
    void refusesACapacityBelowTheModelSequence() {
        assertThrows(IllegalArgumentException.class, () -> new UserBehaviourFunction(8, Duration.ofDays(1)));
    }
}
