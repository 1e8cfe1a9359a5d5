package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.DebianPython;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.rollout.CanaryReport;
import org.pricingengine.tools.rollout.RescalePhase;
import org.pricingengine.tools.rollout.RolloutScenario;

/**
 * Model rollouts on a real standalone Flink cluster (JobManager and TaskManager processes started by
 * deploy/local/flink-cluster.sh) against a real Kafka broker process, through the same code as
 * deploy/rollout-scenario.sh: v1 -> canary v2 -> v2 through savepoints with traffic flowing, a corrupt
 * candidate refused with the job untouched, a candidate failing on real traffic rolled back
 * automatically, a rollback on demand, and rescales of the deployment rolled back to from parallelism 2 to 4
 * and back on two TaskManagers.
 */
@Tag("standalone-cluster")
class RolloutScenarioIT {
    @Test
    void rolloutCarriesStateRefusesBadCandidatesRollsBackFailingOnesAndRescales() throws Exception {
        DebianPython.require("onnx");
        String work = RepoPaths.root()
                .relativize(RepoPaths.root().resolve("integration-tests/target/rollout-scenario"))
                .toString();
        RolloutScenario.Result r =
                RolloutScenario.run("--work-dir", work, "--kafka-port", "19392", "--rest-port", "18381");
        // The line deploy/rollout-scenario.sh ends with, in the test's output: the measured figures are kept.
        System.out.println("rollout: " + Json.mapper().writeValueAsString(r));
        RolloutScenario.Verdict v = r.verdict();

        assertEquals("PROMOTED", r.canaryOutcome(), "v1 + canary v2: " + r);
        assertTrue(r.canaryOk(), "during the canary each shopper's arm decides the model: " + r);
        Map<String, CanaryReport.Arm> arms = r.canaryReportArms();
        assertTrue(arms.get("canary").outcomes() > 0, "canary report has canary outcomes: " + r);
        assertTrue(arms.get("control").outcomes() > 0, "and control outcomes: " + r);
        assertEquals("PROMOTED", r.rolloutOutcome(), "promotion to v2: " + r);
        assertTrue(r.requests() > 1000, "real traffic was replayed across the rollouts: " + r);
        assertEquals(0L, v.missingDecisions(), "every request produced across the rollouts has a decision: " + r);
        assertEquals("v2", r.toVersion());
        assertEquals(0L, v.decisionsAfterRolloutNotTarget(), "after the rollout decisions carry v2: " + r);
        assertTrue(v.decisionsAfterRollout() > 0, r.toString());
        // Probe shoppers with 3, 7, 12, 20 and 31 earlier events: the model sees the same history after the rollout.
        assertEquals(
                Map.of(
                        "rollout-probe-user-1",
                        3,
                        "rollout-probe-user-2",
                        7,
                        "rollout-probe-user-3",
                        12,
                        "rollout-probe-user-4",
                        20,
                        "rollout-probe-user-5",
                        31),
                r.probeHistoryBefore(),
                r.toString());
        assertEquals(r.probeHistoryBefore(), r.probeHistoryAfter(), "state survived the savepoint: " + r);
        assertEquals(
                v.usersWithHistoryAcrossRollout(),
                v.usersWhoseHistoryCarried(),
                "no shopper of the replayed traffic lost history: " + r);
        assertTrue(r.stateCarried(), r.toString());
        assertTrue(r.refusedOk(), "a corrupt candidate is refused and the job untouched: " + r);
        assertTrue(String.valueOf(r.refusedReason()).contains("sha256"), "refused for its checksum: " + r);
        assertEquals("ROLLED_BACK", r.faultyOutcome(), r.toString());
        assertTrue(r.autoRollbackOk(), "the failing candidate was rolled back to v2: " + r);
        assertEquals("ROLLBACK_DONE", r.onDemandRollbackOutcome(), r.toString());
        assertTrue(r.onDemandRollbackOk(), "rollback on demand returns to the canary deployment: " + r);
        // What the savepoint restarts cost: measured, not bounded (their length depends on the machine).
        RolloutScenario.SavepointGaps g = r.gaps();
        assertTrue(g.steadyP99Ms() > 0, "steady serving has a latency: " + g);
        assertTrue(
                g.gapSeconds() > 0 && Double.isFinite(g.gapSeconds()),
                "a restart leaves storefronts without decisions for a while: " + g);
        assertTrue(g.waitingRequests() >= 0 && g.rolloutP99Ms() > 0, g.toString());
        assertEquals(
                List.of("canary", "promotion", "auto_rollback", "on_demand_rollback"),
                List.copyOf(g.steps().keySet()),
                g.toString());
        g.steps().forEach((step, f) -> {
            assertTrue(f.requests() > 0, "traffic flowed during " + step + ": " + g);
            assertTrue(f.gapSeconds() > 0 && f.gapSeconds() <= f.windowSeconds(), step + ": " + g);
            assertTrue(f.waitingRequests() >= f.undecidedRequests() && f.undecidedRequests() == 0, step + ": " + g);
        });
        // Rescales 2 -> 4 -> 2 under traffic: keyed state redistributed twice, nothing lost or changed.
        RescalePhase.Result s = r.rescale();
        assertEquals("PROMOTED", s.upOutcome(), "rescale to 4: " + s);
        assertEquals("PROMOTED", s.downOutcome(), "rescale back to 2: " + s);
        assertEquals(0L, s.missing(), "every request of the run has a decision: " + s);
        assertEquals(
                0L, s.differingDuplicates(), "a repeated decision is the one published before it, byte for byte: " + s);
        assertEquals(r.probeHistoryBefore(), s.probeHistoryAfterRescale(), "state moved with its keys: " + s);
        assertTrue(s.decisions() > 0, "decisions after the rescales: " + s);
        assertEquals(0L, s.wrongArm(), "each shopper stays on the canary split's arm: " + s);
        assertEquals(20, s.reissuedRequests(), s.toString());
        assertEquals(s.reissuedRequests(), s.reissuesIdentical(), "a retried request gets its decision again: " + s);
        assertTrue(s.gapSeconds() > 0 && Double.isFinite(s.gapSeconds()), "a rescale is a restart: " + s);
        assertEquals(List.of("up_to_4", "down_to_2"), List.copyOf(s.steps().keySet()), s.toString());
        assertTrue(s.ok(), s.toString());
        assertTrue(r.ok(), r.toString());
    }
}
