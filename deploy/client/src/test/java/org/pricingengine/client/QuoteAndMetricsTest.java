package org.pricingengine.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the client answers and counts, without a broker (StorefrontClientIT runs it against the job). */
class QuoteAndMetricsTest {
    private static final String UNKNOWN_ITEM_DECISION =
            "{\"decision_id\":\"ca1edd81-e8ee-33c5-8f93-4a52314d6667\",\"request_id\":\"r-1\",\"user_id\":\"u-1\","
                    + "\"item_id\":\"i-9\",\"model_version\":\"v1\",\"arm\":\"control\","
                    + "\"reason_codes\":[\"FALLBACK_UNKNOWN_ITEM\"],\"guardrails\":[],\"fallback\":true,"
                    + "\"personalized\":false,\"request_time\":\"2026-12-02T21:33:02.324Z\","
                    + "\"decision_time\":\"2026-12-02T21:33:04.400Z\",\"latency_ms\":2076,\"user_history_events\":0,"
                    + "\"some_future_field\":1}";

    @Test
    void anItemTheJobDoesNotKnowKeepsTheStorefrontsPrice() throws Exception {
        PriceQuery query = new PriceQuery("r-1", "u-1", "i-9", 5.0, null, null);
        PriceDecision decision = Wire.mapper().readValue(UNKNOWN_ITEM_DECISION, PriceDecision.class);
        Quote quote = Quote.decided(query, decision, UNKNOWN_ITEM_DECISION, 2100);
        assertTrue(quote.decided());
        assertTrue(quote.fallback());
        assertNull(quote.clientFallback());
        assertEquals(5.0, quote.price());
        assertFalse(quote.personalized());
        assertEquals(List.of(PriceDecision.UNKNOWN_ITEM), decision.reasonCodes());
        // What the job published is passed on byte for byte, fields the client does not know included.
        assertEquals(UNKNOWN_ITEM_DECISION, quote.toJson());
    }

    @Test
    void theClientsFallbackIsTheListPriceAndSaysWhy() throws Exception {
        Quote quote = Quote.fallback(PriceQuery.of("u-1", "i-1", 12.5), Quote.ClientFallback.TIMEOUT, 300);
        assertFalse(quote.decided());
        assertTrue(quote.fallback());
        assertEquals(12.5, quote.price());
        var json = Wire.mapper().readTree(quote.toJson());
        assertEquals("TIMEOUT", json.get("client_fallback").asText());
        assertEquals(12.5, json.get("price").asDouble());
        assertEquals(300, json.get("latency_ms").asLong());
        assertFalse(json.has("decision"));
    }

    @Test
    void percentilesAreNearestRankOverTheRecentWindow() {
        ClientMetrics m = new ClientMetrics();
        for (int ms = 100; ms >= 1; ms--) {
            m.requested();
            m.decided(ms == 7, ms * 1000L);
        }
        m.fellBack(Quote.ClientFallback.TIMEOUT);
        m.late();
        ClientMetrics.Snapshot s = m.snapshot(3);
        assertEquals(100, s.requests());
        assertEquals(100, s.decisions());
        assertEquals(1, s.jobFallbacks());
        assertEquals(1, s.timeouts());
        assertEquals(1, s.clientFallbacksTotal());
        assertEquals(1, s.lateDecisions());
        assertEquals(3, s.pending());
        assertEquals(50.0, s.p50Ms());
        assertEquals(90.0, s.p90Ms());
        assertEquals(99.0, s.p99Ms());
        assertEquals(100.0, s.maxMs());

        for (int i = 0; i < ClientMetrics.WINDOW; i++) {
            m.decided(false, 5_000);
        }
        s = m.snapshot(0);
        assertEquals(ClientMetrics.WINDOW, s.latencySamples());
        assertEquals(5.0, s.maxMs(), "the old, slower samples have left the window");
        assertTrue(Double.isNaN(new ClientMetrics().snapshot(0).p50Ms()));
    }

    @Test
    void queriesAndSettingsAreCheckedBeforeAnythingIsSent() {
        assertThrows(IllegalArgumentException.class, () -> PriceQuery.of(" ", "i", 1.0));
        assertThrows(IllegalArgumentException.class, () -> PriceQuery.of("u", "i", -1.0));
        assertThrows(IllegalArgumentException.class, () -> PriceQuery.of("u", "i", Double.NaN));
        assertNull(PriceQuery.of("u", "i", null).listPrice());
        assertThrows(IllegalArgumentException.class, () -> CatalogUpdate.listPrice("i", 0));
        assertThrows(
                IllegalArgumentException.class, () -> PricingClient.builder().build());
        assertThrows(
                IllegalArgumentException.class, () -> PricingClient.builder().maxPending(0));
    }

    @Test
    void theQuoteCommandRefusesBadArgumentsWithoutConnecting() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        assertThrows(
                IllegalArgumentException.class, () -> QuoteCommand.run(new String[] {"--item", "i"}, quiet, quiet));
        assertThrows(
                IllegalArgumentException.class,
                () -> QuoteCommand.run(new String[] {"--user", "u", "--item", "i", "--colour", "red"}, quiet, quiet));
        assertThrows(
                IllegalArgumentException.class,
                () -> QuoteCommand.run(new String[] {"--user", "u", "--item"}, quiet, quiet));
        assertThrows(
                NumberFormatException.class,
                () -> QuoteCommand.run(new String[] {"--user", "u", "--item", "i", "--list-price", "x"}, quiet, quiet));
        assertEquals(
                "true",
                QuoteCommand.parse(new String[] {"--user", "u", "--publish-catalog", "--item", "i"})
                        .get("publish-catalog"));
    }
}
