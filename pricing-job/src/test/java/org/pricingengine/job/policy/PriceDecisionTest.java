package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;

class PriceDecisionTest {
    private static final PriceDecision PRICED = new PriceDecision(
            PriceDecision.decisionIdFor("r-1", "u-1", "i-1"),
            "r-1",
            "u-1",
            "i-1",
            12.99,
            11.7,
            7.794,
            "v1",
            "control",
            0.08731234567891234,
            List.of("MODEL_OPTIMUM", "OBJECTIVE_MARGIN", "DISCOUNTED"),
            List.of("CHANGE_LIMIT"),
            false,
            true,
            "Price set by an algorithm",
            1_569_888_630_123L,
            1_700_000_000_001L,
            17,
            12,
            null);
    private static final PriceDecision UNKNOWN_ITEM = new PriceDecision(
            PriceDecision.decisionIdFor("r-2", "u-2", "i-2"),
            "r-2",
            "u-2",
            "i-2",
            null,
            null,
            null,
            "v2",
            "canary",
            null,
            List.of("FALLBACK_UNKNOWN_ITEM"),
            List.of(),
            true,
            false,
            null,
            1_569_888_630_000L,
            1_700_000_000_000L,
            0,
            0,
            null);

    @Test
    void aDecisionReadBackFromTheTopicWritesOutToTheSameBytes() throws Exception {
        PriceDecision priced = new PriceDecision(
                PriceDecision.decisionIdFor("r-1", "u-1", "i-1"),
                "r-1",
                "u-1",
                "i-1",
                12.99,
                11.7,
                7.794,
                "v1",
                "control",
                0.08731234567891234,
                List.of("MODEL_PRICE"),
                List.of("MAX_CHANGE"),
                false,
                true,
                "Price set by an algorithm",
                1_569_888_630_123L,
                1_700_000_000_001L,
                17,
                12,
                new PricingPolicy(PolicySettings.from(org.pricingengine.job.config.PricingConfig.defaults()))
                        .decide(
                                new org.pricingengine.features.state.ItemSnapshot(
                                        "i-1", "c", "b", 12.99, 7.794, null, 0, 0, 0),
                                new org.pricingengine.job.scoring.DemandEstimate(-2.3, 0.7),
                                null,
                                null,
                                new PricingContext(
                                        "d-1",
                                        "u-1",
                                        "price:1/shopper:new/item:first",
                                        new double[] {1, 0.2, 1, 0.69, 1.1, 0.5},
                                        new SegmentPosterior("k", 0.1, 1.3, 0.04, -0.01, 0.5, 321),
                                        true))
                        .experiment());
        var item = new org.pricingengine.features.state.ItemSnapshot("i-1", "c", "b", 12.99, 7.794, null, 0, 0, 5)
                .withStock(3L, 2.0)
                .withCompetitor("rival", 11.0)
                .withFairnessWindow(1L, 12.99, 11.0);
        PriceQuote quote = new PricingPolicy(PolicySettings.from(org.pricingengine.job.config.PricingConfig.defaults()))
                .decide(item, new org.pricingengine.job.scoring.DemandEstimate(-2.3, 0.7), null, null);
        PriceDecision explained = new PriceDecision(
                PriceDecision.decisionIdFor("r-3", "u-1", "i-1"),
                "r-3",
                "u-1",
                "i-1",
                12.99,
                quote.price(),
                7.794,
                "v1",
                "control",
                0.1,
                ReasonCode.codes(quote.reasons()),
                Guardrail.codes(quote.guardrails()),
                false,
                true,
                "Price set by an algorithm",
                1_569_888_630_123L,
                1_700_000_000_001L,
                17,
                12,
                quote.experiment(),
                "app",
                "tablet",
                quote.bounds().competitor(),
                Explanation.of(
                        quote.price(), 12.99, quote.reasons(), quote.guardrails(), quote.bounds(), quote.experiment()));
        assertTrue(explained.hasReason(ReasonCode.LOW_STOCK), explained.toString());
        for (PriceDecision d : List.of(priced, explained, PRICED, UNKNOWN_ITEM)) {
            byte[] published = Json.toBytes(d);
            PriceDecision readBack = PriceDecision.fromJson(published);
            assertEquals(d, readBack);
            assertArrayEquals(published, Json.toBytes(readBack));
        }
    }

