package org.pricingengine.tools.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pricingengine.tools.fairness.DecisionJson.decision;
import static org.pricingengine.tools.fairness.DecisionJson.priced;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;

class ExplainDecisionTest {
    @Test
    void withoutAnExplanationTheWordsComeFromTheCodes() {
        LoggedDecision d = priced("d1", "u1", "A", 10, 8, 5, 3)
                .segment("s1")
                .guardrails(List.of("FLOOR_MAX_DISCOUNT"))
                .read();
        ExplainDecision.Explained e = ExplainDecision.explain(d, new ExplainDecision.Outcome("purchase", 8.0, 120.0));

        assertEquals("Quoted 8.00, 20.0% below the list price of 10.00.", e.priceVsList());
        assertEquals(ExplainDecision.FROM_CODES, e.explainedFrom());
        assertEquals(
                e.priceVsList() + " " + DecisionWording.reason("THOMPSON_DRAW") + " "
                        + DecisionWording.guardrail("FLOOR_MAX_DISCOUNT"),
                e.summary());
        assertEquals(
                List.of("EXPLORATION", "PRICE_MODEL", "PRICE_LEVEL", "GUARDRAIL"),
                e.factors().stream().map(ExplainDecision.Factor::factor).toList());
        assertTrue(e.exploration(), "a randomized Thompson draw is an exploration price");
        String text = ExplainDecision.text(e);
        assertTrue(text.contains("exploration price: yes"), text);
        assertTrue(text.contains("Price set by an algorithm using your browsing history"), text);
        assertTrue(text.contains("purchase, revenue 8.00, after 120 s"), text);
        assertTrue(text.contains("model v1, arm control"), text);
    }

    @Test
    void theDecisionsOwnExplanationWins() {
        DecisionJson json = priced("d2", "u1", "A", 10, 11, 5, 3)
                .segment("s1")
                .codes(List.of("MODEL_OPTIMUM", "OBJECTIVE_MARGIN", "AT_LIST_PRICE", "COMPETITOR_BOUND"))
                .guardrails(List.of("COMPETITOR_PRICE"))
                .put("channel", "app")
                .put("device", "mobile");
        ObjectNode explanation = json.node().putObject("explanation");
        explanation.put("summary", "A competitor sells this item for 11.20, so we kept our price at 11.00.");
        ObjectNode factor = explanation.putArray("factors").addObject();
        factor.put("factor", "COMPETITOR");
        factor.put("text", "Competitor X sells it for 11.20.");
        ObjectNode competitor = json.node().putObject("competitor");
        competitor.put("competitor", "X");
        competitor.put("price", 11.2);
        competitor.put("ceiling", 11.0);
        ExplainDecision.Explained e = ExplainDecision.explain(json.read(), null);

        assertEquals(ExplainDecision.FROM_DECISION, e.explainedFrom());
        assertEquals("A competitor sells this item for 11.20, so we kept our price at 11.00.", e.summary());
        assertEquals(
                List.of(new ExplainDecision.Factor("COMPETITOR", "Competitor X sells it for 11.20.")), e.factors());
        assertEquals("Quoted 11.00, 10.0% above the list price of 10.00.", e.priceVsList());
        assertFalse(e.exploration());
        assertNull(e.outcome());
        JsonNode printed = Json.mapper().valueToTree(e);
        assertEquals("X", printed.path("competitor").path("competitor").asText());
        assertEquals(11.0, printed.path("competitor").path("ceiling").asDouble());
        assertEquals("app", printed.path("channel").asText());
        assertTrue(ExplainDecision.text(e).contains("none yet"));
    }

    @Test
    void aFallbackWithoutPriceSaysTheStorefrontKeptItsPrice() {
        LoggedDecision d = decision("d3")
                .put("user_id", "u1")
                .put("item_id", "C")
                .fallback("FALLBACK_UNKNOWN_ITEM")
                .read();
        ExplainDecision.Explained e = ExplainDecision.explain(d, null);
        assertEquals("No price from the engine: the storefront kept its own price.", e.priceVsList());
        assertEquals(e.priceVsList() + " " + DecisionWording.reason("FALLBACK_UNKNOWN_ITEM"), e.summary());
        assertTrue(e.fallback());
        assertFalse(e.exploration());
    }

    @Test
    void findsTheIdsBytesInARecord() {
        byte[] record = priced("0f8fad5b-d9cb-469f-a165-70867728950e", "u", "i", 1, 1, 0, 0)
                .bytes();
        assertTrue(ExplainDecision.contains(record, "\"0f8fad5b-d9cb-469f-a165-70867728950e\"".getBytes()));
        assertFalse(ExplainDecision.contains(record, "\"0f8fad5b-d9cb-469f-a165-70867728950f\"".getBytes()));
    }
}
