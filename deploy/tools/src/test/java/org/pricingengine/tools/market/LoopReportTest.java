package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;

class LoopReportTest {
    private static final double[] DISCOUNTS =
            TruthLedger.uniformDiscounts(new double[] {1.0, 0.97, 0.95, 0.92, 0.9, 0.85});

    /** A request whose uniform margins peak at 5% off; policy earns {@code policy}. */
    private static TruthLedger.Entry entry(long seq, int shopper, double policy) {
        float[] uniform = new float[DISCOUNTS.length];
        for (int k = 0; k < uniform.length; k++) {
            uniform[k] = (float) (1.0 - Math.abs(DISCOUNTS[k] - 0.05));
        }
        return new TruthLedger.Entry(
                seq,
                shopper,
                "item" + (seq % 3),
                "seg" + (seq % 2),
                "policy",
                true,
                true,
                seq % 2 == 0 ? 0.95 : 1.0,
                seq % 2 == 0,
                seq % 4 == 0,
                policy,
                0.95,
                uniform,
                1.2,
                1.1,
                false,
                false,
                false,
                0.05,
                2.5,
                seq % 2 == 0 ? 2.0 : Double.NaN);
    }

    @Test
    void lastHalfMarginsBestUniformGapAndShares() {
        List<TruthLedger.Entry> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            all.add(entry(i, i / 4, i < 500 ? 0.9 : 1.1));
        }
        LoopReport.Counts counts = new LoopReport.Counts(1000, 3, 0, 3, 1000, 1000, 0, 0, 50, 50, 12.3);
        LoopReport.Summary s = LoopReport.summarise("w", "v1", 1, all, counts, DISCOUNTS);
        LoopResult r = s.result();
        assertEquals(1.1, r.marginPolicy(), 1e-9);
        assertEquals(0.95, r.marginList(), 1e-9);
        assertEquals(0.05, r.bestUniformDiscount(), 1e-12);
        assertEquals(1.0, r.marginBestUniform(), 1e-6);
        assertEquals(1.2, r.marginOracle(), 1e-9);
        assertEquals((1.1 - 0.95) / (1.2 - 0.95), r.gapClosed(), 1e-4);
        assertEquals(0.15, r.liftVsList(), 1e-9);
        // Every request gains the same: no variance, the bound is the lift itself.
        assertEquals(0.15, r.liftVsListCiLow(), 1e-9);
        assertEquals(0.25, r.explorationShare(), 1e-9);
        assertEquals(0.5, r.discountedShare(), 1e-9);
        assertEquals((1.1 - 1.1) / 1.1, r.explorationCost(), 1e-9);
        assertEquals(10, s.details().curve().size());
        assertEquals(0.9, s.details().curve().get(0).policy(), 1e-9);
        assertEquals(2, s.details().segments().size());
        LoopResult.Group seg0 = s.details().segments().get(0);
        assertEquals(0.05, seg0.bestDiscount(), 1e-12);
        assertEquals(1.0, seg0.marginBestDiscount(), 1e-6);
        assertEquals(2.5, seg0.trueSensitivity(), 1e-9);
        assertEquals(2.0, seg0.learnedSensitivity(), 1e-9);
        // Odd requests logged no curve: no learned sensitivity to show.
        assertEquals(null, s.details().segments().get(1).learnedSensitivity());
        // Every request peaks at 5% off: one discount per segment earns what the best uniform one does.
        assertEquals(1.0, s.details().marginBestSegmentDiscounts(), 1e-6);
        assertEquals(3, s.details().dispersion().items());
        assertTrue(s.details().dispersion().meanSd() > 0.02);
    }

    @Test
    void theClusterBoundWidensWhenAShoppersRequestsMoveTogether() {
        List<TruthLedger.Entry> spread = new ArrayList<>();
        List<TruthLedger.Entry> clustered = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            double d = i % 2 == 0 ? 1 : -0.5;
            spread.add(entry(i, i, d));
            clustered.add(entry(i, i % 2, d));
        }
        double independent = LoopReport.clusterLowerBound(spread, TruthLedger.Entry::policy);
        double together = LoopReport.clusterLowerBound(clustered, TruthLedger.Entry::policy);
        assertTrue(independent < 0.25 && independent > 0.1, "bound " + independent);
        assertTrue(together < independent, together + " vs " + independent);
    }

    @Test
    void writesTheReportTheChartAndTheLoopJson(@TempDir Path dir) throws Exception {
        List<TruthLedger.Entry> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(entry(i, i, 1.0));
        }
        LoopReport.Summary s = LoopReport.summarise(
                "w", "v1", 1, all, new LoopReport.Counts(100, 0, 0, 0, 100, 0, 0, 0, 1, 1, 1), DISCOUNTS);
        LoopReport.write(dir, s, World.parse(WorldTest.VALID));
        assertTrue(Files.size(dir.resolve("learning-curve.png")) > 1000);
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| tenth |"));
        String last = md.strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("loop: {"), last);
        JsonNode json = Json.mapper().readTree(Files.readString(dir.resolve("loop.json")));
        for (String key : List.of(
                "world",
                "requests",
                "margin_policy",
                "margin_list",
                "margin_best_uniform",
                "margin_oracle",
                "gap_closed",
                "lift_vs_list_ci_low",
                "lift_vs_uniform_ci_low",
                "exploration_share",
                "exploration_cost",
                "holdout_share",
                "discounted_share",
                "guardrail_violations",
                "ope_dr",
                "ope_ci_low",
                "ope_ci_high",
                "ope_true")) {
            assertTrue(json.has(key), key);
        }
        assertTrue(json.get("ope_dr").isNull());
    }
}
