package org.pricingengine.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.List;

/**
 * The job's answer to one request, as read from the price-decisions topic (keyed by user id). Fields the
 * job may add later are ignored. {@code price} and {@code listPrice} are null only for an item the catalog
 * does not know (reason {@code FALLBACK_UNKNOWN_ITEM}): the storefront keeps its own price then. When
 * {@code personalized} is true the storefront must show {@code disclosure} with the price. {@code experiment}
 * is kept as JSON: it is for learning and evaluation, not for showing a price.
 *
 * <p>Decisions are at-least-once: a repeat is the identical record with the same {@code decisionId}.
 */
public record PriceDecision(
        @JsonProperty("decision_id") String decisionId,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,
        @JsonProperty("list_price") Double listPrice,
        @JsonProperty("price") Double price,
        @JsonProperty("unit_cost") Double unitCost,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("arm") String arm,
        @JsonProperty("expected_conversion") Double expectedConversion,
        @JsonProperty("reason_codes") List<String> reasonCodes,
        @JsonProperty("guardrails") List<String> guardrails,
        @JsonProperty("fallback") boolean fallback,
        @JsonProperty("personalized") boolean personalized,
        @JsonProperty("disclosure") String disclosure,

        @JsonProperty("request_time")
        @JsonSerialize(using = Wire.IsoTimeWriter.class)
        @JsonDeserialize(using = Wire.IsoTimeReader.class)
        Instant requestTime,

        @JsonProperty("decision_time")
        @JsonSerialize(using = Wire.IsoTimeWriter.class)
        @JsonDeserialize(using = Wire.IsoTimeReader.class)
        Instant decisionTime,

        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("user_history_events") int userHistoryEvents,
        @JsonProperty("experiment") JsonNode experiment) {

    /** The reason the job gives when it does not know the item: no price, the storefront keeps its own. */
    public static final String UNKNOWN_ITEM = "FALLBACK_UNKNOWN_ITEM";

    public PriceDecision {
        reasonCodes = reasonCodes == null ? List.of() : List.copyOf(reasonCodes);
        guardrails = guardrails == null ? List.of() : List.copyOf(guardrails);
    }
}
