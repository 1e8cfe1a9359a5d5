package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * A shopper asked to be forgotten (GDPR right to erasure, CCPA deletion): every operator drops what it
 * keeps about this user. Topic: erasure requests.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"erasure_id", "user_id", "request_time"})
public record ErasureRequest(
        @JsonProperty("erasure_id") String erasureId,
        @JsonProperty("user_id") String userId,

        @JsonProperty("request_time") @JsonSerialize(using = IsoTimeSerializer.class)
        long requestTimeMs) {

    /** The same request for the user under another id (its pseudonym). */
    public ErasureRequest withUserId(String id) {
        return new ErasureRequest(erasureId, id, requestTimeMs);
    }
}
