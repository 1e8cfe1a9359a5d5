package org.pricingengine.tools.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.policy.CompetitorBound;
import org.pricingengine.job.policy.Explanation;
import org.pricingengine.job.policy.PriceDecision;

/** Decisions of an older and of a newer job read alike. */
class LoggedDecisionTest {
    /** A decision as the job writes it before channel, device, explanation and competitor were logged. */
    private static final String OLDER = "{\"decision_id\":\"6b1c\",\"request_id\":\"r-1\",\"user_id\":\"u-1\","
            + "\"item_id\":\"i-1\",\"list_price\":12.99,\"price\":11.7,\"unit_cost\":7.794,\"model_version\":\"v1\","
            + "\"arm\":\"control\",\"expected_conversion\":0.087,\"reason_codes\":[\"MODEL_OPTIMUM\","
            + "\"OBJECTIVE_MARGIN\",\"DISCOUNTED\"],\"guardrails\":[\"CHANGE_LIMIT\"],\"fallback\":false,"
            + "\"personalized\":true,\"disclosure\":\"Price set by an algorithm\","
            + "\"request_time\":\"2019-10-01T00:10:30.123Z\",\"decision_time\":\"2023-11-14T22:13:20.001Z\","
            + "\"latency_ms\":17,\"user_history_events\":12,\"experiment\":{\"policy_id\":\"thompson-ladder\","
            + "\"group\":\"policy\",\"segment\":\"returning|mid\",\"candidates\":[11.7,12.99],"
            + "\"probabilities\":[1.0,0.0],\"chosen\":0,\"propensity\":1.0,\"randomized\":false,"
            + "\"uniform_pick\":false,\"floor\":11.0,\"ceiling\":12.99}}";

    @Test
    void readsAnOlderDecision() throws IOException {
        LoggedDecision d = LoggedDecision.fromJson(OLDER.getBytes(StandardCharsets.UTF_8));
        assertEquals("6b1c", d.decisionId());
        assertEquals(11.7 / 12.99, d.priceToList(), 1e-12);
        assertTrue(d.priced());
        assertEquals(1_569_888_630_123L, d.requestTimeMs());
        assertEquals(12, d.userHistoryEvents());
        assertFalse(d.newShopper());
        assertEquals("returning|mid", d.segment());
        assertEquals(List.of("CHANGE_LIMIT"), d.guardrails());
        assertFalse(d.exploration(), "the model's optimum with probability 1 is no exploration");
        assertNull(d.channel());
        assertNull(d.device());
        assertNull(d.explanation());
        assertNull(d.competitor());
    }

    @Test
    void readsANewerDecisionWithFieldsItDoesNotKnowToo() throws IOException {
        String newer = OLDER.replace(
                "\"user_history_events\":12,",
                "\"user_history_events\":0,\"channel\":\"app\",\"device\":\"mobile\",\"stock_level\":3,"
                        + "\"explanation\":{\"summary\":\"Few left.\",\"factors\":[{\"factor\":\"STOCK\","
                        + "\"text\":\"3 left\",\"weight\":0.4}]},"
                        + "\"competitor\":{\"competitor\":\"X\",\"price\":12.5,\"ceiling\":13.1},");
        LoggedDecision d = LoggedDecision.fromJson(newer.getBytes(StandardCharsets.UTF_8));
        assertEquals("app", d.channel());
        assertEquals("mobile", d.device());
        assertTrue(d.newShopper());
        assertEquals("Few left.", d.explanation().summary());
        assertEquals(
                List.of(new LoggedDecision.Factor("STOCK", "3 left")),
                d.explanation().factors());
        assertEquals(new LoggedDecision.Competitor("X", 12.5, 13.1, null), d.competitor());
    }

    @Test
    void readsWhatTheJobWrites() throws IOException {
        PriceDecision written = new PriceDecision(
                PriceDecision.decisionIdFor("r-9", "u-9", "i-9"),
                "r-9",
                "u-9",
                "i-9",
                10.0,
                9.5,
                6.0,
                "v2",
                "canary",
                0.12,
                List.of("MODEL_OPTIMUM", "OBJECTIVE_MARGIN", "DISCOUNTED", "COMPETITOR_BOUND"),
                List.of("COMPETITOR_PRICE"),
                false,
                true,
                "Price set by an algorithm",
                1_569_888_630_000L,
                1_700_000_000_000L,
                4,
                0,
                null,
                "app",
                "tablet",
                new CompetitorBound("rival", 9.4, 9.5, false),
                new Explanation(
                        "Capped by a rival's price.", List.of(new Explanation.Factor("COMPETITOR", "rival: 9.40"))));
        LoggedDecision d = LoggedDecision.fromJson(Json.toBytes(written));
        assertEquals(written.decisionId(), d.decisionId());
        assertEquals(0.95, d.priceToList(), 1e-12);
        assertEquals("canary", d.arm());
        assertEquals("app", d.channel());
        assertEquals("tablet", d.device());
        assertTrue(d.newShopper());
        assertEquals(new LoggedDecision.Competitor("rival", 9.4, 9.5, false), d.competitor());
        assertEquals("Capped by a rival's price.", d.explanation().summary());
        assertEquals(
                List.of(new LoggedDecision.Factor("COMPETITOR", "rival: 9.40")),
                d.explanation().factors());
        assertEquals(written.reasonCodes(), d.reasonCodes());
        assertEquals(written.guardrails(), d.guardrails());
    }

    @Test
    void aFallbackWithoutPriceIsNotPriced() throws IOException {
        LoggedDecision d = LoggedDecision.fromJson(("{\"decision_id\":\"x\",\"item_id\":\"i\",\"fallback\":true,"
                        + "\"reason_codes\":[\"FALLBACK_UNKNOWN_ITEM\"]}")
                .getBytes(StandardCharsets.UTF_8));
        assertFalse(d.priced());
        assertNull(d.newShopper());
        assertNull(d.requestTimeMs());
        assertNull(d.segment());
    }

    @Test
    void aRecordWithoutDecisionIdIsRefused() {
        assertThrows(
                IOException.class, () -> LoggedDecision.fromJson("{\"price\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> LoggedDecision.fromJson("[1]".getBytes(StandardCharsets.UTF_8)));
    }
}
