package org.pricingengine.tools.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;

class CanaryReportTest {
    private static JsonNode outcome(String arm, String version, String outcome, double price, double cost)
            throws Exception {
        return Json.mapper()
                .readTree(String.format(
                        java.util.Locale.ROOT,
                        "{\"arm\":\"%s\",\"model_version\":\"%s\",\"outcome\":\"%s\",\"price\":%s,\"list_price\":10.0,"
                                + "\"unit_cost\":%s,\"revenue\":%s,\"fallback\":false}",
                        arm,
                        version,
                        outcome,
                        price,
                        cost,
                        outcome.equals("purchase") ? price : 0.0));
    }

    @Test
    void conversionRevenueAndMarginPerArm() throws Exception {
        CanaryReport report = new CanaryReport();
        for (int i = 0; i < 100; i++) {
            report.add(outcome("control", "v1", i < 10 ? "purchase" : i < 20 ? "cart" : "none", 10.0, 6.0));
            report.add(outcome("canary", "v2", i < 20 ? "purchase" : "none", 9.0, 6.0));
        }
        CanaryReport.Summary summary = report.summary();
        Map<String, CanaryReport.Arm> arms = summary.arms();
        assertEquals(0.1, arms.get("control").conversion());
        assertEquals(0.2, arms.get("canary").conversion());
        assertEquals(100.0, arms.get("control").revenue());
        assertEquals(40.0, arms.get("control").margin());
        assertEquals(180.0, arms.get("canary").revenue());
        assertEquals(60.0, arms.get("canary").margin());
        assertEquals(10L, arms.get("control").carts());
        assertEquals(0.1, arms.get("canary").discountOnPurchases());
        assertEquals(0.2, summary.marginPerDecisionLift(), 1e-9);
        // 10% vs 20% on 100 each: pooled p 0.15, se 0.0505, z 1.98.
        assertEquals(1.98, summary.conversionZScore(), 0.01);
        assertTrue(summary.byArmAndModelVersion().containsKey("canary/v2"));
    }
}
