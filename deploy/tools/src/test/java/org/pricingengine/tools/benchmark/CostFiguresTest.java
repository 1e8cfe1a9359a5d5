package org.pricingengine.tools.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Cost;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Report;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Run;

class CostFiguresTest {
    private static final InferenceCeiling.Result CEILING = new InferenceCeiling.Result(
            "v1",
            "CPU",
            0.5,
            9000,
            new InferenceCeiling.Point(2, 256, 9000, 28.4, 0.21),
            List.of(
                    new InferenceCeiling.Point(1, 1, 3000, 0.33, 0.40),
                    new InferenceCeiling.Point(1, 4, 5000, 0.8, 0.24),
                    new InferenceCeiling.Point(1, 16, 6000, 2.7, 0.16),
                    new InferenceCeiling.Point(2, 256, 9000, 28.4, 0.21)));

    private static Run run(String mode, Cost cost) {
        return new Run(mode, 0, 25, 1000, 100, 10, 50, 80, 5, 40, List.of(), List.of(), null, null, cost);
    }

    private static Report report(Run flat, List<Run> levels, Run naive) {
        return new Report(
                new EndToEndBenchmark.Machine(2, 3072, "17", "Linux amd64"),
                null,
                "v1",
                true,
                CEILING,
                9000L,
                List.of(),
                flat,
                1000,
                levels,
                naive == null ? null : naive.decisionsPerS(),
                naive,
                null,
                null,
                null,
                null);
    }

    @Test
    void theJobsCostPerDecisionIsItsCpuOverTheDecisionsOfTheMeasuredPhase() {
        Cost cost = new Cost(10.0, 20_000, 14.0, 3.0, 2.0, 8.0, 1L, null, null, null, null);
        assertEquals(0.7, cost.jobCoreMsPerDecision(), 1e-9);
        assertEquals(0.15, cost.loadCoreMsPerDecision(), 1e-9);
        assertEquals(0.1, cost.brokerCoreMsPerDecision(), 1e-9);
        assertNull(new Cost(10.0, 0, 1.0, 1.0, null, null, null, null, null, null, null).jobCoreMsPerDecision());
    }

    /**
     * The pipeline's cost is the job's less the model's at the batch it ran: mean batch 8 lies halfway
     * (in log terms) between the single-thread points at 4 and 16, so the model costs 0.20 there.
     */
    @Test
    void pipelineCostIsTheJobsLessTheModelsAtTheMeanBatchItRan() {
        Run flat = run("async", new Cost(10.0, 20_000, 14.0, 3.0, 2.0, 8.0, 0L, null, null, null, null));
        Run half = run("async", new Cost(10.0, 5_000, 5.0, 1.0, 1.0, 2.0, 3L, null, null, null, null))
                .atLoadShare(0.5);
        Report r = report(
                flat,
                List.of(half),
                run("sync", new Cost(10.0, 10_000, 12.0, 2.0, 1.0, null, 0L, null, null, null, null)));
        assertEquals(0.2, CEILING.coreMsPerSeqAtMeanBatch(8), 1e-9);
        assertEquals(0.7, r.jobCoreMsPerDecision(), 1e-9);
        assertEquals(0.5, r.pipelineCoreMsPerDecision(), 1e-9);
        assertEquals(0.4, r.modelCoreMsPerSeqB1(), 1e-9);
        assertEquals(0.16, r.modelCoreMsPerSeqBest(), 1e-9);
        assertEquals(1.2, r.naiveJobCoreMsPerDecision(), 1e-9);
        assertEquals(3L, r.checkpointsInWindowAt50());
        // Outside the measured batch sizes the nearest point's cost holds.
        assertEquals(0.40, CEILING.coreMsPerSeqAtMeanBatch(1), 1e-9);
        assertEquals(0.16, CEILING.coreMsPerSeqAtMeanBatch(64), 1e-9);
    }

    /** Ticks are hundredths of a second: 500 ticks over 10 s is half a core. */
    @Test
    void threadKindsAreRankedByTheCoresTheyUsedAndIdleOnesLeftOut() {
        Map<String, Long> before = Map.of("C# CompilerThre", 1_000L, "OutputFlusher f", 100L, "idle", 50L);
        Map<String, Long> after =
                Map.of("C# CompilerThre", 1_200L, "OutputFlusher f", 600L, "idle", 50L, "new thread", 100L);
        Map<String, Double> cores = ProcessStats.threadCores(before, after, 10);
        assertEquals(List.of("OutputFlusher f", "C# CompilerThre", "new thread"), List.copyOf(cores.keySet()));
        assertEquals(0.5, cores.get("OutputFlusher f"), 1e-9);
        assertEquals(0.2, cores.get("C# CompilerThre"), 1e-9);
        assertEquals(0.1, cores.get("new thread"), 1e-9);
    }

    @Test
    void theJobProcesssThreadsAreReadFromProc() {
        Map<String, Long> own = ProcessStats.threadTicks(ProcessHandle.current().pid());
        assertTrue(own.containsKey("Reference Handl"), own.toString());
    }

    @Test
    void aReportWithoutCostFiguresLeavesThemNull() throws Exception {
        Report r = report(run("async", null), List.of(), null);
        assertNull(r.jobCoreMsPerDecision());
        assertNull(r.pipelineCoreMsPerDecision());
        assertNull(r.checkpointsInWindowAt50());
        Run back = Json.mapper()
                .readValue(
                        Json.toJson(run("async", new Cost(1, 2, 3, 4, null, 5.0, 6L, null, null, null, null))),
                        Run.class);
        assertEquals(new Cost(1, 2, 3, 4, null, 5.0, 6L, null, null, null, null), back.cost());
    }
}
