package org.pricingengine.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The price to show for one query. Either the job's decision ({@code decision} set, {@code clientFallback}
 * null) or the client's own fallback to the storefront's list price ({@code clientFallback} says why:
 * no decision before the deadline, too many requests waiting, the request could not be sent, the client is
 * closed or its reader failed). {@code fallback} is true for both kinds of fallback: the job's
 * ({@code FALLBACK_*} reasons) and the client's. {@code price} is null only when neither the job nor the
 * caller had a price. {@code latencyMs} is the wait the client measured.
 */
@JsonPropertyOrder({
    "request_id",
    "user_id",
    "item_id",
    "price",
    "list_price",
    "fallback",
    "client_fallback",
    "latency_ms",
    "decision"
})
public record Quote(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,
        @JsonProperty("price") Double price,
        @JsonProperty("list_price") Double listPrice,
        @JsonProperty("fallback") boolean fallback,
        @JsonProperty("client_fallback") ClientFallback clientFallback,
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("decision") PriceDecision decision,
        @JsonIgnore String decisionJson) {

    /** Why the client answered with the list price itself. */
    public enum ClientFallback {
        /** No decision before the deadline. */
        TIMEOUT,
        /** The bound on waiting requests was reached; the request was not sent. */
        OVERLOADED,
        /** The producer could not send the request. */
        SEND_FAILED,
        /** The decisions reader stopped with an error; see the client's failure. */
        UNAVAILABLE,
        /** The client was closed while the request waited. */
        CLOSED
    }

    static Quote decided(PriceQuery query, PriceDecision decision, String json, long latencyMs) {
        // The job has no price for an item its catalog does not know: the storefront keeps its own.
        Double price = decision.price() != null ? decision.price() : query.listPrice();
        Double list = decision.listPrice() != null ? decision.listPrice() : query.listPrice();
        return new Quote(
                query.requestId(),
                query.userId(),
                query.itemId(),
                price,
                list,
                decision.fallback(),
                null,
                latencyMs,
                decision,
                json);
    }

    static Quote fallback(PriceQuery query, ClientFallback why, long latencyMs) {
        return new Quote(
                query.requestId(),
                query.userId(),
                query.itemId(),
                query.listPrice(),
                query.listPrice(),
                true,
                why,
                latencyMs,
                null,
                null);
    }

    /** Whether the job decided this price (even a fallback of the job's) rather than the client. */
    public boolean decided() {
        return decision != null;
    }

    /** Whether the storefront must say the price was set by an algorithm; its text is {@link #disclosure}. */
    public boolean personalized() {
        return decision != null && decision.personalized();
    }

    public String disclosure() {
        return decision == null ? null : decision.disclosure();
    }

    /** The decision exactly as published, or this quote as JSON when the client fell back. */
    public String toJson() {
        return decisionJson != null ? decisionJson : Wire.toJson(this);
    }
}
