package org.pricingengine.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.Objects;

/**
 * What the storefront asks: the price of this item for this shopper now. Topic: price requests, keyed by
 * user id. {@code channel} and {@code device} are optional context.
 */
@JsonPropertyOrder({"request_id", "user_id", "item_id", "request_time", "channel", "device"})
public record PriceRequest(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,

        @JsonProperty("request_time")
        @JsonSerialize(using = Wire.IsoTimeWriter.class)
        @JsonDeserialize(using = Wire.IsoTimeReader.class)
        Instant requestTime,

        @JsonProperty("channel") String channel,
        @JsonProperty("device") String device) {

    public PriceRequest {
        requireId("request_id", requestId);
        requireId("user_id", userId);
        requireId("item_id", itemId);
        Objects.requireNonNull(requestTime, "request_time");
    }

    static void requireId(String field, String id) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
    }
}
