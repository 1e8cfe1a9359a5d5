package org.pricingengine.tools.fairness;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import org.pricingengine.features.events.Json;

/** Decisions as the job writes them on the decisions topic, built field by field for the tests. */
final class DecisionJson {
    private final ObjectNode node = Json.mapper().createObjectNode();

    private DecisionJson(String id) {
        node.put("decision_id", id);
        node.put("request_id", "r-" + id);
        node.put("model_version", "v1");
        node.put("arm", "control");
        node.put("personalized", true);
        node.put("fallback", false);
        node.put("disclosure", "Price set by an algorithm using your browsing history");
    }

    static DecisionJson decision(String id) {
        return new DecisionJson(id);
    }

    /** A priced decision: {@code minute} minutes after 2019-10-01T10:00Z. */
    static DecisionJson priced(
            String id, String user, String item, double list, double price, int minute, int history) {
        return decision(id)
                .put("user_id", user)
                .put("item_id", item)
                .put("list_price", list)
                .put("price", price)
                .at(minute)
                .put("user_history_events", history)
                .codes(List.of("THOMPSON_DRAW", "OBJECTIVE_MARGIN", price < list ? "DISCOUNTED" : "AT_LIST_PRICE"));
    }

    DecisionJson put(String field, String value) {
        node.put(field, value);
        return this;
    }

    DecisionJson put(String field, double value) {
        node.put(field, value);
        return this;
    }

    DecisionJson put(String field, int value) {
        node.put(field, value);
        return this;
    }

    DecisionJson put(String field, boolean value) {
        node.put(field, value);
        return this;
    }

    DecisionJson remove(String field) {
        node.remove(field);
        return this;
    }

    DecisionJson at(int minute) {
        node.put(
                "request_time",
                Instant.parse("2019-10-01T10:00:00Z").plusSeconds(60L * minute).toString());
        return this;
    }

    DecisionJson codes(List<String> codes) {
        ArrayNode a = node.putArray("reason_codes");
        codes.forEach(a::add);
        return this;
    }

    DecisionJson guardrails(List<String> codes) {
        ArrayNode a = node.putArray("guardrails");
        codes.forEach(a::add);
        return this;
    }

    DecisionJson segment(String segment) {
        ObjectNode e = node.putObject("experiment");
        e.put("policy_id", "thompson-ladder");
        e.put("group", "policy");
        e.put("segment", segment);
        e.put("randomized", true);
        e.put("uniform_pick", false);
        e.put("propensity", 0.5);
        return this;
    }

    DecisionJson fallback(String reason) {
        node.put("fallback", true);
        node.put("personalized", false);
        return codes(List.of(reason));
    }

    ObjectNode node() {
        return node;
    }

    byte[] bytes() {
        return Json.toBytes(node);
    }

    LoggedDecision read() {
        try {
            return LoggedDecision.fromJson(bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
