package org.pricingengine.features.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.testing.Events;

class EventParserTest {
    private static final long NOW = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();
    private final EventParser parser = new EventParser(ValidationRules.DEFAULTS, () -> NOW);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void behaviourEventRoundTripsThroughItsOwnJson() {
        BehaviourEvent event = Events.event("e-1", "u-1", "i-1", EventType.REMOVE_FROM_CART, 60, 12.5);
        String json = Json.toJson(event);
        assertTrue(json.contains("\"event_type\":\"remove_from_cart\""), json);
        assertTrue(json.contains("\"event_time\":\"2019-10-01T00:01:00Z\""), json);
        ParseResult<BehaviourEvent> parsed = parser.parseBehaviourEvent(bytes(json));
        assertTrue(parsed.isValid(), parsed::toString);
        assertEquals(event, parsed.value());
    }

    @Test
    void refusesIdsAndTextsThatCannotBeWrittenBackAsUtf8OrCarryControlCharacters() {
        String template = "{\"event_id\":\"e\",\"user_id\":%s,\"item_id\":\"i\",\"event_type\":\"view\","
                + "\"event_time\":1569888000000,\"price\":1,\"brand\":%s}";
        for (String[] bad : new String[][] {
            {"\"u\\u0000\"", "null"}, {"\"\\ud800\"", "null"}, {"\"u\"", "\"b\\u001b\""}, {"\"\\udc00u\"", "null"}
        }) {
            ParseResult<BehaviourEvent> parsed =
                    parser.parseBehaviourEvent(bytes(String.format(template, bad[0], bad[1])));
            assertFalse(parsed.isValid(), String.join(" ", bad));
            assertTrue(parsed.rejectReason().startsWith("INVALID_FIELD"), parsed.rejectReason());
        }
        ParseResult<BehaviourEvent> emoji =
                parser.parseBehaviourEvent(bytes(String.format(template, "\"u-\ud83d\udcb8\"", "null")));
        assertTrue(emoji.isValid(), emoji::toString);
    }

    @Test
    void acceptsNumericIdsEpochMillisAndOmittedOptionalFields() {
        ParseResult<BehaviourEvent> parsed = parser.parseBehaviourEvent(
                bytes("{\"event_id\":\"e\",\"user_id\":463240011,\"item_id\":5773203,\"event_type\":\"purchase\","
                        + "\"event_time\":1569888000000,\"price\":0}"));
        assertTrue(parsed.isValid(), parsed::toString);
        assertEquals("463240011", parsed.value().userId());
        assertEquals(Events.T0, parsed.value().eventTimeMs());
        assertEquals(0.0, parsed.value().price());
        assertNull(parsed.value().category());
    }

