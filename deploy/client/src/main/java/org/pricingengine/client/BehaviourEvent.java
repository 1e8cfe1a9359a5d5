package org.pricingengine.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.Objects;

/**
 * One thing a shopper did, at the price shown then. Topic: behaviour events, keyed by user id. Carts and
 * purchases are the feedback the job attributes to its decisions; {@code event_id} must be unique per
 * event (a redelivered id is counted once). {@code session_id}, {@code category} and {@code brand} are
 * optional.
 */
@JsonPropertyOrder({
    "event_id",
    "user_id",
    "item_id",
    "event_type",
    "event_time",
    "price",
    "session_id",
    "category",
    "brand"
})
public record BehaviourEvent(
        @JsonProperty("event_id") String eventId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,
        @JsonProperty("event_type") Type type,

        @JsonProperty("event_time")
        @JsonSerialize(using = Wire.IsoTimeWriter.class)
        @JsonDeserialize(using = Wire.IsoTimeReader.class)
        Instant eventTime,

        @JsonProperty("price") double price,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("category") String category,
        @JsonProperty("brand") String brand) {

    /** The event types the job knows, by their wire names. */
    public enum Type {
        VIEW("view"),
        CART("cart"),
        REMOVE_FROM_CART("remove_from_cart"),
        PURCHASE("purchase");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }
    }

    public BehaviourEvent {
        PriceRequest.requireId("event_id", eventId);
        PriceRequest.requireId("user_id", userId);
        PriceRequest.requireId("item_id", itemId);
        Objects.requireNonNull(type, "event_type");
        Objects.requireNonNull(eventTime, "event_time");
        if (!(price >= 0) || Double.isInfinite(price)) {
            throw new IllegalArgumentException("price must be a number >= 0, got " + price);
        }
    }
}
