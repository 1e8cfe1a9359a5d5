package org.pricingengine.features.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.Json;

class ErasureRequestParsingTest {
    private static final long NOW = Instant.parse("2026-01-10T12:00:00Z").toEpochMilli();
    private final EventParser parser = new EventParser(ValidationRules.DEFAULTS, () -> NOW);

    private ParseResult<ErasureRequest> parse(String json) {
        return parser.parseErasureRequest(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aValidErasureRequestParsesAndWritesBackTheSameFields() {
        ParseResult<ErasureRequest> r =
                parse("{\"erasure_id\":\"x-1\",\"user_id\":\"shopper-7\",\"request_time\":\"2026-01-10T11:00:00Z\"}");
        assertTrue(r.isValid(), r.rejectReason());
        assertEquals(new ErasureRequest("x-1", "shopper-7", NOW - 3_600_000), r.value());
        assertEquals(
                "{\"erasure_id\":\"x-1\",\"user_id\":\"shopper-7\",\"request_time\":\"2026-01-10T11:00:00Z\"}",
                Json.toJson(r.value()));
    }

    @Test
    void missingOrBadFieldsAreRefusedWithAReason() {
        ParseResult<ErasureRequest> noUser =
                parse("{\"erasure_id\":\"x-1\",\"request_time\":\"2026-01-10T11:00:00Z\"}");
        assertFalse(noUser.isValid());
        assertTrue(noUser.rejectReason().startsWith("MISSING_FIELD: user_id"), noUser.rejectReason());
        ParseResult<ErasureRequest> noId = parse("{\"user_id\":\"u\",\"request_time\":\"2026-01-10T11:00:00Z\"}");
        assertTrue(noId.rejectReason().startsWith("MISSING_FIELD: erasure_id"), noId.rejectReason());
        ParseResult<ErasureRequest> badTime = parse("{\"erasure_id\":\"x\",\"user_id\":\"u\",\"request_time\":true}");
        assertTrue(badTime.rejectReason().startsWith("INVALID_FIELD: request_time"), badTime.rejectReason());
        assertTrue(parse("[1]").rejectReason().startsWith("NOT_A_JSON_OBJECT"));
    }
}
