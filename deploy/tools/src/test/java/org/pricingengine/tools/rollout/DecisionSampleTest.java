package org.pricingengine.tools.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;

class DecisionSampleTest {
    private static void add(DecisionSample s, String version, String arm, String reason) throws Exception {
        s.add(Json.mapper()
                .readTree("{\"model_version\":\"" + version + "\",\"arm\":\"" + arm + "\",\"fallback\":"
                        + (reason != null) + ",\"reason_codes\":[\"" + (reason == null ? "MODEL_OPTIMUM" : reason)
                        + "\"]}"));
    }

    @Test
    void modelFailuresAreCountedPerModelAndApartFromDataFallbacks() throws Exception {
        DecisionSample s = new DecisionSample();
        for (int i = 0; i < 99; i++) {
            add(s, "v1", "control", i < 9 ? "FALLBACK_UNKNOWN_ITEM" : null);
        }
        add(s, "v2", "canary", "FALLBACK_MODEL_ERROR");
        add(s, "v2", "canary", "FALLBACK_CIRCUIT_OPEN");
        assertEquals(101, s.decisions());
        assertEquals(11 / 101.0, s.fallbackRate(), 1e-12);
        assertEquals(2 / 101.0, s.modelFailureRate(), 1e-12, "unknown items are data, not model failures");
        assertEquals(1.0, s.modelFailureRate("v2"), "a canary that always fails is visible on its own");
        assertEquals(0.0, s.modelFailureRate("v1"));
        assertEquals(99L, s.byModelVersion().get("v1"));
        assertEquals(2L, s.byArm().get("canary"));

        DecisionSample.Summary summary = s.summary();
        assertEquals(101, summary.decisions());
        assertEquals(Map.of("v1", 99L, "v2", 2L), summary.byModelVersion());
        assertEquals(Map.of("canary", 2L, "control", 99L), summary.byArm());
        assertEquals(0.1089, summary.fallbackRate(), "rounded to four places");
        assertEquals(0.0198, summary.modelFailureRate());
        assertEquals(
                List.of("FALLBACK_CIRCUIT_OPEN", "FALLBACK_MODEL_ERROR", "FALLBACK_UNKNOWN_ITEM"),
                List.copyOf(summary.fallbackReasons().keySet()),
                "in name order");
        assertEquals(9L, summary.fallbackReasons().get("FALLBACK_UNKNOWN_ITEM"));
    }
}