    /** Consumers parse these bytes: the typed accessors must not add fields. */
    @Test
    void theJsonOnTheDecisionsTopicIsUnchanged() {
        assertEquals(
                "{\"decision_id\":\"b31871f9-3350-3fc0-94bf-9b9d03bcfb8e\",\"request_id\":\"r-1\",\"user_id\":\"u-1\","
                        + "\"item_id\":\"i-1\",\"list_price\":12.99,\"price\":11.7,\"unit_cost\":7.794,\"model_version\":\"v1\","
                        + "\"arm\":\"control\",\"expected_conversion\":0.08731234567891234,"
                        + "\"reason_codes\":[\"MODEL_OPTIMUM\",\"OBJECTIVE_MARGIN\",\"DISCOUNTED\"],\"guardrails\":[\"CHANGE_LIMIT\"],"
                        + "\"fallback\":false,\"personalized\":true,\"disclosure\":\"Price set by an algorithm\","
                        + "\"request_time\":\"2019-10-01T00:10:30.123Z\",\"decision_time\":\"2023-11-14T22:13:20.001Z\","
                        + "\"latency_ms\":17,\"user_history_events\":12}",
                Json.toJson(PRICED));
        assertEquals(
                "{\"decision_id\":\"76824b2e-6453-3c2a-9c95-73660b0f0741\",\"request_id\":\"r-2\",\"user_id\":\"u-2\","
                        + "\"item_id\":\"i-2\",\"model_version\":\"v2\",\"arm\":\"canary\",\"reason_codes\":[\"FALLBACK_UNKNOWN_ITEM\"],"
                        + "\"guardrails\":[],\"fallback\":true,\"personalized\":false,\"request_time\":\"2019-10-01T00:10:30Z\","
                        + "\"decision_time\":\"2023-11-14T22:13:20Z\",\"latency_ms\":0,\"user_history_events\":0}",
                Json.toJson(UNKNOWN_ITEM));
    }

    /**
     * Decisions sit in keyed state (feedback attribution): savepoints hold this type and must restore. Fields
     * may only be added (POJO schema evolution fills them with null in restored state), never renamed or
     * retyped; this test makes every change to the type a deliberate one.
     */
    @Test
    void flinksTypeOfTheDecisionIsUnchanged() {
        assertEquals(
                "PojoType<org.pricingengine.job.policy.PriceDecision, fields = [arm: String, channel: String, "
                        + "competitor: PojoType<org.pricingengine.job.policy.CompetitorBound, fields = [belowFloor: "
                        + "Boolean, ceiling: Double, competitor: String, price: Double]>, decisionId: String, "
                        + "decisionTimeMs: Long, device: String, disclosure: String, expectedConversion: Double, experiment: "
                        + "PojoType<org.pricingengine.job.policy.PriceExperiment, fields = [baseLogit: Double, "
                        + "candidates: double[], ceiling: Double, chosen: Integer, featureSpec: String, featuresLogged: "
                        + "Boolean, floor: Double, group: String, modelSensitivity: Double, policyId: String, "
                        + "posteriorDraw: double[], posteriorMean: double[], posteriorObservations: Long, posteriorSd: "
                        + "double[], probabilities: double[], propensity: Double, randomized: Boolean, segment: String, traits: double[], "
                        + "uniformPick: Boolean]>, explanation: PojoType<org.pricingengine.job.policy.Explanation, "
                        + "fields = [factors: NullableList<PojoType<org.pricingengine.job.policy.Explanation$Factor, "
                        + "fields = [factor: String, text: String]>>, summary: String]>, fallback: Boolean, "
                        + "guardrails: NullableList<String>, itemId: String, latencyMs: Long, listPrice: Double, "
                        + "modelVersion: String, personalized: Boolean, price: Double, reasonCodes: NullableList<String>, "
                        + "requestId: String, requestTimeMs: Long, unitCost: Double, userHistoryEvents: Integer, userId: String]>",
                TypeInformation.of(PriceDecision.class).toString());
    }

    @Test
    void reasonsAndGuardrailsReadAsTheirEnums() {
        assertEquals(
                List.of(ReasonCode.MODEL_OPTIMUM, ReasonCode.OBJECTIVE_MARGIN, ReasonCode.DISCOUNTED),
                PRICED.reasons());
        assertEquals(List.of(Guardrail.CHANGE_LIMIT), PRICED.guardrailsApplied());
        assertTrue(PRICED.hasReason(ReasonCode.DISCOUNTED));
        assertFalse(PRICED.hasReason(ReasonCode.STABLE_QUOTE));
        assertEquals(List.of(ReasonCode.FALLBACK_UNKNOWN_ITEM), UNKNOWN_ITEM.reasons());
        assertEquals(List.of(), UNKNOWN_ITEM.guardrailsApplied());
    }
}
