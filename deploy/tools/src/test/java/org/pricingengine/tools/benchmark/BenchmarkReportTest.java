package org.pricingengine.tools.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.LatencySecond;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Report;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Run;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Sample;

class BenchmarkReportTest {
    /** A run with {@code points} samples every {@code step} seconds and one latency point per second. */
    private static Run run(String mode, long rate, long p99, int points, int step, long rssGrowthPerPoint) {
        List<Sample> series = new ArrayList<>();
        for (int i = 1; i <= points; i++) {
            long rss = 1000 + i * rssGrowthPerPoint;
            series.add(new Sample((long) i * step, 2000, rss, 300, 700L, rss - 700));
        }
        List<LatencySecond> perSecond = new ArrayList<>();
        for (int t = 0; t < points * step * 0.7; t++) {
            perSecond.add(new LatencySecond(t, 1000, 10, p99, p99 + 20));
        }
        return new Run(
                mode,
                rate,
                points * step,
                2000,
                5000,
                10,
                p99,
                p99 + 40,
                4,
                p99 - 5,
                series,
                perSecond,
                "2026-11-22T10:00:00Z",
                null,
                null);
    }

    private static Report measured(Run soakRun) {
        InferenceCeiling.Point one = new InferenceCeiling.Point(1, 64, 6891, 9.288);
        InferenceCeiling.Point best = new InferenceCeiling.Point(2, 256, 10036, 25.508);
        return new Report(
                new EndToEndBenchmark.Machine(2, 3072, "17.0.12", "Linux amd64"),
                new EndToEndBenchmark.Model("v1", "abc", "fs-1", "[behaviour_seq [1, 64, 12]]", "CPU"),
                "v1",
                false,
                new InferenceCeiling.Result("v1", "CPU", 2.0, 10036, best, List.of(one, best)),
                10036L,
                List.of("checkpoint.interval: 60s", "scoring.mode: async"),
                run("async", 0, 900, 12, 5, 0),
                2892,
                List.of(
                        run("async", 723, 121, 18, 5, 0).atLoadShare(0.25),
                        run("async", 1446, 50, 18, 5, 0).atLoadShare(0.5),
                        run("async", 2169, 2502, 18, 5, 0).atLoadShare(0.75)),
                1977L,
                run("sync", 0, 800, 12, 5, 0),
                soakRun == null
                        ? null
                        : new EndToEndBenchmark.Soak(soakRun, BenchmarkReport.summariseSoak(soakRun.series())),
                0.288,
                1.46,
                null);
    }

    @Test
    void benchJsonReadsBackAsItWasWritten(@TempDir Path dir) throws Exception {
        // A full run: a 10-minute soak sampled every 10 s, with a latency point per second.
        Report report = BenchmarkReport.write(dir, measured(run("async", 1446, 3110, 60, 10, 3)));
        String json = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
        Files.writeString(dir.resolve("bench.json"), json);
        Report back = BenchmarkReport.read(dir.resolve("bench.json"));
        assertEquals(report, back);
        assertEquals(json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(back));
    }

    @Test
    void reportJudgesTheTargetsAndDrawsThePlots(@TempDir Path dir) throws Exception {
        Report report = BenchmarkReport.write(dir, measured(run("async", 1446, 3110, 60, 10, 3)));
        BenchmarkReport.Targets t = report.targets();
        assertFalse(t.sustainedAtLeastHalfOfCeiling());
        assertFalse(t.atLeast3xNaive());
        assertTrue(t.p99At50Within50ms(), "50 ms is within");
        assertFalse(t.soakMemoryFlat(), "RSS grew by about 18%");
        assertTrue(t.soakThroughputFlat());

        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| cores | 2 |"), md);
        assertTrue(md.contains("| ceiling_execution_provider | CPU |"), md);
        assertTrue(md.contains("| job sustained, decisions/s | 2892 | >= 50% of ceiling (0.288) | **no** |"), md);
        assertTrue(
                md.contains(
                        "| naive peer (sync, one call per record), decisions/s | 1977 | job >= 3.0x naive (1.46x) | **no** |"),
                md);
        assertTrue(
                md.contains(
                        "| latency at 50% of sustained, p50 / p99 / p99.9 ms | 10 / 50 / 90 | p99 <= 50 ms | yes |"),
                md);
        assertTrue(
                md.contains("| soak: decisions/s first third -> last third | 2000 -> 2000 | drop <= 10% | yes |"), md);
        assertTrue(md.contains("| 2 | 256 | 10036 | 25.508 |"), md);
        assertTrue(md.contains("| 25% load | async | 723 | 2000 | 10 | 121 | 161 | 4 / 116 | 5000 |"), md);
        assertTrue(md.contains("| flat out | async | 0 |"), md);
        assertTrue(md.contains("scoring.mode: async\n```"), md);
        for (String plot : List.of(
                "throughput_vs_ceiling",
                "latency_by_load",
                "latency_over_time",
                "throughput_over_time",
                "soak_memory",
                "soak_throughput")) {
            assertTrue(Files.size(dir.resolve(plot + ".png")) > 0, plot);
            assertTrue(md.contains("![" + plot + ".png](" + plot + ".png)"), plot);
        }
    }

