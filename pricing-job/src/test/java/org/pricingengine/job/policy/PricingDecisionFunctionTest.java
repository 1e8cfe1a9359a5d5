package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.flink.StateTtl;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoredRequest;
import org.pricingengine.job.scoring.ScoringFailure;
import org.pricingengine.job.testutils.KeyedTwoInputHarness;
import org.pricingengine.job.testutils.RecordedMetrics;

class PricingDecisionFunctionTest {
    private static final long MINUTE = 60_000;
    /** Stable quotes, retries and re-issue are about the decision function, not exploration: the greedy policy. */
    private final PricingPolicy policy =
            new PricingPolicy(PolicySettings.from(PricingConfig.defaults()).withoutExploration());

    private KeyedTwoInputStreamOperatorTestHarness<String, PricingRequest, ErasureRequest, PriceDecision> harness;

    /** Wall-clock time a test moves by hand. */
    static final class SettableClock extends Clock implements Serializable {
        private static final long serialVersionUID = 1L;
        private long millis;

        SettableClock(long millis) {
            this.millis = millis;
        }

        void set(long millis) {
            this.millis = millis;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new PricingDecisionFunction(policy, null, Clock.fixed(Instant.ofEpochMilli(5_000L), ZoneOffset.UTC)),
                s -> s.scored().enriched().request().userId(),
                ErasureRequest::userId,
                Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static EnrichedRequest request(String requestId, String itemId, long timeMs) {
        return new EnrichedRequest(
                new PriceRequest(requestId, "u", itemId, timeMs, null, null),
                4_000L,
                new ItemSnapshot(itemId, "c", "b", 50.0, 20.0, null, 0, 0, 0));
    }

    private static PricingRequest scored(
            String requestId, String itemId, long timeMs, DemandEstimate estimate, ScoringFailure failure) {
        EnrichedRequest r = request(requestId, itemId, timeMs);
        return failure == null
                ? in(ScoredRequest.scored(r, estimate, "v1", "control", 3))
                : in(ScoredRequest.failed(r, failure, "v1", "control", 3));
    }

    private static PricingRequest in(ScoredRequest scored) {
        return PricingRequest.of(scored, new double[] {10, 50});
    }

    private static List<PriceDecision> repeats(Collection<StreamRecord<PriceDecision>> sideOutput) {
        return sideOutput == null
                ? List.of()
                : sideOutput.stream().map(StreamRecord::getValue).toList();
    }

    private static PriceDecision last(
            KeyedTwoInputStreamOperatorTestHarness<String, PricingRequest, ErasureRequest, PriceDecision> h) {
        List<PriceDecision> out = h.extractOutputValues();
        return out.get(out.size() - 1);
    }

    private PriceDecision decide(String requestId, long timeMs, DemandEstimate estimate, ScoringFailure failure)
            throws Exception {
        harness.processElement1(scored(requestId, "i", timeMs, estimate, failure), timeMs);
        return last(harness);
    }

    @Test
    void decisionsAreCountedPerModelVersionArmAndFallbackReason() throws Exception {
        RecordedMetrics recorded = new RecordedMetrics();
        KeyedTwoInputHarness<String, PricingRequest, ErasureRequest, PriceDecision> h = new KeyedTwoInputHarness<>(
                new KeyedCoProcessOperator<>(new PricingDecisionFunction(
                        policy, null, Clock.fixed(Instant.ofEpochMilli(5_000L), ZoneOffset.UTC))),
                (PricingRequest s) -> s.scored().enriched().request().userId(),
                ErasureRequest::userId,
                Types.STRING,
                recorded.environment());
        h.open();
        h.processElement1(scored("r-1", "i1", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
        List<PriceDecision> pricedOut = h.extractOutputValues();
        PriceDecision priced = pricedOut.get(pricedOut.size() - 1);
        h.processElement1(scored("r-2", "i2", MINUTE, null, ScoringFailure.MODEL_TIMEOUT), MINUTE);
        h.processElement1(scored("r-3", "i3", MINUTE, null, ScoringFailure.MODEL_TIMEOUT), MINUTE);
        h.processElement1(scored("r-4", "i4", MINUTE, null, ScoringFailure.CIRCUIT_OPEN), MINUTE);
        // A client retry is answered with the kept decision: not a new decision.
        h.processElement1(scored("r-1", "i1", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
        h.processElement2(new ErasureRequest("x-1", "u", MINUTE), MINUTE);
        h.close();

        Map<String, String> arm = Map.of("model_version", "v1", "arm", "control");
        assertEquals(4, recorded.count("pricing.decisions", Map.of()));
        assertEquals(3, recorded.count("pricing.fallbackDecisions", Map.of()));
        assertEquals(1, recorded.count("pricing.repeatedRequests", Map.of()));
        assertEquals(1, recorded.count("pricing.erasuresApplied", Map.of()));
        assertEquals(4, recorded.count("pricing.model_version.arm.decisions", arm));
        Map<String, String> timeout = new HashMap<>(arm);
        timeout.put("reason", "FALLBACK_MODEL_TIMEOUT");
        assertEquals(2, recorded.count("pricing.model_version.arm.reason.fallbacks", timeout));
        Map<String, String> open = new HashMap<>(arm);
        open.put("reason", "FALLBACK_CIRCUIT_OPEN");
        assertEquals(1, recorded.count("pricing.model_version.arm.reason.fallbacks", open));
        // Fallbacks are at list price; the greedy policy's decision is discounted or not, never randomized.
        assertEquals(
                priced.price() < priced.listPrice() ? 1 : 0,
                recorded.count("pricing.model_version.arm.discountedDecisions", arm));
        assertEquals(0, recorded.count("pricing.model_version.arm.exploredDecisions", arm));
    }

    @Test
    void decisionCarriesVersionReasonsDisclosureAndDeterministicId() throws Exception {
        PriceDecision d = decide("req-1", MINUTE, new DemandEstimate(-2, 6), null);
        assertEquals(PriceDecision.decisionIdFor("req-1", "u", "i"), d.decisionId());
        assertEquals("v1", d.modelVersion());
        assertEquals(1000L, d.latencyMs());
        assertEquals(5_000L, d.decisionTimeMs());
        assertTrue(d.personalized());
        assertTrue(d.disclosure().contains("ALGORITHM"));
        assertTrue(d.hasReason(ReasonCode.MODEL_OPTIMUM));
        assertEquals(3, d.userHistoryEvents());
        assertEquals(20.0, d.unitCost());
    }

    @Test
    void sameUserAndItemGetTheSameQuoteInsideTheQuoteTtl() throws Exception {
        PriceDecision first = decide("req-1", MINUTE, new DemandEstimate(-2, 6), null);
        PriceDecision again = decide("req-2", 5 * MINUTE, new DemandEstimate(-2, 0), null);
        assertEquals(first.price(), again.price());
        assertEquals(List.of(ReasonCode.STABLE_QUOTE), again.reasons());
        assertNotEquals(first.decisionId(), again.decisionId());

        PriceDecision later = decide("req-3", 30 * MINUTE, new DemandEstimate(-2, 0), null);
        assertEquals(
                List.of(Guardrail.CHANGE_LIMIT),
                later.guardrailsApplied(),
                "outside the TTL the price may move, by at most 10% of the last quote");
        assertEquals(Math.min(50.0, Math.floor(first.price() * 1.1 * 100) / 100), later.price(), 1e-9);
    }

    @Test
    void modelFailureGivesAFallbackAtListPriceThatIsNotRemembered() throws Exception {
        PriceDecision d = decide("req-1", MINUTE, null, ScoringFailure.MODEL_ERROR);
        assertTrue(d.fallback());
        assertFalse(d.personalized());
        assertNull(d.disclosure());
        assertEquals(50.0, d.price());
        assertEquals(ReasonCode.FALLBACK_MODEL_ERROR, d.reasons().get(0));
        assertEquals(
                1,
                harness.numKeyedStateEntries(),
                "only the decision kept for its request id: a fallback price is not a quote to keep stable");
    }

    @Test
    void aRetriedRequestGetsTheIdenticalDecisionEvenIfTheModelChangedItsMind() throws Exception {
        SettableClock clock = new SettableClock(5_000L);
        try (var h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new PricingDecisionFunction(policy, null, clock),
                (PricingRequest s) -> s.scored().enriched().request().userId(),
                ErasureRequest::userId,
                Types.STRING)) {
            h.open();
            h.processElement1(scored("req-1", "i", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
            clock.set(9_000L);
            h.processElement1(scored("req-1", "i", MINUTE, null, ScoringFailure.MODEL_ERROR), MINUTE);
            List<PriceDecision> out = h.extractOutputValues();
            assertEquals(1, out.size(), "the repeat does not reach feedback attribution a second time");
            List<PriceDecision> repeats = repeats(h.getSideOutput(PricingDecisionFunction.REPEATED_DECISIONS));
            assertEquals(1, repeats.size(), "the repeat goes to the decisions topic");
            assertEquals(Json.toJson(out.get(0)), Json.toJson(repeats.get(0)));
            assertFalse(repeats.get(0).fallback());

            // After a rollout that routes this shopper to another model, the request is priced by that model.
            EnrichedRequest r = request("req-1", "i", MINUTE);
            h.processElement1(in(ScoredRequest.scored(r, new DemandEstimate(-2, 6), "v2", "canary", 4)), MINUTE);
            PriceDecision underV2 = h.extractOutputValues().get(1);
            assertEquals("v2", underV2.modelVersion());
            assertEquals("canary", underV2.arm());
            assertEquals(9_000L, underV2.decisionTimeMs());
        }
    }

    @Test
    void unknownItemGetsADecisionWithoutPrice() throws Exception {
        EnrichedRequest r = new EnrichedRequest(new PriceRequest("req-x", "u", "nope", MINUTE, null, null), 0L, null);
        harness.processElement1(in(ScoredRequest.failed(r, ScoringFailure.UNKNOWN_ITEM, "v1", "control", 0)), MINUTE);
        PriceDecision d = harness.extractOutputValues().get(0);
        assertNull(d.price());
        assertTrue(d.fallback());
        assertEquals(List.of(ReasonCode.FALLBACK_UNKNOWN_ITEM), d.reasons());
    }

    @Test
    void keptDecisionsAndQuotesExpireWithTheirTtl() throws Exception {
        harness.setStateTtlProcessingTime(0);
        PriceDecision first = decide("req-1", MINUTE, new DemandEstimate(-2, 6), null);
        assertEquals(2, harness.numKeyedStateEntries(), "the quote and the decision kept for its request id");

        // Past the quote TTL the kept decision is gone, the quote (kept for the change memory) is not.
        harness.setStateTtlProcessingTime(Duration.ofMinutes(15).toMillis() + 1);
        PriceDecision retried = decide("req-1", MINUTE, null, ScoringFailure.MODEL_ERROR);
        assertEquals(List.of(ReasonCode.STABLE_QUOTE), retried.reasons());
        assertEquals(first.price(), retried.price());

        // Past the change memory the quote is gone too: a failing model now prices at list price.
        harness.setStateTtlProcessingTime(
                Duration.ofDays(1).toMillis() + Duration.ofMinutes(15).toMillis() + 2);
        PriceDecision afterMemory = decide("req-2", MINUTE + 1, null, ScoringFailure.MODEL_ERROR);
        assertEquals(List.of(ReasonCode.FALLBACK_MODEL_ERROR), afterMemory.reasons());
        assertEquals(50.0, afterMemory.price());
        assertEquals(1, harness.numKeyedStateEntries(), "no quote memory left, only the kept decisions");
    }

    /** What the decisions topic holds after a failure, by decision id; static: the log is serialized with the job. */
    private static final Map<String, PriceDecision> PUBLISHED = new HashMap<>();

    private static final AtomicLong READ_SINCE = new AtomicLong(-1);

    private static KeyedTwoInputStreamOperatorTestHarness<String, PricingRequest, ErasureRequest, PriceDecision>
            restored(OperatorSubtaskState snapshot, SettableClock clock) throws Exception {
        PublishedDecisionLog log = (sinceMs, ownsUser) -> {
            READ_SINCE.set(sinceMs);
            return new HashMap<>(PUBLISHED);
        };
        var h = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new PricingDecisionFunction(
                        new PricingPolicy(PolicySettings.from(PricingConfig.defaults())), log, clock)),
                (PricingRequest s) -> s.scored().enriched().request().userId(),
                ErasureRequest::userId,
                Types.STRING,
                128,
                1,
                0);
        h.initializeState(snapshot);
        h.open();
        return h;
    }

    @Test
    void afterARestoreAReplayedRequestGetsThePublishedDecisionForAWhile() throws Exception {
        SettableClock clock = new SettableClock(4_000L);
        OperatorSubtaskState snapshot;
        List<PriceDecision> published;
        try (var before = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new PricingDecisionFunction(policy, null, clock),
                (PricingRequest s) -> s.scored().enriched().request().userId(),
                ErasureRequest::userId,
                Types.STRING)) {
            snapshot = before.snapshot(1, 4_000L);
            clock.set(5_000L);
            before.processElement1(scored("req-1", "i", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
            before.processElement1(scored("req-3", "i3", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
            before.processElement1(scored("req-4", "i4", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
            published = before.extractOutputValues();
        }
        PUBLISHED.clear();
        published.forEach(d -> PUBLISHED.put(d.decisionId(), d));

        clock.set(20_000L);
        try (var after = restored(snapshot, clock)) {
            assertEquals(4_000L, READ_SINCE.get(), "read back from the last snapshot's wall-clock time");

            // The model now says something else: the shopper still gets what was published, byte for byte.
            after.processElement1(scored("req-1", "i", MINUTE, new DemandEstimate(-2, 0), null), MINUTE);
            assertEquals(Json.toJson(published.get(0)), Json.toJson(last(after)));
            // The re-issued quote is remembered as it was.
            after.processElement1(scored("req-2", "i", MINUTE + 1, new DemandEstimate(-2, 0), null), MINUTE + 1);
            assertEquals(List.of(ReasonCode.STABLE_QUOTE), last(after).reasons());
            assertEquals(published.get(0).price(), last(after).price());

            // Routed to another model now: priced again.
            EnrichedRequest r3 = request("req-3", "i3", MINUTE);
            after.processElement1(in(ScoredRequest.scored(r3, new DemandEstimate(-2, 6), "v2", "canary", 3)), MINUTE);
            assertEquals("v2", last(after).modelVersion());
            assertEquals(20_000L, last(after).decisionTimeMs());

            // Past the re-issue window the rest is dropped and priced again.
            clock.set(20_000L + Duration.ofMinutes(15).toMillis() + 1);
            after.processElement1(scored("req-4", "i4", MINUTE, null, ScoringFailure.MODEL_TIMEOUT), MINUTE);
            assertEquals(List.of(ReasonCode.FALLBACK_MODEL_TIMEOUT), last(after).reasons());
        }
    }

    @Test
    void aRetryOfADecisionKeptAsJsonByAnEarlierVersionStillGetsItAfterARestore() throws Exception {
        SettableClock clock = new SettableClock(4_000L);
        OperatorSubtaskState snapshot;
        PriceDecision given;
        // The same key groups as the restored harness (max parallelism 128), so keyed state carries over.
        try (var before = new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(new PricingDecisionFunction(policy, null, clock)),
                (PricingRequest s) -> s.scored().enriched().request().userId(),
                ErasureRequest::userId,
                Types.STRING,
                128,
                1,
                0)) {
            before.open();
            before.processElement1(scored("req-1", "i", MINUTE, new DemandEstimate(-2, 6), null), MINUTE);
            given = last(before);
            // What an earlier version kept for that request: the published JSON, under its old state name.
            before.getOperator().setCurrentKey("u");
            var asJson = new MapStateDescriptor<>("decisions-by-id", String.class, String.class);
            var binary = new MapStateDescriptor<>("published-decisions-by-id", String.class, PriceDecision.class);
            asJson.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofMinutes(15)));
            binary.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofMinutes(15)));
            before.getOperator().getKeyedStateStore().getMapState(asJson).put(given.decisionId(), Json.toJson(given));
            before.getOperator().getKeyedStateStore().getMapState(binary).clear();
            snapshot = before.snapshot(1, 5_000L);
        }
        clock.set(6_000L);
        try (var after = restored(snapshot, clock)) {
            after.processElement1(scored("req-1", "i", MINUTE, new DemandEstimate(-2, 0), null), MINUTE);
            List<PriceDecision> repeats = repeats(after.getSideOutput(PricingDecisionFunction.REPEATED_DECISIONS));
            assertEquals(1, repeats.size());
            assertEquals(Json.toJson(given), Json.toJson(repeats.get(0)), "the retry gets the kept JSON's decision");
            assertTrue(after.extractOutputValues().isEmpty(), "attribution got the decision before the restore");
        }
    }
}
