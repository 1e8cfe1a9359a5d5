package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import org.pricingengine.features.events.Json;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanaryReportTest {
    private static JsonNode outcome(String arm, String version, String outcome, double price, double cost) throws Exception {
        return Json.mapper().readTree(String.format(java.util.Locale.ROOT,
                "{\"arm\":\"%s\",\"model_version\":\"%s\",\"outcome\":\"%s\",\"price\":%s,\"list_price\":10.0,"
                        + "\"unit_cost\":%s,\"revenue\":%s,\"fallback\":false}",
                arm, version, outcome, price, cost, outcome.equals("purchase") ? price : 0.0));
    }

    @Test
    @SuppressWarnings("unchecked")
    void conversionRevenueAndMarginPerArm() throws Exception {
        CanaryReport report = new CanaryReport();
        for (int i = 0; i < 100; i++) {
            report.add(outcome("control", "v1", i < 10 ? "purchase" : i < 20 ? "cart" : "none", 10.0, 6.0));
            report.add(outcome("canary", "v2", i < 20 ? "purchase" : "none", 9.0, 6.0));
        }
        Map<String, Object> summary = report.summary();
        Map<String, Map<String, Object>> arms = (Map<String, Map<String, Object>>) summary.get("arms");
        assertEquals(0.1, arms.get("control").get("conversion"));
        assertEquals(0.2, arms.get("canary").get("conversion"));
        assertEquals(100.0, arms.get("control").get("revenue"));
        assertEquals(40.0, arms.get("control").get("margin"));
        assertEquals(180.0, arms.get("canary").get("revenue"));
        assertEquals(60.0, arms.get("canary").get("margin"));
        assertEquals(10L, arms.get("control").get("carts"));
        assertEquals(0.1, arms.get("canary").get("discount_on_purchases"));
        assertEquals(0.2, (double) summary.get("margin_per_decision_lift"), 1e-9);
        // 10% vs 20% on 100 each: pooled p 0.15, se 0.0505, z 1.98.
        assertEquals(1.98, (double) summary.get("conversion_z_score"), 0.01);
        assertTrue(((Map<String, Object>) summary.get("by_arm_and_model_version")).containsKey("canary/v2"));
    }
}