    @Test
    void quickRunHasNoSoakVerdicts(@TempDir Path dir) throws Exception {
        Report report = BenchmarkReport.write(dir, measured(null));
        assertNull(report.targets().soakMemoryFlat());
        assertNull(report.targets().soakThroughputFlat());
        assertFalse(Files.exists(dir.resolve("soak_memory.png")));
        assertFalse(Files.readString(dir.resolve("report.md")).contains("soak:"));
    }

    @Test
    void soakThirdsAreMediansOfTheFirstAndLastThird() {
        List<Sample> series = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            series.add(new Sample(i * 10L, i < 3 ? 1400 : i < 6 ? 1000 : 700, 1000 + i * 10, 300, 700L, 300L + i * 10));
        }
        BenchmarkReport.SoakFigures f = BenchmarkReport.summariseSoak(series);
        assertEquals(1010, f.rssMbFirstThird());
        assertEquals(1070, f.rssMbLastThird());
        assertEquals(0.059, f.rssGrowthShare());
        assertEquals(310, f.outsideHeapMbFirstThird());
        assertEquals(370, f.outsideHeapMbLastThird());
        assertEquals(700, f.heapCommittedMbFirstThird());
        assertEquals(1400, f.decisionsPerSFirstThird());
        assertEquals(700, f.decisionsPerSLastThird());

        List<Sample> withoutHeapSplit = series.stream()
                .map(s -> new Sample(s.timeS(), s.decisionsPerS(), s.rssMb(), s.heapUsedMb(), null, null))
                .toList();
        assertNull(BenchmarkReport.summariseSoak(withoutHeapSplit).outsideHeapMbFirstThird());
        assertEquals(BenchmarkReport.SoakFigures.NONE, BenchmarkReport.summariseSoak(series.subList(0, 2)));
    }

    @Test
    void soakMemoryIsJudgedOverTheLastHalfWithRocksDbMemoryBesideIt(@TempDir Path dir) throws Exception {
        // 30 minutes every 10 s: resident memory climbs while the block cache fills (first half), then stays.
        List<Sample> series = new ArrayList<>();
        for (int i = 1; i <= 180; i++) {
            long cache = Math.min(i, 90) * 2L;
            long rss = 1000 + cache + (i % 2);
            series.add(new Sample(i * 10L, 1000, rss, 300, 700L, rss - 700, cache, 4L, 30L + (i % 3)));
        }
        BenchmarkReport.SoakFigures f = BenchmarkReport.summariseSoak(series);
        assertEquals(1181, f.rssMbAtHalf(), "the minute from 900 s: cache at its 180 MB, rss 1180-1181");
        assertEquals(1181, f.rssMbAtEnd());
        assertEquals(0.0, f.rssGrowthShareLastHalf());
        assertTrue(f.rssGrowthShare() > 0.03, "first third to last third includes the cache filling");
        assertEquals(180, f.rocksDbBlockCacheMbAtHalf());
        assertEquals(180, f.rocksDbBlockCacheMbAtEnd());
        assertEquals(4, f.rocksDbPinnedMbAtEnd());
        assertEquals(31, f.rocksDbMemTablesMbAtEnd());

        Run soak = run("async", 1446, 40, 180, 10, 0);
        soak = new Run(
                soak.mode(),
                soak.targetRequestsPerS(),
                soak.seconds(),
                soak.decisionsPerS(),
                soak.latencySamples(),
                soak.p50Ms(),
                soak.p99Ms(),
                soak.p999Ms(),
                soak.inJobP50Ms(),
                soak.inJobP99Ms(),
                series,
                soak.latencyPerS(),
                soak.latencySeriesStart(),
                null,
                null);
        Report report = BenchmarkReport.write(dir, measured(soak));
        assertTrue(report.targets().soakMemoryFlat());
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(
                md.contains(
                        "| soak: resident memory at half time -> at the end, MB | 1181 -> 1181 | growth <= 3% | yes |"),
                md);
        assertTrue(
                md.contains(
                        "| soak: RocksDB block cache (pinned) / memtables, at half time -> at the end, MB | 180 (4) -> 180 (4) / 31 -> 31 |"),
                md);

        // Memory still growing in the last half fails the soak although the first half was flat.
        List<Sample> leaking = new ArrayList<>();
        for (int i = 1; i <= 180; i++) {
            leaking.add(new Sample(i * 10L, 1000, 1000 + Math.max(0, i - 90), 300, 700L, 300L, 100L, 4L, 30L));
        }
        BenchmarkReport.SoakFigures leak = BenchmarkReport.summariseSoak(leaking);
        assertEquals(0.085, leak.rssGrowthShareLastHalf(), "1002.5 MB in the minute from 900 s, 1087.5 at the end");
        assertTrue(leak.rssGrowthShareLastHalf() > BenchmarkReport.SOAK_MAX_RSS_GROWTH);
    }
}
