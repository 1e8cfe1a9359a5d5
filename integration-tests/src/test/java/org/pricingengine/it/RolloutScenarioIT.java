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
import org.pricingengine.tools.rollout.DecisionGap;
import org.pricingengine.tools.rollout.RescalePhase;
import org.pricingengine.tools.rollout.RolloutScenario;

/**
 * Model rollouts on a real standalone Flink cluster (JobManager and TaskManager processes started by
 * deploy/local/flink-cluster.sh) against a real Kafka broker process, through the same code as
 * deploy/rollout-scenario.sh, with traffic flowing: v1 -> canary v2 as a hot swap inside the running job,
 * -> v2 through a savepoint, a corrupt candidate refused with the job untouched, a candidate failing on
 * real traffic hot swapped in and rolled back automatically, a rollback on demand (a hot swap), and
 * rescales of the deployment rolled back to from parallelism 2 to 4 and back on two TaskManagers.
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
        assertTrue(r.jobRefusedOk(), "asked for on the control topic, every scoring subtask refuses it itself: " + r);
        assertEquals("ROLLED_BACK", r.faultyOutcome(), r.toString());
        assertTrue(r.autoRollbackOk(), "the failing candidate was rolled back to v2: " + r);
        assertEquals("ROLLBACK_DONE", r.onDemandRollbackOutcome(), r.toString());
        assertTrue(r.onDemandRollbackOk(), "rollback on demand returns to the canary deployment: " + r);
        // Both paths: the canary and both rollbacks are hot swaps (v1, v2 and the faulty candidate read the same
        // features), the promotion goes through a savepoint.
        assertEquals(
                Map.of(
                        "canary",
                        "hot-swap",
                        "promotion",
                        "savepoint",
                        "auto_rollback",
                        "hot-swap",
                        "on_demand_rollback",
                        "hot-swap"),
                r.paths(),
                r.toString());
        // What switching costs: measured, not bounded (their length depends on the machine), except that the
        // hot swap, side by side with the savepoint restart in the same run, must leave the shorter gap.
        RolloutScenario.SavepointGaps g = r.gaps();
        assertTrue(g.steadyP99Ms() > 0, "steady serving has a latency: " + g);
        assertTrue(
                g.gapSeconds() > 0 && Double.isFinite(g.gapSeconds()),
                "a restart leaves storefronts without decisions for a while: " + g);
        assertTrue(g.waitingRequests() >= 0 && g.rolloutP99Ms() > 0, g.toString());
        assertEquals(List.of("promotion"), List.copyOf(g.steps().keySet()), g.toString());
        assertEquals(
                List.of("canary", "auto_rollback", "on_demand_rollback"),
                List.copyOf(g.hotSwapSteps().keySet()),
                g.toString());
        java.util.Map<String, DecisionGap.Figures> all = new java.util.LinkedHashMap<>(g.steps());
        all.putAll(g.hotSwapSteps());
        all.forEach((step, f) -> {
            assertTrue(f.requests() > 0, "traffic flowed during " + step + ": " + g);
            assertTrue(f.gapSeconds() > 0 && f.gapSeconds() <= f.windowSeconds(), step + ": " + g);
            assertTrue(f.waitingRequests() >= f.undecidedRequests() && f.undecidedRequests() == 0, step + ": " + g);
        });
        // Each swap on its own (control record to the last subtask's SERVING report): the canary, the faulty
        // candidate in and back out, the rollback on demand.
        assertEquals(
                List.of("canary", "auto_rollback", "auto_rollback", "on_demand_rollback"),
                g.hotSwapSwitches().stream()
                        .map(RolloutScenario.HotSwapSwitch::step)
                        .toList(),
                g.toString());
        g.hotSwapSwitches()
                .forEach(sw -> assertTrue(
                        sw.switchMs() >= 0
                                && sw.figures().undecidedRequests() == 0
                                && sw.figures().requests() > 0,
                        sw.toString()));
        assertTrue(
                g.hotSwapGapSeconds() < g.gapSeconds(),
                "a hot swap leaves a shorter gap than a savepoint restart: " + g);
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
