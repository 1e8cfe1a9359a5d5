package org.pricingengine.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.audit.DeliveryAudit;
import org.pricingengine.tools.audit.FaultScenario;
import org.pricingengine.tools.benchmark.BenchmarkReport;
import org.pricingengine.tools.benchmark.EndToEndBenchmark;
import org.pricingengine.tools.benchmark.GpuCeiling;
import org.pricingengine.tools.benchmark.InferenceCeiling;
import org.pricingengine.tools.benchmark.StateBoundBenchmark;
import org.pricingengine.tools.rollout.CandidateValidator;
import org.pricingengine.tools.rollout.DecisionGap;
import org.pricingengine.tools.rollout.DecisionSample;
import org.pricingengine.tools.rollout.ModelRollout;
import org.pricingengine.tools.rollout.OffPolicyGate;
import org.pricingengine.tools.rollout.RescalePhase;
import org.pricingengine.tools.rollout.RolloutScenario;

/** The printed lines keep their keys and order now that the results are records. */
class ResultJsonTest {
    private static List<String> keys(Object value) {
        JsonNode node = Json.mapper().valueToTree(value);
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static final DeliveryAudit.Result AUDIT =
            new DeliveryAudit.Result(1, 0, 2, 1, 1, 0, 1, 0, 0, 0, 0, List.of("an example"));

    @Test
    void deliveryAuditPrintsItsCountsWithoutTheExamples() {
        assertEquals(
                List.of(
                        "valid_requests",
                        "requests_without_decision",
                        "decision_records",
                        "distinct_decisions",
                        "duplicate_decisions",
                        "non_identical_duplicates",
                        "committed_outcomes",
                        "duplicate_outcomes",
                        "decisions_without_outcome",
                        "outcomes_without_decision",
                        "uncommitted_feedback_records"),
                keys(AUDIT));
    }

    @Test
    void faultScenarioLine() {
        FaultScenario.Result r = new FaultScenario.Result(
                10,
                5,
                1,
                7,
                List.of(
                        new FaultScenario.Fault("taskmanager_killed", true, 12, true),
                        new FaultScenario.Fault("broker_restarted", true, 9, null)),
                AUDIT,
                List.of(),
                List.of(),
                true,
                60);
        assertEquals(
                List.of(
                        "rows_replayed",
                        "requests_sent",
                        "job_restarts",
                        "completed_checkpoints",
                        "faults",
                        "audit",
                        "problems",
                        "examples",
                        "ok",
                        "seconds"),
                keys(r));
        assertEquals(
                List.of("fault", "recovered", "seconds_to_next_checkpoint", "job_restarted"),
                keys(r.faults().get(0)));
        assertEquals(
                List.of("fault", "recovered", "seconds_to_next_checkpoint"),
                keys(r.faults().get(1)));
    }

    @Test
    void rolloutScenarioLineFlattensTheVerdictAndNamesTheTargetVersion() {
        RolloutScenario.Verdict v = new RolloutScenario.Verdict(10, 11, 0, 1, 3, 0, 5, 0, 2, 0, 2, 0, 4, 4, List.of());
        RolloutScenario.Result r = new RolloutScenario.Result(
                "v1",
                "v2",
                "PROMOTED",
                "PROMOTED",
                Map.of("canary", "hot-swap", "promotion", "savepoint"),
                "sp",
                null,
                Map.of("u", 3),
                Map.of("u", 3),
                true,
                null,
                true,
                "ROLLED_BACK",
                List.of("x"),
                "ROLLBACK_DONE",
                "v1 + canary",
                Map.of(),
                10,
                v,
                true,
                true,
                true,
                6,
                true,
                new RolloutScenario.SavepointGaps(
                        12,
                        4.5,
                        30,
                        4800,
                        Map.of("promotion", new DecisionGap.Figures(20.0, 4.5, 40, 30, 0, 4800)),
                        0.3,
                        0,
                        90,
                        Map.of("canary", new DecisionGap.Figures(20.0, 0.3, 40, 0, 0, 90)),
                        List.of(new RolloutScenario.HotSwapSwitch(
                                "canary", 17L, 800, new DecisionGap.Figures(2.8, 0.1, 30, 0, 0, 80)))),
                new RescalePhase.Result(
                        "PROMOTED",
                        "PROMOTED",
                        null,
                        0,
                        20,
                        0,
                        Map.of("u", 3),
                        true,
                        50,
                        0,
                        20,
                        20,
                        List.of(),
                        3.5,
                        Map.of("up_to_4", new DecisionGap.Figures(30.0, 3.5, 40, 30, 0, 3600)),
                        90,
                        true),
                true,
                100);
        assertEquals(
                List.of(
                        "from_version",
                        "to_version",
                        "canary_outcome",
                        "rollout_outcome",
                        "paths",
                        "savepoint",
                        "probe_history_before",
                        "probe_history_after",
                        "refused_ok",
                        "refused_reason",
                        "job_refused_ok",
                        "faulty_outcome",
                        "faulty_problems",
                        "on_demand_rollback_outcome",
                        "on_demand_rollback_to",
                        "canary_report_arms",
                        "requests",
                        "decisions",
                        "decision_records",
                        "missing_decisions",
                        "requests_with_duplicate_decisions",
                        "canary_phase_canary_arm",
                        "canary_phase_wrong_arm",
                        "decisions_after_rollout",
                        "after_auto_rollback",
                        "after_on_demand_rollback",
                        "after_on_demand_rollback_wrong_arm",
                        "users_with_history_across_rollout",
                        "users_whose_history_carried",
                        "canary_ok",
                        "auto_rollback_ok",
                        "on_demand_rollback_ok",
                        "history",
                        "state_carried",
                        "steady_p99_ms",
                        "savepoint_gap_s",
                        "savepoint_waiting_requests",
                        "savepoint_rollout_p99_ms",
                        "savepoint_steps",
                        "hot_swap_gap_s",
                        "hot_swap_waiting_requests",
                        "hot_swap_p99_ms",
                        "hot_swap_steps",
                        "hot_swap_switches",
                        "rescale_up_outcome",
                        "rescale_down_outcome",
                        "rescale_missing",
                        "rescale_duplicate_decisions",
                        "rescale_differing_duplicates",
                        "probe_history_after_rescale",
                        "rescale_probes_carried",
                        "rescale_decisions",
                        "rescale_wrong_arm",
                        "reissued_requests",
                        "reissues_identical",
                        "rescale_gap_s",
                        "rescale_steps",
                        "rescale_seconds",
                        "rescale_ok",
                        "ok",
                        "seconds",
                        "decisions_after_rollout_not_v2",
                        "after_auto_rollback_not_v2"),
                keys(r));
        assertEquals(
                List.of("window_s", "gap_s", "requests", "waiting_requests", "undecided_requests", "p99_ms"),
                keys(r.gaps().steps().get("promotion")));
        assertEquals(
                List.of(
                        "step",
                        "revision",
                        "switch_ms",
                        "window_s",
                        "gap_s",
                        "requests",
                        "waiting_requests",
                        "undecided_requests",
                        "p99_ms"),
                keys(r.gaps().hotSwapSwitches().get(0)));
    }

    @Test
    void stateBoundStepsCarryOnlyTheirOwnFigures() {
        StateBoundBenchmark.Step step = new StateBoundBenchmark.Step(
                "users 10",
                1.5,
                0.5,
                100,
                5,
                "chk-3",
                null,
                1000,
                Map.of("pricing-policy", 10L),
                10,
                2000,
                null,
                null,
                null,
                null,
                null,
                null,
                7L);
        assertEquals(
                List.of(
                        "step",
                        "elapsed_s",
                        "catch_up_s",
                        "behaviour_events_so_far",
                        "price_requests_so_far",
                        "checkpoint",
                        "checkpoint_bytes",
                        "state_bytes_by_operator",
                        "shopper_state_bytes",
                        "rocksdb_dir_bytes",
                        "shopper_state_bytes_dropped"),
                keys(step));
    }

    @Test
    void gpuReportHoldsTheSummaryAndBothCeilings() {
        InferenceCeiling.Point best = new InferenceCeiling.Point(1, 64, 1000, 0.5);
        InferenceCeiling.Result ceiling = new InferenceCeiling.Result("v1", "CPU", 2.0, 1000, best, List.of(best));
        GpuCeiling.Summary summary = new GpuCeiling.Summary("v1", 2, 1000, best, "CUDA", 5000, best, 5.0);
        assertEquals(
                List.of(
                        "model_version",
                        "cpu_cores",
                        "cpu_ceiling_per_s",
                        "cpu_best",
                        "cuda_execution_provider",
                        "cuda_ceiling_per_s",
                        "cuda_best",
                        "cuda_speedup_at_best_batch",
                        "cpu",
                        "cuda"),
                keys(new GpuCeiling.Report(summary, ceiling, ceiling)));
        assertEquals(
                List.of("model_version", "execution_provider", "seconds_per_point", "ceiling_per_s", "best", "points"),
                keys(ceiling));
    }

    private static EndToEndBenchmark.Run run(String mode, Double loadShare) {
        return new EndToEndBenchmark.Run(
                mode,
                0,
                25,
                2000,
                500,
                10,
                50,
                90,
                5,
                40,
                List.of(new EndToEndBenchmark.Sample(5, 2000, 1200, 300, 700L, 500L)),
                List.of(new EndToEndBenchmark.LatencySecond(0, 100, 10, 50, 60)),
                null,
                loadShare,
                null);
    }

    /** Every step run: what bench.json holds, in its order. */
    static EndToEndBenchmark.Report fullBenchReport() {
        InferenceCeiling.Point best = new InferenceCeiling.Point(2, 256, 10_000, 25.6);
        BenchmarkReport.SoakFigures soakFigures = new BenchmarkReport.SoakFigures(
                1100L, 1300L, 0.18, 600L, 780L, 770L, 774L, 1433L, 1435L, 1290L, 1301L, 0.009, 770L, 781L, 180L, 182L,
                3L, 3L, 30L, 31L);
        return new EndToEndBenchmark.Report(
                new EndToEndBenchmark.Machine(2, 3072, "17.0.12", "Linux amd64"),
                new EndToEndBenchmark.Model("v1", "abc", "fs-1", "[behaviour_seq [1, 64, 12]]", "CPU"),
                "v1",
                false,
                new InferenceCeiling.Result("v1", "CPU", 2.0, 10_000, best, List.of(best)),
                10_000L,
                List.of("checkpoint.interval: 60s"),
                run("async", null),
                2900,
                List.of(run("async", 0.25), run("async", 0.5), run("async", 0.75)),
                2000L,
                run("sync", null),
                new EndToEndBenchmark.Soak(run("async", null), soakFigures),
                0.29,
                1.45,
                new BenchmarkReport.Targets(false, false, false, false, true));
    }

    private static final List<String> RUN_KEYS = List.of(
            "mode",
            "target_requests_per_s",
            "seconds",
            "decisions_per_s",
            "latency_samples",
            "p50_ms",
            "p99_ms",
            "p999_ms",
            "in_job_p50_ms",
            "in_job_p99_ms",
            "series",
            "latency_per_s",
            "latency_series_start");

    @Test
    void benchJsonKeepsItsKeysAndOrder() {
        EndToEndBenchmark.Report report = fullBenchReport();
        assertEquals(
                List.of(
                        "machine",
                        "model",
                        "model_version",
                        "quick",
                        "ceiling",
                        "ceiling_per_s",
                        "job_settings",
                        "flat_out",
                        "sustained_per_s",
                        "p50_ms_at_25",
                        "p99_ms_at_25",
                        "p999_ms_at_25",
                        "p50_ms_at_50",
                        "p99_ms_at_50",
                        "p999_ms_at_50",
                        "p50_ms_at_75",
                        "p99_ms_at_75",
                        "p999_ms_at_75",
                        "levels",
                        "naive_per_s",
                        "naive",
                        "soak",
                        "sustained_share_of_ceiling",
                        "speedup_over_naive",
                        "targets"),
                keys(report));
        assertEquals(List.of("cores", "max_heap_mb", "java", "os"), keys(report.machine()));
        assertEquals(
                List.of("version", "onnx_sha256", "feature_spec", "inputs", "ceiling_execution_provider"),
                keys(report.model()));
        assertEquals(RUN_KEYS, keys(report.flatOut()));
        List<String> levelKeys = new ArrayList<>(RUN_KEYS);
        levelKeys.add("load_share");
        assertEquals(levelKeys, keys(report.levels().get(0)));
        List<String> soakKeys = new ArrayList<>(RUN_KEYS);
        soakKeys.addAll(List.of(
                "rss_mb_first_third",
                "rss_mb_last_third",
                "rss_growth_share",
                "outside_heap_mb_first_third",
                "outside_heap_mb_last_third",
                "heap_committed_mb_first_third",
                "heap_committed_mb_last_third",
                "decisions_per_s_first_third",
                "decisions_per_s_last_third",
                "rss_mb_at_half",
                "rss_mb_at_end",
                "rss_growth_share_last_half",
                "outside_heap_mb_at_half",
                "outside_heap_mb_at_end",
                "rocksdb_block_cache_mb_at_half",
                "rocksdb_block_cache_mb_at_end",
                "rocksdb_pinned_mb_at_half",
                "rocksdb_pinned_mb_at_end",
                "rocksdb_memtables_mb_at_half",
                "rocksdb_memtables_mb_at_end"));
        assertEquals(soakKeys, keys(report.soak()));
        assertEquals(
                List.of("t_s", "decisions_per_s", "rss_mb", "heap_used_mb", "heap_committed_mb", "outside_heap_mb"),
                keys(report.flatOut().series().get(0)));
        assertEquals(
                List.of("t_s", "decisions", "p50_ms", "p99_ms", "max_ms"),
                keys(report.flatOut().latencyPerS().get(0)));
        assertEquals(
                List.of(
                        "sustained_at_least_half_of_ceiling",
                        "at_least_3x_naive",
                        "p99_at_50_within_50ms",
                        "soak_memory_flat",
                        "soak_throughput_flat"),
                keys(report.targets()));
        JsonNode json = Json.mapper().valueToTree(report);
        assertTrue(json.get("flat_out").get("latency_series_start").isNull(), "written as null, as before");
        assertEquals(90, json.get("p999_ms_at_50").asLong(), "the top-level latencies are the level's");
    }

    @Test
    void benchJsonLeavesOutTheStepsThatDidNotRun() {
        EndToEndBenchmark.Report report = new EndToEndBenchmark.Report(
                new EndToEndBenchmark.Machine(2, 3072, "17", "Linux amd64"),
                new EndToEndBenchmark.Model("v1", "abc", "fs-1", "[]", null),
                "v1",
                true,
                null,
                null,
                List.of(),
                null,
                2892,
                List.of(),
                null,
                null,
                null,
                null,
                null,
                new BenchmarkReport.Targets(null, null, null, null, null));
        assertEquals(
                List.of(
                        "machine",
                        "model",
                        "model_version",
                        "quick",
                        "job_settings",
                        "sustained_per_s",
                        "levels",
                        "targets"),
                keys(report));
        assertEquals(List.of("version", "onnx_sha256", "feature_spec", "inputs"), keys(report.model()));
        assertEquals(List.of(), keys(report.targets()));
    }

    @Test
    void benchLineNamesEveryFigureEvenWhenNotMeasured() {
        List<String> expected = List.of(
                "ceiling_per_s",
                "sustained_per_s",
                "naive_per_s",
                "sustained_share_of_ceiling",
                "speedup_over_naive",
                "p50_ms_at_25",
                "p99_ms_at_25",
                "p999_ms_at_25",
                "p50_ms_at_50",
                "p99_ms_at_50",
                "p999_ms_at_50",
                "p50_ms_at_75",
                "p99_ms_at_75",
                "p999_ms_at_75",
                "checkpoints_in_window_at_50",
                "job_core_ms_per_decision",
                "naive_job_core_ms_per_decision",
                "model_core_ms_per_seq_b1",
                "model_core_ms_per_seq_best",
                "pipeline_core_ms_per_decision",
                "targets");
        assertEquals(expected, keys(EndToEndBenchmark.Headline.of(fullBenchReport())));
        EndToEndBenchmark.Report soakOnly = new EndToEndBenchmark.Report(
                fullBenchReport().machine(),
                fullBenchReport().model(),
                "v1",
                false,
                null,
                null,
                List.of(),
                null,
                2892,
                List.of(),
                null,
                null,
                fullBenchReport().soak(),
                null,
                null,
                new BenchmarkReport.Targets(null, null, null, false, true));
        JsonNode line = Json.mapper().valueToTree(EndToEndBenchmark.Headline.of(soakOnly));
        assertEquals(expected, keys(EndToEndBenchmark.Headline.of(soakOnly)));
        assertTrue(line.get("ceiling_per_s").isNull());
        assertTrue(line.get("p99_ms_at_50").isNull());
        assertEquals(List.of("soak_memory_flat", "soak_throughput_flat"), keys(soakOnly.targets()));
    }

    private static DecisionSample.Summary sample(Map<String, Long> byArm) {
        return new DecisionSample.Summary(
                10,
                new TreeMap<>(Map.of("v2", 10L)),
                new TreeMap<>(byArm),
                0.1,
                0.0,
                new TreeMap<>(Map.of("FALLBACK_UNKNOWN_ITEM", 1L)));
    }

    @Test
    void decisionSampleSummaryShowsArmsOnlyWhenThereAreAny() {
        assertEquals(
                List.of(
                        "decisions",
                        "by_model_version",
                        "by_arm",
                        "fallback_rate",
                        "model_failure_rate",
                        "fallback_reasons"),
                keys(sample(Map.of("control", 9L, "canary", 1L))));
        assertEquals(
                List.of("decisions", "by_model_version", "fallback_rate", "model_failure_rate", "fallback_reasons"),
                keys(sample(Map.of())));
    }

    @Test
    void validationFiguresKeepTheirKeysAndLeaveOutWhatWasNotReached() {
        CandidateValidator.ProbeSummary probe = new CandidateValidator.ProbeSummary(0, 0, 0.05, 1.2, 0.03);
        CandidateValidator.Figures compared = new CandidateValidator.Figures(1000, probe, probe, 1.0, 0.0, null, null);
        assertEquals(
                List.of("probe_requests", "candidate", "current", "conversion_ratio", "mean_price_shift"),
                keys(compared));
        assertEquals(
                List.of(
                        "unusable",
                        "outside_guardrails",
                        "mean_conversion_at_list",
                        "median_price_sensitivity",
                        "mean_discount"),
                keys(probe));
        assertEquals(
                List.of("probe_requests", "candidate", "current_error"),
                keys(new CandidateValidator.Figures(1000, probe, null, null, null, "no such model", null)));
        OffPolicyGate.Figures skipped = new OffPolicyGate.Figures(
                true,
                "no logged feedback given",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
        assertEquals(
                List.of("probe_requests", "candidate", "current", "conversion_ratio", "mean_price_shift", "off_policy"),
                keys(new CandidateValidator.Figures(1000, probe, probe, 1.0, 0.0, null, skipped)));
        assertEquals(List.of("skipped", "reason"), keys(skipped));
        assertEquals(
                List.of("candidate", "current", "passed", "problems", "figures"),
                keys(new CandidateValidator.Report("v2", "v1", true, List.of(), compared)));
    }

    @Test
    void rolloutFiguresNameTheValidatedVersionsFirst() {
        CandidateValidator.Figures validation =
                new CandidateValidator.Figures(1000, null, null, null, null, null, null);
        ModelRollout.Figures figures = new ModelRollout.Figures(
                Map.of("v2", validation), sample(Map.of()), sample(Map.of()), sample(Map.of()), 0, sample(Map.of()));
        assertEquals(
                List.of("validation_v2", "baseline", "catch_up", "after", "restarts", "after_rollback"), keys(figures));
        ModelRollout.Outcome stopped = new ModelRollout.Outcome(
                "stop", "v1", "v1", "STOPPED", "sp", "job", List.of(), ModelRollout.Figures.NONE);
        assertEquals(
                List.of("action", "from", "to", "outcome", "savepoint", "jobId", "problems", "figures", "path"),
                keys(stopped));
        assertEquals("savepoint", stopped.path(), "a stop is a savepoint");
        assertEquals("{}", Json.toJson(stopped.figures()));
        Map<String, CandidateValidator.Figures> canaryAndMain = new LinkedHashMap<>();
        canaryAndMain.put("v3", validation);
        canaryAndMain.put("v2", validation);
        assertEquals(
                List.of("validation_v3", "validation_v2"),
                keys(new ModelRollout.Figures(canaryAndMain, null, null, null, null, null)),
                "in validation order");
    }
}
