package org.pricingengine.tools;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

import org.pricingengine.features.events.Json;
import org.pricingengine.tools.audit.DeliveryAudit;
import org.pricingengine.tools.audit.FaultScenario;
import org.pricingengine.tools.benchmark.GpuCeiling;
import org.pricingengine.tools.benchmark.InferenceCeiling;
import org.pricingengine.tools.benchmark.StateBoundBenchmark;
import org.pricingengine.tools.rollout.RolloutScenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The printed lines keep their keys and order now that the results are records. */
class ResultJsonTest {
    private static List<String> keys(Object value) {
        JsonNode node = Json.mapper().valueToTree(value);
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static final DeliveryAudit.Result AUDIT = new DeliveryAudit.Result(1, 0, 2, 1, 1, 0, 1, 0, 0, 0, 0,
            List.of("an example"));

    @Test
    void deliveryAuditPrintsItsCountsWithoutTheExamples() {
        assertEquals(List.of("valid_requests", "requests_without_decision", "decision_records", "distinct_decisions",
                "duplicate_decisions", "non_identical_duplicates", "committed_outcomes", "duplicate_outcomes",
                "decisions_without_outcome", "outcomes_without_decision", "uncommitted_feedback_records"), keys(AUDIT));
    }

    @Test
    void faultScenarioLine() {
        FaultScenario.Result r = new FaultScenario.Result(10, 5, 1, 7,
                List.of(new FaultScenario.Fault("taskmanager_killed", true, 12, true),
                        new FaultScenario.Fault("broker_restarted", true, 9, null)),
                AUDIT, List.of(), List.of(), true, 60);
        assertEquals(List.of("rows_replayed", "requests_sent", "job_restarts", "completed_checkpoints", "faults", "audit",
                "problems", "examples", "ok", "seconds"), keys(r));
        assertEquals(List.of("fault", "recovered", "seconds_to_next_checkpoint", "job_restarted"), keys(r.faults().get(0)));
        assertEquals(List.of("fault", "recovered", "seconds_to_next_checkpoint"), keys(r.faults().get(1)));
    }

    @Test
    void rolloutScenarioLineFlattensTheVerdictAndNamesTheTargetVersion() {
        RolloutScenario.Verdict v = new RolloutScenario.Verdict(10, 11, 0, 1, 3, 0, 5, 0, 2, 0, 2, 0, 4, 4, List.of());
        RolloutScenario.Result r = new RolloutScenario.Result("v1", "v2", "PROMOTED", "PROMOTED", "sp", null,
                Map.of("u", 3), Map.of("u", 3), true, null, "ROLLED_BACK", List.of("x"), "ROLLBACK_DONE", "v1 + canary",
                Map.of(), 10, v, true, true, true, 6, true, true, 100);
        assertEquals(List.of("from_version", "to_version", "canary_outcome", "rollout_outcome", "savepoint",
                "probe_history_before", "probe_history_after", "refused_ok", "refused_reason", "faulty_outcome",
                "faulty_problems", "on_demand_rollback_outcome", "on_demand_rollback_to", "canary_report_arms", "requests",
                "decisions", "decision_records", "missing_decisions", "requests_with_duplicate_decisions",
                "canary_phase_canary_arm", "canary_phase_wrong_arm", "decisions_after_rollout", "after_auto_rollback",
                "after_on_demand_rollback", "after_on_demand_rollback_wrong_arm", "users_with_history_across_rollout",
                "users_whose_history_carried", "canary_ok", "auto_rollback_ok", "on_demand_rollback_ok", "history",
                "state_carried", "ok", "seconds", "decisions_after_rollout_not_v2", "after_auto_rollback_not_v2"), keys(r));
    }

    @Test
    void stateBoundStepsCarryOnlyTheirOwnFigures() {
        StateBoundBenchmark.Step step = new StateBoundBenchmark.Step("users 10", 1.5, 0.5, 100, 5, "chk-3", null, 1000,
                Map.of("pricing-policy", 10L), 10, 2000, null, null, null, null, null, null, 7L);
        assertEquals(List.of("step", "elapsed_s", "catch_up_s", "behaviour_events_so_far", "price_requests_so_far",
                "checkpoint", "checkpoint_bytes", "state_bytes_by_operator", "shopper_state_bytes", "rocksdb_dir_bytes",
                "shopper_state_bytes_dropped"), keys(step));
    }

    @Test
    void gpuReportHoldsTheSummaryAndBothCeilings() {
        InferenceCeiling.Point best = new InferenceCeiling.Point(1, 64, 1000, 0.5);
        InferenceCeiling.Result ceiling = new InferenceCeiling.Result("v1", "CPU", 2.0, 1000, best, List.of(best));
        GpuCeiling.Summary summary = new GpuCeiling.Summary("v1", 2, 1000, best, "CUDA", 5000, best, 5.0);
        assertEquals(List.of("model_version", "cpu_cores", "cpu_ceiling_per_s", "cpu_best", "cuda_execution_provider",
                "cuda_ceiling_per_s", "cuda_best", "cuda_speedup_at_best_batch", "cpu", "cuda"),
                keys(new GpuCeiling.Report(summary, ceiling, ceiling)));
        assertEquals(List.of("model_version", "execution_provider", "seconds_per_point", "ceiling_per_s", "best", "points"),
                keys(ceiling));
    }
}
