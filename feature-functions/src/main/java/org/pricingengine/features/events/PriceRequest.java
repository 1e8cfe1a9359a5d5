package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/** The storefront asks what to charge this user for this item now. Topic: price requests. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"request_id", "user_id", "item_id", "request_time", "channel", "device"})
public record PriceRequest(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,

        @JsonProperty("request_time") @JsonSerialize(using = IsoTimeSerializer.class)
        long requestTimeMs,

        @JsonProperty("channel") String channel,
        @JsonProperty("device") String device) {

    /** The same request for the user under another id (its pseudonym). */
    public PriceRequest withUserId(String id) {
        return new PriceRequest(requestId, id, itemId, requestTimeMs, channel, device);
    }
}
