package org.pricingengine.tools.fairness;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.events.Json;

/**
 * A price decision as the reports read it off the decisions topic: from the JSON tree, every field but
 * the decision id optional, unknown fields ignored. Decisions written before the job logged a shopper's
 * channel and device, its explanation or the competitor price that bound it read as well as newer ones,
 * and a newer decision does not break a report built against an older job.
 *
 * <p>{@code segment}, {@code randomized}, {@code uniformPick} and {@code group} come from the decision's
 * experiment; they are null where the decision has none (no price).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoggedDecision(
        @JsonProperty("decision_id") String decisionId,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("user_id") String userId,
        @JsonProperty("item_id") String itemId,
        @JsonProperty("list_price") Double listPrice,
        @JsonProperty("price") Double price,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("arm") String arm,
        @JsonProperty("reason_codes") List<String> reasonCodes,
        @JsonProperty("guardrails") List<String> guardrails,
        @JsonProperty("fallback") boolean fallback,
        @JsonProperty("personalized") boolean personalized,
        @JsonProperty("disclosure") String disclosure,
        @JsonProperty("request_time_ms") Long requestTimeMs,
        @JsonProperty("user_history_events") Integer userHistoryEvents,
        @JsonProperty("channel") String channel,
        @JsonProperty("device") String device,
        @JsonProperty("segment") String segment,
        @JsonProperty("group") String group,
        @JsonProperty("randomized") Boolean randomized,
        @JsonProperty("uniform_pick") Boolean uniformPick,
        @JsonProperty("explanation") Explanation explanation,
        @JsonProperty("competitor") Competitor competitor) {

    public LoggedDecision {
        reasonCodes = reasonCodes == null ? List.of() : List.copyOf(reasonCodes);
        guardrails = guardrails == null ? List.of() : List.copyOf(guardrails);
    }

    /** The decision's own account of its price, for a shopper-support agent. */
    public record Explanation(
            @JsonProperty("summary") String summary,
            @JsonProperty("factors") List<Factor> factors) {
        public Explanation {
            factors = factors == null ? List.of() : List.copyOf(factors);
        }
    }

    /** One reason behind a price: its kind (SEGMENT_SENSITIVITY, STOCK, COMPETITOR, ...) and plain words. */
    public record Factor(
            @JsonProperty("factor") String factor,
            @JsonProperty("text") String text) {}

    /**
     * The competitor price that bound the ceiling; {@code belowFloor}: it lay below the shop's own floor,
     * which was quoted instead.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Competitor(
            @JsonProperty("competitor") String competitor,
            @JsonProperty("price") Double price,
            @JsonProperty("ceiling") Double ceiling,
            @JsonProperty("below_floor") Boolean belowFloor) {}

    /**
     * Whether the decision carries a price the engine chose: not a fallback, with a price and a positive
     * list price. Only these enter the price statistics.
     */
    public boolean priced() {
        return !fallback && price != null && listPrice != null && listPrice > 0;
    }

    /** Price relative to list; only for {@link #priced()} decisions. */
    public double priceToList() {
        return price / listPrice;
    }

    /** Whether the shopper had no behaviour history when priced; null when the decision does not say. */
    public Boolean newShopper() {
        return userHistoryEvents == null ? null : userHistoryEvents == 0;
    }

    /**
     * Whether chance chose the price so the engine can learn: a uniform pick among the allowed prices, or
     * a Thompson draw that another draw could have answered with another price (randomized).
     */
    public boolean exploration() {
        return Boolean.TRUE.equals(uniformPick)
                || reasonCodes.contains("UNIFORM_EXPLORATION")
                || (reasonCodes.contains("THOMPSON_DRAW") && !Boolean.FALSE.equals(randomized));
    }

    public static LoggedDecision fromJson(byte[] json) throws IOException {
        return fromTree(Json.mapper().readTree(json));
    }

    /** @throws IOException when the record is no JSON object or has no decision id */
    public static LoggedDecision fromTree(JsonNode d) throws IOException {
        if (d == null || !d.isObject()) {
            throw new IOException("a decision is a JSON object");
        }
        String decisionId = text(d, "decision_id");
        if (decisionId == null) {
            throw new IOException("the record has no decision_id");
        }
        JsonNode experiment = d.path("experiment");
        JsonNode explanation = d.path("explanation");
        JsonNode competitor = d.path("competitor");
        return new LoggedDecision(
                decisionId,
                text(d, "request_id"),
                text(d, "user_id"),
                text(d, "item_id"),
                number(d, "list_price"),
                number(d, "price"),
                text(d, "model_version"),
                text(d, "arm"),
                strings(d.path("reason_codes")),
                strings(d.path("guardrails")),
                d.path("fallback").asBoolean(false),
                d.path("personalized").asBoolean(false),
                text(d, "disclosure"),
                time(d, "request_time"),
                d.path("user_history_events").isNumber()
                        ? d.path("user_history_events").asInt()
                        : null,
                text(d, "channel"),
                text(d, "device"),
                text(experiment, "segment"),
                text(experiment, "group"),
                experiment.path("randomized").isBoolean()
                        ? experiment.path("randomized").asBoolean()
                        : null,
                experiment.path("uniform_pick").isBoolean()
                        ? experiment.path("uniform_pick").asBoolean()
                        : null,
                explanation.isObject() ? explanationOf(explanation) : null,
                competitor.isObject()
                        ? new Competitor(
                                text(competitor, "competitor"),
                                number(competitor, "price"),
                                number(competitor, "ceiling"),
                                competitor.path("below_floor").isBoolean()
                                        ? competitor.path("below_floor").asBoolean()
                                        : null)
                        : null);
    }

    private static Explanation explanationOf(JsonNode e) {
        List<Factor> factors = new ArrayList<>();
        for (JsonNode f : e.path("factors")) {
            if (f.isObject()) {
                factors.add(new Factor(text(f, "factor"), text(f, "text")));
            }
        }
        return new Explanation(text(e, "summary"), factors);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? v.asDouble() : null;
    }

    private static Long time(JsonNode node, String field) {
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array) {
            if (v.isTextual()) {
                out.add(v.asText());
            }
        }
        return out;
    }
}
