package org.pricingengine.features.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.function.LongSupplier;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;

/**
 * Turns raw topic records into validated events. Every way a record can be wrong ends in a
 * {@link ParseResult#rejected} with a reason code, never in an exception: one bad record must not
 * restart the job.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ValidationRules rules;
    private final LongSupplier wallClock;

    public EventParser(ValidationRules rules) {
        this(rules, (LongSupplier & Serializable) System::currentTimeMillis);
    }

    public EventParser(ValidationRules rules, LongSupplier wallClock) {
        this.rules = rules;
        this.wallClock = wallClock;
    }

    public ParseResult<BehaviourEvent> parseBehaviourEvent(byte[] raw) {
        try {
            JsonNode node = readObject(raw);
            EventType type = EventType.fromWireName(requireText(node, "event_type"));
            if (type == null) {
                throw new Rejection(RejectReason.UNKNOWN_EVENT_TYPE.with(
                        abbreviate(node.get("event_type").asText())));
            }
            return ParseResult.valid(new BehaviourEvent(
                    requireId(node, "event_id"),
                    requireId(node, "user_id"),
                    requireId(node, "item_id"),
                    type,
                    requireTime(node, "event_time"),
                    requirePrice(node, "price", true),
                    optionalText(node, "session_id"),
                    optionalText(node, "category"),
                    optionalText(node, "brand")));
        } catch (Rejection r) {
            return ParseResult.rejected(r.getMessage());
        }
    }

    public ParseResult<CatalogUpdate> parseCatalogUpdate(byte[] raw) {
        try {
            JsonNode node = readObject(raw);
            Double unitCost = node.hasNonNull("unit_cost") ? requirePrice(node, "unit_cost", true) : null;
            Long inventory = null;
            if (node.hasNonNull("inventory")) {
                JsonNode inv = node.get("inventory");
                if (!inv.canConvertToLong() || !inv.isIntegralNumber() || inv.asLong() < 0) {
                    throw new Rejection(RejectReason.INVALID_FIELD.with("inventory must be a non-negative integer"));
                }
                inventory = inv.asLong();
            }
            return ParseResult.valid(new CatalogUpdate(
                    requireId(node, "item_id"),
                    optionalText(node, "category"),
                    optionalText(node, "brand"),
                    requirePrice(node, "list_price", false),
                    unitCost,
                    inventory,
                    requireTime(node, "update_time")));
        } catch (Rejection r) {
            return ParseResult.rejected(r.getMessage());
        }
    }

    public ParseResult<PriceRequest> parsePriceRequest(byte[] raw) {
        try {
            JsonNode node = readObject(raw);
            return ParseResult.valid(new PriceRequest(
                    requireId(node, "request_id"),
                    requireId(node, "user_id"),
                    requireId(node, "item_id"),
                    requireTime(node, "request_time"),
                    optionalText(node, "channel"),
                    optionalText(node, "device")));
        } catch (Rejection r) {
            return ParseResult.rejected(r.getMessage());
        }
    }

    public ParseResult<CompetitorPrice> parseCompetitorPrice(byte[] raw) {
        try {
            JsonNode node = readObject(raw);
            return ParseResult.valid(new CompetitorPrice(
                    requireId(node, "item_id"),
                    requireId(node, "competitor"),
                    requirePrice(node, "price", false),
                    requireTime(node, "observed_time")));
        } catch (Rejection r) {
            return ParseResult.rejected(r.getMessage());
        }
    }

    public ParseResult<ErasureRequest> parseErasureRequest(byte[] raw) {
        try {
            JsonNode node = readObject(raw);
            return ParseResult.valid(new ErasureRequest(
                    requireId(node, "erasure_id"), requireId(node, "user_id"), requireTime(node, "request_time")));
        } catch (Rejection r) {
            return ParseResult.rejected(r.getMessage());
        }
    }

    private JsonNode readObject(byte[] raw) {
        if (raw == null || raw.length == 0) {
            throw new Rejection(RejectReason.EMPTY_RECORD.with("no bytes"));
        }
        if (raw.length > rules.maxRecordBytes()) {
            throw new Rejection(RejectReason.RECORD_TOO_LARGE.with(raw.length + " bytes > " + rules.maxRecordBytes()));
        }
        requireUtf8(raw);
        JsonNode node;
        try {
            node = Json.mapper().readTree(raw);
        } catch (StreamConstraintsException e) {
            throw new Rejection(
                    RejectReason.MALFORMED_JSON.with("parser limit: " + abbreviate(e.getOriginalMessage())));
        } catch (JsonProcessingException e) {
            throw new Rejection(RejectReason.MALFORMED_JSON.with(abbreviate(e.getOriginalMessage())));
        } catch (IOException e) {
            throw new Rejection(RejectReason.MALFORMED_JSON.with(abbreviate(String.valueOf(e.getMessage()))));
        }
        if (node == null || !node.isObject()) {
            throw new Rejection(RejectReason.NOT_A_JSON_OBJECT.with(
                    node == null ? "empty" : node.getNodeType().name()));
        }
        return node;
    }

    private static void requireUtf8(byte[] raw) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw));
        } catch (CharacterCodingException e) {
            throw new Rejection(RejectReason.MALFORMED_JSON.with("not valid UTF-8"));
        }
    }

    private String requireText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new Rejection(RejectReason.MISSING_FIELD.with(field));
        }
        if (!value.isTextual()) {
            throw new Rejection(RejectReason.INVALID_FIELD.with(field + " must be a string"));
        }
        return value.asText();
    }

    /** Ids may be JSON strings or integers (REES46 ids are numeric); both become text. */
    private String requireId(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new Rejection(RejectReason.MISSING_FIELD.with(field));
        }
        String id;
        if (value.isTextual()) {
            id = value.asText().strip();
        } else if (value.isIntegralNumber()) {
            id = value.asText();
        } else {
            throw new Rejection(RejectReason.INVALID_FIELD.with(field + " must be a string or an integer"));
        }
        if (id.isEmpty()) {
            throw new Rejection(RejectReason.MISSING_FIELD.with(field + " is empty"));
        }
        if (id.length() > rules.maxIdLength()) {
            throw new Rejection(RejectReason.INVALID_FIELD.with(field + " longer than " + rules.maxIdLength()));
        }
        requirePrintable(field, id);
        return id;
    }

    /**
     * Control characters and unpaired surrogates (JSON escapes such as \u0000 or \ud800 get past UTF-8
     * validation) make ids that cannot be written back out as UTF-8 or that log and join badly.
     */
    private static void requirePrintable(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw new Rejection(RejectReason.INVALID_FIELD.with(field + " contains a control character"));
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Rejection(RejectReason.INVALID_FIELD.with(field + " contains an unpaired surrogate"));
            }
        }
    }

    private String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            throw new Rejection(RejectReason.INVALID_FIELD.with(field + " must be a string"));
        }
        String text = value.asText().strip();
        if (text.length() > rules.maxIdLength()) {
            throw new Rejection(RejectReason.INVALID_FIELD.with(field + " longer than " + rules.maxIdLength()));
        }
        requirePrintable(field, text);
        return text.isEmpty() ? null : text;
    }

    private double requirePrice(JsonNode node, String field, boolean zeroAllowed) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new Rejection(RejectReason.MISSING_FIELD.with(field));
        }
        double price;
        if (value.isNumber()) {
            price = value.asDouble();
        } else if (value.isTextual()) {
            // "NaN" or "Infinity" as strings are the classic way non-finite numbers sneak into JSON.
            try {
                price = Double.parseDouble(value.asText());
            } catch (NumberFormatException e) {
                throw new Rejection(RejectReason.INVALID_PRICE.with(field + " is not a number"));
            }
        } else {
            throw new Rejection(RejectReason.INVALID_PRICE.with(field + " is not a number"));
        }
        if (!Double.isFinite(price)) {
            throw new Rejection(RejectReason.INVALID_PRICE.with(field + " is not finite"));
        }
        if (price < 0 || (!zeroAllowed && price == 0)) {
            throw new Rejection(RejectReason.INVALID_PRICE.with(field + " = " + price));
        }
        if (price > rules.maxPrice()) {
            throw new Rejection(RejectReason.INVALID_PRICE.with(field + " = " + price + " above " + rules.maxPrice()));
        }
        return price;
    }

    private long requireTime(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new Rejection(RejectReason.MISSING_FIELD.with(field));
        }
        long epochMillis;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            epochMillis = value.asLong();
        } else if (value.isTextual()) {
            epochMillis = parseTimeText(field, value.asText());
        } else {
            throw new Rejection(
                    RejectReason.INVALID_FIELD.with(field + " must be ISO-8601 text or epoch milliseconds"));
        }
        long latest = wallClock.getAsLong() + rules.maxFutureSkewMs();
        if (epochMillis < rules.earliestEventTimeMs() || epochMillis > latest) {
            throw new Rejection(RejectReason.TIMESTAMP_OUT_OF_RANGE.with(field + " = " + abbreviate(value.asText())));
        }
        return epochMillis;
    }

    private static long parseTimeText(String field, String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeException e) {
            try {
                return OffsetDateTime.parse(text).toInstant().toEpochMilli();
            } catch (DateTimeException e2) {
                throw new Rejection(RejectReason.INVALID_FIELD.with(field + " is not an ISO-8601 time"));
            }
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }

    /** Control flow for a refused record; no stack trace, it is not an error of ours. */
    private static final class Rejection extends RuntimeException {
        Rejection(String reason) {
            super(reason, null, false, false);
        }
    }
}