    @Test
    void catalogUpdateAndPriceRequestRoundTrip() {
        CatalogUpdate update = new CatalogUpdate("i-9", "c", "b", 19.99, 7.5, 3L, Events.at(5));
        assertEquals(update, parser.parseCatalogUpdate(Json.toBytes(update)).value());
        PriceRequest request = Events.request("r-1", "u-1", "i-9", 5);
        assertEquals(request, parser.parsePriceRequest(Json.toBytes(request)).value());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "truncated JSON|{\"event_id\":\"e\",\"user_id\":|MALFORMED_JSON",
                "not an object|[1,2,3]|NOT_A_JSON_OBJECT",
                "missing user|{\"event_id\":\"e\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1}|MISSING_FIELD",
                "empty item id|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\" \",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1}|MISSING_FIELD",
                "unknown type|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"click\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1}|UNKNOWN_EVENT_TYPE",
                "type not text|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":3,\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1}|INVALID_FIELD",
                "negative price|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":-1}|INVALID_PRICE",
                "NaN price|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":\"NaN\"}|INVALID_PRICE",
                "infinite price|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":\"Infinity\"}|INVALID_PRICE",
                "absurd price|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1e300}|INVALID_PRICE",
                "year 1970|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"1970-01-01T00:00:00Z\",\"price\":1}|TIMESTAMP_OUT_OF_RANGE",
                "next year|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2027-11-22T00:00:00Z\",\"price\":1}|TIMESTAMP_OUT_OF_RANGE",
                "bad time text|{\"event_id\":\"e\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"yesterday\",\"price\":1}|INVALID_FIELD",
                "duplicate key|{\"event_id\":\"e\",\"event_id\":\"f\",\"user_id\":\"u\",\"item_id\":\"i\",\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1}|MALFORMED_JSON",
            })
    void refusesBadBehaviourEventsWithAReason(String name, String json, String reasonCode) {
        ParseResult<BehaviourEvent> parsed = parser.parseBehaviourEvent(bytes(json));
        assertFalse(parsed.isValid(), name);
        assertTrue(parsed.rejectReason().startsWith(reasonCode + ":"), name + " -> " + parsed.rejectReason());
    }

    @Test
    void refusesOversizedDeeplyNestedAndNonUtf8Records() {
        String huge = "{\"event_id\":\"" + "x".repeat(70_000) + "\"}";
        assertTrue(parser.parseBehaviourEvent(bytes(huge)).rejectReason().startsWith("RECORD_TOO_LARGE"));

        String deep = "{\"a\":".repeat(50) + "1" + "}".repeat(50);
        assertTrue(
                parser.parseBehaviourEvent(bytes(deep)).rejectReason().startsWith("MALFORMED_JSON"),
                parser.parseBehaviourEvent(bytes(deep)).rejectReason());

        byte[] latin1 = {'{', '"', 'a', '"', ':', '"', (byte) 0xe9, '"', '}'};
        assertTrue(parser.parseBehaviourEvent(latin1).rejectReason().contains("UTF-8"));

        assertTrue(parser.parseBehaviourEvent(new byte[0]).rejectReason().startsWith("EMPTY_RECORD"));
        assertTrue(parser.parseBehaviourEvent(null).rejectReason().startsWith("EMPTY_RECORD"));
    }

    @Test
    void catalogNeedsAPositiveListPriceAndSaneOptionalFields() {
        assertTrue(parser.parseCatalogUpdate(
                        bytes("{\"item_id\":\"i\",\"list_price\":0,\"update_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("INVALID_PRICE"));
        assertTrue(parser.parseCatalogUpdate(
                        bytes(
                                "{\"item_id\":\"i\",\"list_price\":3,\"unit_cost\":-1,\"update_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("INVALID_PRICE"));
        assertTrue(parser.parseCatalogUpdate(
                        bytes(
                                "{\"item_id\":\"i\",\"list_price\":3,\"inventory\":2.5,\"update_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("INVALID_FIELD"));
        assertTrue(parser.parsePriceRequest(
                        bytes("{\"request_id\":\"r\",\"item_id\":\"i\",\"request_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("MISSING_FIELD: user_id"));
    }

    @Test
    void competitorPriceRoundTripsAndNeedsAPositivePriceAndACompetitor() {
        var price = new org.pricingengine.features.events.CompetitorPrice(
                "i",
                "shopA",
                12.49,
                java.time.Instant.parse("2019-10-01T00:00:00Z").toEpochMilli());
        assertEquals(price, parser.parseCompetitorPrice(Json.toBytes(price)).value());
        assertTrue(parser.parseCompetitorPrice(
                        bytes(
                                "{\"item_id\":\"i\",\"competitor\":\"a\",\"price\":0,\"observed_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("INVALID_PRICE"));
        assertTrue(parser.parseCompetitorPrice(
                        bytes("{\"item_id\":\"i\",\"price\":3,\"observed_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("MISSING_FIELD: competitor"));
        assertTrue(parser.parseCompetitorPrice(
                        bytes(
                                "{\"item_id\":\"i\",\"competitor\":\"a\",\"price\":\"NaN\",\"observed_time\":\"2019-10-01T00:00:00Z\"}"))
                .rejectReason()
                .startsWith("INVALID_PRICE"));
        assertTrue(parser.parseCompetitorPrice(bytes("{\"item_id\":\"i\",\"competitor\":\"a\",\"price\":3}"))
                .rejectReason()
                .startsWith("MISSING_FIELD: observed_time"));
    }
}
