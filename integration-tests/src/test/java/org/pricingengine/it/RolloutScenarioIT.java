package org.pricingengine.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.pricingengine.it.testutils.DebianPython;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.rollout.RolloutScenario;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model rollouts on a real standalone Flink cluster (JobManager and TaskManager processes started by
 * deploy/local/flink-cluster.sh) against a real Kafka broker process, through the same code as
 * deploy/rollout-scenario.sh: v1 -> canary v2 -> v2 through savepoints with traffic flowing, a corrupt
 * candidate refused with the job untouched, a candidate failing on real traffic rolled back
 * automatically, and a rollback on demand.
 */
@Tag("standalone-cluster")
class RolloutScenarioIT {
    @Test
    void rolloutCarriesStateRefusesBadCandidatesAndRollsBackFailingOnes() throws Exception {
        DebianPython.require("onnx");
        String work = RepoPaths.root().relativize(RepoPaths.root().resolve("integration-tests/target/rollout-scenario")).toString();
        Map<String, Object> r = RolloutScenario.run("--work-dir", work, "--kafka-port", "39392", "--rest-port", "38381");

        assertEquals("PROMOTED", r.get("canary_outcome"), "v1 + canary v2: " + r);
        assertEquals(true, r.get("canary_ok"), "during the canary each shopper's arm decides the model: " + r);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> arms = (Map<String, Map<String, Object>>) r.get("canary_report_arms");
        assertTrue(((Number) arms.get("canary").get("outcomes")).longValue() > 0, "canary report has canary outcomes: " + r);
        assertTrue(((Number) arms.get("control").get("outcomes")).longValue() > 0, "and control outcomes: " + r);
        assertEquals("PROMOTED", r.get("rollout_outcome"), "promotion to v2: " + r);
        assertTrue((int) r.get("requests") > 1000, "real traffic was replayed across the rollouts: " + r);
        assertEquals(0L, r.get("missing_decisions"), "every request produced across the rollouts has a decision: " + r);
        assertEquals(0L, r.get("decisions_after_rollout_not_v2"), "after the rollout decisions carry v2: " + r);
        assertTrue((long) r.get("decisions_after_rollout") > 0, r.toString());
        // Probe shoppers with 3, 7, 12, 20 and 31 earlier events: the model sees the same history after the rollout.
        assertEquals(Map.of("rollout-probe-user-1", 3, "rollout-probe-user-2", 7, "rollout-probe-user-3", 12,
                "rollout-probe-user-4", 20, "rollout-probe-user-5", 31), r.get("probe_history_before"), r.toString());
        assertEquals(r.get("probe_history_before"), r.get("probe_history_after"), "state survived the savepoint: " + r);
        assertEquals(r.get("users_with_history_across_rollout"), r.get("users_whose_history_carried"),
                "no shopper of the replayed traffic lost history: " + r);
        assertEquals(true, r.get("state_carried"), r.toString());
        assertEquals(true, r.get("refused_ok"), "a corrupt candidate is refused and the job untouched: " + r);
        assertTrue(String.valueOf(r.get("refused_reason")).contains("sha256"), "refused for its checksum: " + r);
        assertEquals("ROLLED_BACK", r.get("faulty_outcome"), r.toString());
        assertEquals(true, r.get("auto_rollback_ok"), "the failing candidate was rolled back to v2: " + r);
        assertEquals("ROLLBACK_DONE", r.get("on_demand_rollback_outcome"), r.toString());
        assertEquals(true, r.get("on_demand_rollback_ok"), "rollback on demand returns to the canary deployment: " + r);
        assertEquals(true, r.get("ok"), r.toString());
    }
}
