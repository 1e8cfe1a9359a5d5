package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * One thing a shopper did: viewed, carted, removed from cart or purchased an item, at the price
 * that was shown then. Topic: behaviour events.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
        @JsonProperty("event_type") EventType type,

        @JsonProperty("event_time") @JsonSerialize(using = IsoTimeSerializer.class)
        long eventTimeMs,

        @JsonProperty("price") double price,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("category") String category,
        @JsonProperty("brand") String brand) {

    /** The same event for the user under another id (its pseudonym). */
    public BehaviourEvent withUserId(String id) {
        return new BehaviourEvent(eventId, id, itemId, type, eventTimeMs, price, sessionId, category, brand);
    }

    public boolean isConversionSignal() {
        return type == EventType.CART || type == EventType.PURCHASE;
    }
}
