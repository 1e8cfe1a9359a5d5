package org.pricingengine.job.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.pricingengine.features.events.IsoTimeDeserializer;
import org.pricingengine.features.events.IsoTimeSerializer;
import org.pricingengine.features.events.Json;

/**
 * The price the engine quotes for one request, and why. Topic: price decisions, keyed by user.
 * {@code experiment} says how the price was chosen (policy, candidates, propensity, the curve used), for
 * learning and off-policy evaluation; it is absent only where there is no price.
 * {@code explanation} says in words why the price is what it is; {@code competitor} names the competitor
 * price that set the ceiling, when one did; {@code channel} and {@code device} are the request's.
 * {@code price} and {@code list_price} are null only when the item is unknown to the catalog
 * (reason FALLBACK_UNKNOWN_ITEM): the storefront then keeps its own price. {@code arm} is "control",
 * or "canary" for the share of users a canary model prices; {@code model_version} is the model that
 * priced this request.
 *
 * <p>A decision read back from the topic with {@link #fromJson} writes out to the same bytes: after a
 * failure the job re-issues what it already published instead of pricing the request again.
 *
 * <p>{@code reasonCodes} and {@code guardrails} stay lists of strings although the policy works with
 * {@link ReasonCode} and {@link Guardrail}: decisions sit in keyed state (feedback attribution), and
 * savepoints taken with string lists must restore. Read them with {@link #reasons()},
 * {@link #guardrailsApplied()} and {@link #hasReason}; their names are no bean getters, so neither the
 * JSON nor Flink's type of this record sees them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "decision_id",
    "request_id",
    "user_id",
    "item_id",
    "list_price",
    "price",
    "unit_cost",
    "model_version",
    "arm",
    "expected_conversion",
    "reason_codes",
    "guardrails",
    "fallback",
    "personalized",
    "disclosure",
    "request_time",
    "decision_time",
    "latency_ms",
    "user_history_events",
    "experiment",
    "channel",
    "device",
    "competitor",
    "explanation"
})
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
        @JsonSerialize(using = IsoTimeSerializer.class)
        @JsonDeserialize(using = IsoTimeDeserializer.class)
        long requestTimeMs,

        @JsonProperty("decision_time")
        @JsonSerialize(using = IsoTimeSerializer.class)
        @JsonDeserialize(using = IsoTimeDeserializer.class)
        long decisionTimeMs,

        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("user_history_events") int userHistoryEvents,
        @JsonProperty("experiment") PriceExperiment experiment,
        @JsonProperty("channel") String channel,
        @JsonProperty("device") String device,
        @JsonProperty("competitor") CompetitorBound competitor,
        @JsonProperty("explanation") Explanation explanation) {

    /** A decision without the request's channel and device, competitor bound or explanation. */
    public PriceDecision(
            String decisionId,
            String requestId,
            String userId,
            String itemId,
            Double listPrice,
            Double price,
            Double unitCost,
            String modelVersion,
            String arm,
            Double expectedConversion,
            List<String> reasonCodes,
            List<String> guardrails,
            boolean fallback,
            boolean personalized,
            String disclosure,
            long requestTimeMs,
            long decisionTimeMs,
            long latencyMs,
            int userHistoryEvents,
            PriceExperiment experiment) {
        this(
                decisionId,
                requestId,
                userId,
                itemId,
                listPrice,
                price,
                unitCost,
                modelVersion,
                arm,
                expectedConversion,
                reasonCodes,
                guardrails,
                fallback,
                personalized,
                disclosure,
                requestTimeMs,
                decisionTimeMs,
                latencyMs,
                userHistoryEvents,
                experiment,
                null,
                null,
                null,
                null);
    }

    /**
     * Deterministic from what was asked: a replayed or retried request gets the same decision id, and a
     * request id reused for another user or item (a client bug) gets a different one, so one id never
     * names two different decisions.
     */
    public static String decisionIdFor(String requestId, String userId, String itemId) {
        return UUID.nameUUIDFromBytes(("price-decision:" + requestId + '\u0000' + userId + '\u0000' + itemId)
                        .getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /**
     * The same decision without its explanation: what feedback attribution keeps while a window is open.
     * Outcomes carry no words, and the sentences would be most of each kept decision's bytes.
     */
    public PriceDecision withoutExplanation() {
        if (explanation == null) {
            return this;
        }
        return new PriceDecision(
                decisionId,
                requestId,
                userId,
                itemId,
                listPrice,
                price,
                unitCost,
                modelVersion,
                arm,
                expectedConversion,
                reasonCodes,
                guardrails,
                fallback,
                personalized,
                disclosure,
                requestTimeMs,
                decisionTimeMs,
                latencyMs,
                userHistoryEvents,
                experiment,
                channel,
                device,
                competitor,
                null);
    }

    /** @throws IllegalArgumentException if a reason code is not one this job knows */
    public List<ReasonCode> reasons() {
        return reasonCodes.stream().map(ReasonCode::ofCode).toList();
    }

    /** @throws IllegalArgumentException if a guardrail is not one this job knows */
    public List<Guardrail> guardrailsApplied() {
        return guardrails.stream().map(Guardrail::ofCode).toList();
    }

    public boolean hasReason(ReasonCode reason) {
        return reasonCodes.contains(reason.code());
    }

    /** The decision as published on the decisions topic. */
    public static PriceDecision fromJson(byte[] json) throws IOException {
        return Json.mapper().readValue(json, PriceDecision.class);
    }
}
