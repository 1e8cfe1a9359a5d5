package org.pricingengine.job.policy;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoredRequest;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PricingDecisionFunctionTest {
    private static final long MINUTE = 60_000;
    private KeyedOneInputStreamOperatorTestHarness<String, ScoredRequest, PriceDecision> harness;

    @BeforeEach
    void setUp() throws Exception {
        PricingPolicy policy = new PricingPolicy(PolicySettings.from(PricingConfig.defaults()));
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PricingDecisionFunction(policy, () -> 5_000L, null), s -> s.enriched().request().userId(), Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private PriceDecision decide(String requestId, long timeMs, DemandEstimate estimate, String failure) throws Exception {
        EnrichedRequest r = new EnrichedRequest(new PriceRequest(requestId, "u", "i", timeMs, null, null), 4_000L,
                new ItemSnapshot("i", "c", "b", 50.0, 20.0, null, 0, 0, 0));
        harness.processElement(failure == null ? ScoredRequest.scored(r, estimate, "v1", "control", 3)
                : ScoredRequest.failed(r, failure, "v1", "control", 3), timeMs);
        List<PriceDecision> out = harness.extractOutputValues();
        return out.get(out.size() - 1);
    }

    @Test
    void decisionCarriesVersionReasonsDisclosureAndDeterministicId() throws Exception {
        PriceDecision d = decide("req-1", MINUTE, new DemandEstimate(-2, 6), null);
        assertEquals(PriceDecision.decisionIdFor("req-1", "u", "i"), d.decisionId());
        assertEquals("v1", d.modelVersion());
        assertEquals(1000L, d.latencyMs());
        assertTrue(d.personalized());
        assertTrue(d.disclosure().contains("ALGORITHM"));
        assertTrue(d.reasonCodes().contains(ReasonCodes.MODEL_OPTIMUM));
        assertEquals(3, d.userHistoryEvents());
        assertEquals(20.0, d.unitCost());
    }

    @Test
    void sameUserAndItemGetTheSameQuoteInsideTheQuoteTtl() throws Exception {
        PriceDecision first = decide("req-1", MINUTE, new DemandEstimate(-2, 6), null);
        PriceDecision again = decide("req-2", 5 * MINUTE, new DemandEstimate(-2, 0), null);
        assertEquals(first.price(), again.price());
        assertEquals(List.of(ReasonCodes.STABLE_QUOTE), again.reasonCodes());
        assertNotEquals(first.decisionId(), again.decisionId());

        PriceDecision later = decide("req-3", 30 * MINUTE, new DemandEstimate(-2, 0), null);
        assertEquals(List.of(ReasonCodes.GUARDRAIL_CHANGE_LIMIT), later.guardrails(),
                "outside the TTL the price may move, by at most 10% of the last quote");
        assertEquals(Math.min(50.0, Math.floor(first.price() * 1.1 * 100) / 100), later.price(), 1e-9);
    }

    @Test
    void modelFailureGivesAFallbackAtListPriceThatIsNotRemembered() throws Exception {
        PriceDecision d = decide("req-1", MINUTE, null, ReasonCodes.FALLBACK_MODEL_ERROR);
        assertTrue(d.fallback());
        assertFalse(d.personalized());
        assertNull(d.disclosure());
        assertEquals(50.0, d.price());
        assertEquals(ReasonCodes.FALLBACK_MODEL_ERROR, d.reasonCodes().get(0));
        assertEquals(1, harness.numKeyedStateEntries(),
                "only the decision kept for its request id: a fallback price is not a quote to keep stable");
    }

    private static final java.util.concurrent.atomic.AtomicLong CLOCK = new java.util.concurrent.atomic.AtomicLong();

    @Test
    void aRetriedRequestGetsTheIdenticalDecisionEvenIfTheModelChangedItsMind() throws Exception {
        PricingPolicy policy = new PricingPolicy(PolicySettings.from(PricingConfig.defaults()));
        CLOCK.set(5_000L);
        try (var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PricingDecisionFunction(policy, CLOCK::get, null),
                (ScoredRequest s) -> s.enriched().request().userId(), Types.STRING)) {
            h.open();
            EnrichedRequest r = new EnrichedRequest(new PriceRequest("req-1", "u", "i", MINUTE, null, null), 4_000L,
                    new ItemSnapshot("i", "c", "b", 50.0, 20.0, null, 0, 0, 0));
            h.processElement(ScoredRequest.scored(r, new DemandEstimate(-2, 6), "v1", "control", 3), MINUTE);
            CLOCK.set(9_000L);
            h.processElement(ScoredRequest.failed(r, ReasonCodes.FALLBACK_MODEL_ERROR, "v1", "control", 4), MINUTE);
            List<PriceDecision> out = h.extractOutputValues();
            assertEquals(2, out.size());
            assertEquals(org.pricingengine.features.events.Json.toJson(out.get(0)),
                    org.pricingengine.features.events.Json.toJson(out.get(1)));
            assertFalse(out.get(1).fallback());

            // After a rollout that routes this shopper to another model, the request is priced by that model.
            h.processElement(ScoredRequest.scored(r, new DemandEstimate(-2, 6), "v2", "canary", 4), MINUTE);
            PriceDecision underV2 = h.extractOutputValues().get(2);
            assertEquals("v2", underV2.modelVersion());
            assertEquals("canary", underV2.arm());
        }
    }

    @Test
    void unknownItemGetsADecisionWithoutPrice() throws Exception {
        EnrichedRequest r = new EnrichedRequest(new PriceRequest("req-x", "u", "nope", MINUTE, null, null), 0L, null);
        harness.processElement(ScoredRequest.failed(r, ReasonCodes.FALLBACK_UNKNOWN_ITEM, "v1", "control", 0), MINUTE);
        PriceDecision d = harness.extractOutputValues().get(0);
        assertNull(d.price());
        assertTrue(d.fallback());
        assertEquals(List.of(ReasonCodes.FALLBACK_UNKNOWN_ITEM), d.reasonCodes());
    }
}
