package org.pricingengine.job.feedback;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import org.pricingengine.features.events.IsoTimeDeserializer;
import org.pricingengine.features.events.IsoTimeSerializer;
import org.pricingengine.job.policy.PriceExperiment;

/**
 * What came of one decision within its attribution window: purchase, cart or none. Exactly one per
 * decision, written when the window closes. Topic: feedback outcomes, keyed by user. Carries the
 * decision's model version and canary arm, so arms can be compared on real outcomes, and its
 * {@code experiment} (policy, candidates, propensity, curve), so the job's learner, retraining and
 * off-policy evaluation can learn from it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "decision_id",
    "request_id",
    "user_id",
    "item_id",
    "price",
    "list_price",
    "unit_cost",
    "model_version",
    "arm",
    "fallback",
    "outcome",
    "revenue",
    "seconds_to_outcome",
    "attribution_window_s",
    "decision_request_time",
    "experiment"
})
public record FeedbackOutcome(
        @JsonProperty("decision_id") String decisionId,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,
        @JsonProperty("price") Double price,
        @JsonProperty("list_price") Double listPrice,
        @JsonProperty("unit_cost") Double unitCost,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("arm") String arm,
        @JsonProperty("fallback") boolean fallback,
        @JsonProperty("outcome") String outcome,
        @JsonProperty("revenue") double revenue,
        @JsonProperty("seconds_to_outcome") Double secondsToOutcome,
        @JsonProperty("attribution_window_s") long attributionWindowSeconds,

        @JsonProperty("decision_request_time")
        @JsonSerialize(using = IsoTimeSerializer.class)
        @JsonDeserialize(using = IsoTimeDeserializer.class)
        long decisionRequestTimeMs,

        @JsonProperty("experiment") PriceExperiment experiment) {

    public static final String PURCHASE = "purchase";
    public static final String CART = "cart";
    public static final String NONE = "none";

    public boolean purchased() {
        return PURCHASE.equals(outcome);
    }

    /** An outcome as published on the feedback topic. */
    public static FeedbackOutcome fromJson(byte[] json) throws java.io.IOException {
        return org.pricingengine.features.events.Json.mapper().readValue(json, FeedbackOutcome.class);
    }
}
