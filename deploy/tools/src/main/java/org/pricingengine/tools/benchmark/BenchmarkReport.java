package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.LatencySecond;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Report;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Run;
import org.pricingengine.tools.benchmark.EndToEndBenchmark.Sample;
import org.pricingengine.tools.charts.LineChart;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * Turns the benchmark's JSON into the report: {@code report.md} (machine, model, settings, results
 * against the targets) and PNG plots of the ceiling, latency and throughput, and the soak. Runs at the
 * end of {@link EndToEndBenchmark}; can be rerun on a stored JSON:
 * {@code BenchmarkReport --json .work/bench/bench.json}.
 */
public final class BenchmarkReport {
    /** The targets the benchmark is judged by (BENCHMARKS.md). */
    static final double TARGET_SHARE_OF_CEILING = 0.5;

    static final double TARGET_SPEEDUP_OVER_NAIVE = 3.0;
    static final long TARGET_P99_MS_AT_50 = 50;
    /**
     * Soak: resident memory at the end may exceed that at half time by at most this share (a 30-minute
     * soak: its last 15 minutes, after the caches had time to fill).
     */
    static final double SOAK_MAX_RSS_GROWTH = 0.03;
    /** Soak: the decision rate of the last third may fall below the first third's by at most this share. */
    static final double SOAK_MAX_RATE_DROP = 0.10;

    private BenchmarkReport() {}

    /** The verdicts; a target whose figure was not measured is left out. */
    @JsonPropertyOrder({
        "sustained_at_least_half_of_ceiling",
        "at_least_3x_naive",
        "p99_at_50_within_50ms",
        "soak_memory_flat",
        "soak_throughput_flat"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Targets(
            @JsonProperty("sustained_at_least_half_of_ceiling")
            Boolean sustainedAtLeastHalfOfCeiling,

            @JsonProperty("at_least_3x_naive") Boolean atLeast3xNaive,
            @JsonProperty("p99_at_50_within_50ms") Boolean p99At50Within50ms,
            @JsonProperty("soak_memory_flat") Boolean soakMemoryFlat,
            @JsonProperty("soak_throughput_flat") Boolean soakThroughputFlat) {}

    /**
     * The soak's first and last third (medians of the series), and its memory at half time and at the end
     * (medians of the minute after the half-way point and of the last minute), written next to the soak
     * run's keys. All null when the series has fewer than three points; the heap split and RocksDB's
     * memory only when the series has them.
     */
    @JsonPropertyOrder({
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
        "rocksdb_memtables_mb_at_end"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SoakFigures(
            @JsonProperty("rss_mb_first_third") Long rssMbFirstThird,
            @JsonProperty("rss_mb_last_third") Long rssMbLastThird,
            @JsonProperty("rss_growth_share") Double rssGrowthShare,
            @JsonProperty("outside_heap_mb_first_third") Long outsideHeapMbFirstThird,
            @JsonProperty("outside_heap_mb_last_third") Long outsideHeapMbLastThird,
            @JsonProperty("heap_committed_mb_first_third") Long heapCommittedMbFirstThird,
            @JsonProperty("heap_committed_mb_last_third") Long heapCommittedMbLastThird,
            @JsonProperty("decisions_per_s_first_third") Long decisionsPerSFirstThird,
            @JsonProperty("decisions_per_s_last_third") Long decisionsPerSLastThird,
            @JsonProperty("rss_mb_at_half") Long rssMbAtHalf,
            @JsonProperty("rss_mb_at_end") Long rssMbAtEnd,
            @JsonProperty("rss_growth_share_last_half") Double rssGrowthShareLastHalf,
            @JsonProperty("outside_heap_mb_at_half") Long outsideHeapMbAtHalf,
            @JsonProperty("outside_heap_mb_at_end") Long outsideHeapMbAtEnd,
            @JsonProperty("rocksdb_block_cache_mb_at_half") Long rocksDbBlockCacheMbAtHalf,
            @JsonProperty("rocksdb_block_cache_mb_at_end") Long rocksDbBlockCacheMbAtEnd,
            @JsonProperty("rocksdb_pinned_mb_at_half") Long rocksDbPinnedMbAtHalf,
            @JsonProperty("rocksdb_pinned_mb_at_end") Long rocksDbPinnedMbAtEnd,
            @JsonProperty("rocksdb_memtables_mb_at_half") Long rocksDbMemTablesMbAtHalf,
            @JsonProperty("rocksdb_memtables_mb_at_end") Long rocksDbMemTablesMbAtEnd) {
        static final SoakFigures NONE = new SoakFigures(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "BenchmarkReport", "Rewrites report.md and the plots from a stored benchmark JSON.")
            .option("json", ".work/bench/bench.json", "the benchmark's JSON; the report goes next to it");

    public static void main(String[] args) throws IOException {
        Path json = OPTIONS.parseOrExit(args).path("json");
        write(json.getParent(), read(json));
        System.out.println("report: " + json.getParent().resolve("report.md"));
    }

    /**
     * Reads a stored bench.json. It is our own file, not input from outside: the parser limits set against
     * hostile records do not apply (a full run's per-second series run to more tokens than a record may have).
     */
    static Report read(Path json) throws IOException {
        try (JsonParser parser = JsonFactory.builder().build().createParser(json.toFile())) {
            return Json.mapper().readValue(parser, Report.class);
        }
    }

    /**
     * Writes report.md and the plots into {@code dir}; returns {@code report} with the target verdicts, as
     * bench.json holds it.
     */
    public static Report write(Path dir, Report measured) throws IOException {
        Targets targets = verdicts(measured);
        Report report = measured.withTargets(targets);
        List<String> plots = plots(dir, report);
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark report\n\n");
        md.append("Produced by `deploy/bench/benchmark.sh")
                .append(report.quick() ? " --quick" : "")
                .append("`; the numbers are in `bench.json` next to this file.\n\n");
        md.append("## Machine and model\n\n");
        table(md, List.of("what", "value"), rows(report.machine()));
        md.append('\n');
        table(md, List.of("what", "value"), rows(report.model()));
        md.append("\n## Results against the targets\n\n");
        List<List<String>> results = new ArrayList<>();
        results.add(List.of("inference ceiling (best batch), sequences/s", str(report.ceilingPerS()), "", ""));
        results.add(List.of(
                "job sustained, decisions/s",
                str(report.sustainedPerS()),
                ">= " + pct(TARGET_SHARE_OF_CEILING) + " of ceiling (" + str(report.sustainedShareOfCeiling()) + ")",
                verdict(targets.sustainedAtLeastHalfOfCeiling())));
        results.add(List.of(
                "naive peer (sync, one call per record), decisions/s",
                str(report.naivePerS()),
                "job >= " + TARGET_SPEEDUP_OVER_NAIVE + "x naive (" + str(report.speedupOverNaive()) + "x)",
                verdict(targets.atLeast3xNaive())));
        for (int level : List.of(25, 50, 75)) {
            Run run = report.level(level).orElse(null);
            results.add(List.of(
                    "latency at " + level + "% of sustained, p50 / p99 / p99.9 ms",
                    run == null ? "- / - / -" : str(run.p50Ms()) + " / " + str(run.p99Ms()) + " / " + str(run.p999Ms()),
                    level == 50 ? "p99 <= " + TARGET_P99_MS_AT_50 + " ms" : "",
                    level == 50 ? verdict(targets.p99At50Within50ms()) : ""));
        }
        if (report.soak() != null) {
            SoakFigures soak = report.soak().figures();
            results.add(List.of(
                    "soak: resident memory at half time -> at the end, MB",
                    str(soak.rssMbAtHalf()) + " -> " + str(soak.rssMbAtEnd()),
                    "growth <= " + pct(SOAK_MAX_RSS_GROWTH),
                    verdict(targets.soakMemoryFlat())));
            if (soak.rocksDbBlockCacheMbAtHalf() != null) {
                results.add(List.of(
                        "soak: RocksDB block cache (pinned) / memtables, at half time -> at the end, MB",
                        str(soak.rocksDbBlockCacheMbAtHalf()) + " (" + str(soak.rocksDbPinnedMbAtHalf()) + ") -> "
                                + str(soak.rocksDbBlockCacheMbAtEnd()) + " (" + str(soak.rocksDbPinnedMbAtEnd())
                                + ") / " + str(soak.rocksDbMemTablesMbAtHalf()) + " -> "
                                + str(soak.rocksDbMemTablesMbAtEnd()),
                        "",
                        ""));
            }
            results.add(List.of(
                    "soak: resident memory first third -> last third, MB",
                    str(soak.rssMbFirstThird()) + " -> " + str(soak.rssMbLastThird()),
                    "",
                    ""));
            if (soak.outsideHeapMbFirstThird() != null) {
                results.add(List.of(
                        "soak: outside the heap / heap committed, first third -> last third, MB",
                        str(soak.outsideHeapMbFirstThird()) + " -> " + str(soak.outsideHeapMbLastThird())
                                + " / " + str(soak.heapCommittedMbFirstThird()) + " -> "
                                + str(soak.heapCommittedMbLastThird()),
                        "",
                        ""));
            }
            results.add(List.of(
                    "soak: decisions/s first third -> last third",
                    str(soak.decisionsPerSFirstThird()) + " -> " + str(soak.decisionsPerSLastThird()),
                    "drop <= " + pct(SOAK_MAX_RATE_DROP),
                    verdict(targets.soakThroughputFlat())));
        }
        table(md, List.of("figure", "measured", "target", "met"), results);
        md.append("\n## Inference ceiling\n\n");
        List<List<String>> ceilingRows = new ArrayList<>();
        List<InferenceCeiling.Point> points =
                report.ceiling() == null ? List.of() : report.ceiling().points();
        for (InferenceCeiling.Point p : points) {
            ceilingRows.add(List.of(
                    str(p.threads()),
                    str(p.batch()),
                    str(p.sequencesPerS()),
                    str(p.msPerBatch()),
                    p.coreMsPerSeq() == null ? "-" : str(p.coreMsPerSeq())));
        }
        table(
                md,
                List.of("intra-op threads", "batch", "sequences/s", "ms per batch", "core-ms per sequence"),
                ceilingRows);
        md.append("\n## Runs\n\n");
        List<List<String>> runRows = new ArrayList<>();
        if (report.flatOut() != null) {
            runRows.add(runRow("flat out", report.flatOut()));
        }
        if (report.naive() != null) {
            runRows.add(runRow("naive", report.naive()));
        }
        for (Run level : report.levels()) {
            runRows.add(runRow(level.loadPercent() + "% load", level));
        }
        table(
                md,
                List.of(
                        "run",
                        "mode",
                        "target req/s",
                        "decisions/s",
                        "p50 ms",
                        "p99 ms",
                        "p99.9 ms",
                        "in-job p50 / p99 ms",
                        "samples"),
                runRows);
        List<List<String>> costRows = new ArrayList<>();
        List<Map.Entry<String, Run>> costed = new ArrayList<>();
        if (report.flatOut() != null) {
            costed.add(Map.entry("flat out", report.flatOut()));
        }
        if (report.naive() != null) {
            costed.add(Map.entry("naive", report.naive()));
        }
        for (Run level : report.levels()) {
            costed.add(Map.entry(level.loadPercent() + "% load", level));
        }
        for (Map.Entry<String, Run> e : costed) {
            EndToEndBenchmark.Cost c = e.getValue().cost();
            if (c != null) {
                costRows.add(List.of(
                        e.getKey(),
                        str(c.decisions()),
                        str(c.measuredS()),
                        str(c.jobCoreMsPerDecision()),
                        str(c.loadCoreMsPerDecision()),
                        str(c.brokerCoreMsPerDecision()),
                        str(Math.round(c.jobCpuS() / c.measuredS() * 100) / 100.0),
                        str(c.meanBatch()),
                        str(c.checkpointsInWindow())));
            }
        }
        if (!costRows.isEmpty()) {
            md.append("\n### What each process costs\n\n");
            table(
                    md,
                    List.of(
                            "run",
                            "decisions measured",
                            "seconds",
                            "job core-ms / decision",
                            "load core-ms / decision",
                            "broker core-ms / decision",
                            "job cores",
                            "mean model batch",
                            "checkpoints"),
                    costRows);
            md.append(
                    "\nCPU time (user and system, from the kernel) of each process over the run's measured part: the job's own\n"
                            + "JVM, the benchmark's JVM (load generator and latency consumer) and the broker.\n");
        }
        md.append(
                "\nLatency is measured from the load generator's send to the benchmark consumer's receipt of the decision\n"
                        + "(both in the benchmark JVM, one clock); \"in-job\" is the decision's own `latency_ms` (Kafka timestamp of\n"
                        + "the request to the decision being made).\n");
        md.append("\n## Plots\n\n");
        for (String plot : plots) {
            md.append("![").append(plot).append("](").append(plot).append(")\n\n");
        }
        md.append("## Job settings\n\n```\n");
        for (String line : report.jobSettings()) {
            md.append(line).append('\n');
        }
        md.append("```\n");
        Files.writeString(dir.resolve("report.md"), md.toString());
        return report;
    }

    static Targets verdicts(Report report) {
        SoakFigures soak =
                report.soak() == null ? SoakFigures.NONE : report.soak().figures();
        Long p99 = report.p99MsAt50();
        return new Targets(
                report.sustainedShareOfCeiling() == null
                        ? null
                        : report.sustainedShareOfCeiling() >= TARGET_SHARE_OF_CEILING,
                report.speedupOverNaive() == null ? null : report.speedupOverNaive() >= TARGET_SPEEDUP_OVER_NAIVE,
                p99 == null ? null : p99 >= 0 && p99 <= TARGET_P99_MS_AT_50,
                soak.rssGrowthShareLastHalf() == null ? null : soak.rssGrowthShareLastHalf() <= SOAK_MAX_RSS_GROWTH,
                soak.decisionsPerSFirstThird() == null || soak.decisionsPerSLastThird() == null
                        ? null
                        : soak.decisionsPerSLastThird() >= soak.decisionsPerSFirstThird() * (1 - SOAK_MAX_RATE_DROP));
    }

    /**
     * Summarises the soak's series: first and last third medians of resident memory and decision rate, and
     * memory in the minute after half time and in the last minute (resident memory's growth between them is
     * the memory verdict: by then RocksDB's cache and the JIT had the first half to fill).
     */
    static SoakFigures summariseSoak(List<Sample> series) {
        if (series.size() < 3) {
            return SoakFigures.NONE;
        }
        int third = series.size() / 3;
        List<Sample> first = series.subList(0, third);
        List<Sample> last = series.subList(series.size() - third, series.size());
        double rssFirst = median(first, Sample::rssMb);
        double rssLast = median(last, Sample::rssMb);
        boolean heapSplit = series.get(0).outsideHeapMb() != null;
        long endS = series.get(series.size() - 1).timeS();
        long halfTimeS = endS / 2;
        List<Sample> atHalf = series.stream()
                .filter(p -> p.timeS() >= halfTimeS && p.timeS() < halfTimeS + 60)
                .toList();
        List<Sample> atEnd = series.stream().filter(p -> p.timeS() > endS - 60).toList();
        if (atHalf.isEmpty()) {
            atHalf = List.of(series.get(series.size() / 2));
        }
        double rssHalf = median(atHalf, Sample::rssMb);
        double rssEnd = median(atEnd, Sample::rssMb);
        return new SoakFigures(
                Math.round(rssFirst),
                Math.round(rssLast),
                share(rssLast - rssFirst, rssFirst),
                heapSplit ? Math.round(median(first, Sample::outsideHeapMb)) : null,
                heapSplit ? Math.round(median(last, Sample::outsideHeapMb)) : null,
                heapSplit ? Math.round(median(first, Sample::heapCommittedMb)) : null,
                heapSplit ? Math.round(median(last, Sample::heapCommittedMb)) : null,
                Math.round(median(first, Sample::decisionsPerS)),
                Math.round(median(last, Sample::decisionsPerS)),
                Math.round(rssHalf),
                Math.round(rssEnd),
                share(rssEnd - rssHalf, rssHalf),
                medianOf(atHalf, Sample::outsideHeapMb),
                medianOf(atEnd, Sample::outsideHeapMb),
                medianOf(atHalf, Sample::rocksDbBlockCacheMb),
                medianOf(atEnd, Sample::rocksDbBlockCacheMb),
                medianOf(atHalf, Sample::rocksDbPinnedMb),
                medianOf(atEnd, Sample::rocksDbPinnedMb),
                medianOf(atHalf, Sample::rocksDbMemTablesMb),
                medianOf(atEnd, Sample::rocksDbMemTablesMb));
    }

    private static double share(double growth, double base) {
        return Math.round(growth / base * 1000) / 1000.0;
    }

    /** The median of a figure the samples may lack (then null). */
    private static Long medianOf(List<Sample> points, Function<Sample, Long> figure) {
        List<Sample> with = points.stream().filter(p -> figure.apply(p) != null).toList();
        return with.isEmpty() ? null : Math.round(median(with, p -> figure.apply(p)));
    }

    private static List<String> plots(Path dir, Report report) throws IOException {
        List<String> written = new ArrayList<>();
        if (report.ceiling() != null) {
            LineChart chart = new LineChart(
                    "Sequences per second: model alone vs the job end to end",
                    "batch size (model alone)",
                    "sequences (decisions) per second",
                    true);
            Map<Integer, List<InferenceCeiling.Point>> byThreads = new LinkedHashMap<>();
            for (InferenceCeiling.Point p : report.ceiling().points()) {
                byThreads.computeIfAbsent(p.threads(), k -> new ArrayList<>()).add(p);
            }
            double[] batches = null;
            for (var e : byThreads.entrySet()) {
                batches = column(e.getValue(), InferenceCeiling.Point::batch);
                chart.add(
                        "model, " + e.getKey() + " thread(s)",
                        batches,
                        column(e.getValue(), InferenceCeiling.Point::sequencesPerS));
            }
            if (batches != null) {
                chart.add("job (async, batched)", batches, constant(batches.length, report.sustainedPerS()));
                if (report.naivePerS() != null) {
                    chart.add("job, naive sync", batches, constant(batches.length, report.naivePerS()));
                }
            }
            chart.writePng(dir.resolve("throughput_vs_ceiling.png"));
            written.add("throughput_vs_ceiling.png");
        }
        List<Run> levels = report.levels();
        if (!levels.isEmpty()) {
            double[] share = column(levels, l -> l.loadShare() * 100);
            new LineChart("End-to-end decision latency by load", "load, % of sustained maximum", "milliseconds", false)
                    .add("p50", share, column(levels, Run::p50Ms))
                    .add("p99", share, column(levels, Run::p99Ms))
                    .add("p99.9", share, column(levels, Run::p999Ms))
                    .add("p99 target", share, constant(share.length, TARGET_P99_MS_AT_50))
                    .writePng(dir.resolve("latency_by_load.png"));
            written.add("latency_by_load.png");
            LineChart overTime = new LineChart(
                    "p99 latency per second of each run", "second of the measured phase", "p99 milliseconds", false);
            for (Run level : levels) {
                List<LatencySecond> perSecond = level.latencyPerS();
                overTime.add(
                        level.loadPercent() + "% load",
                        column(perSecond, LatencySecond::timeS),
                        column(perSecond, LatencySecond::p99Ms));
            }
            overTime.writePng(dir.resolve("latency_over_time.png"));
            written.add("latency_over_time.png");
        }
        LineChart rate = new LineChart(
                "Decisions per second over each run", "seconds since the run started", "decisions per second", false);
        boolean anyRate = false;
        if (report.flatOut() != null) {
            List<Sample> series = report.flatOut().series();
            rate.add("job flat out", column(series, Sample::timeS), column(series, Sample::decisionsPerS));
            anyRate = true;
        }
        if (report.naive() != null) {
            List<Sample> series = report.naive().series();
            rate.add("naive flat out", column(series, Sample::timeS), column(series, Sample::decisionsPerS));
            anyRate = true;
        }
        for (Run level : levels) {
            List<Sample> series = level.series();
            rate.add(
                    level.loadPercent() + "% load",
                    column(series, Sample::timeS),
                    column(series, Sample::decisionsPerS));
            anyRate = true;
        }
        if (anyRate) {
            rate.writePng(dir.resolve("throughput_over_time.png"));
            written.add("throughput_over_time.png");
        }
        if (report.soak() != null) {
            List<Sample> series = report.soak().run().series();
            double[] t = column(series, Sample::timeS);
            LineChart memory = new LineChart("Soak at 50% load: memory", "seconds", "MB", false)
                    .add("resident memory (RSS)", t, column(series, Sample::rssMb))
                    .add("JVM heap used", t, column(series, Sample::heapUsedMb));
            if (!series.isEmpty() && series.get(0).outsideHeapMb() != null) {
                memory.add("outside the heap (RSS - heap committed)", t, column(series, Sample::outsideHeapMb));
            }
            if (series.stream().allMatch(p -> p.rocksDbBlockCacheMb() != null)) {
                memory.add("RocksDB block cache", t, column(series, Sample::rocksDbBlockCacheMb))
                        .add("RocksDB memtables", t, column(series, Sample::rocksDbMemTablesMb));
            }
            memory.writePng(dir.resolve("soak_memory.png"));
            new LineChart("Soak at 50% load: decisions per second", "seconds", "decisions per second", false)
                    .add("decisions/s", t, column(series, Sample::decisionsPerS))
                    .writePng(dir.resolve("soak_throughput.png"));
            written.add("soak_memory.png");
            written.add("soak_throughput.png");
        }
        return written;
    }

    private static List<String> runRow(String name, Run run) {
        return List.of(
                name,
                str(run.mode()),
                str(run.targetRequestsPerS()),
                str(run.decisionsPerS()),
                str(run.p50Ms()),
                str(run.p99Ms()),
                str(run.p999Ms()),
                str(run.inJobP50Ms()) + " / " + str(run.inJobP99Ms()),
                str(run.latencySamples()));
    }

    private static <T> double median(List<T> points, ToDoubleFunction<T> value) {
        double[] v = column(points, value);
        java.util.Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    private static <T> double[] column(List<T> points, ToDoubleFunction<T> value) {
        double[] out = new double[points.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = value.applyAsDouble(points.get(i));
        }
        return out;
    }

    private static double[] constant(int n, double v) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, v);
        return out;
    }

    /** A record's JSON keys and values as table rows: the report names what bench.json names. */
    private static List<List<String>> rows(Object record) {
        List<List<String>> out = new ArrayList<>();
        Json.mapper()
                .valueToTree(record)
                .fields()
                .forEachRemaining(e -> out.add(List.of(e.getKey(), str(e.getValue()))));
        return out;
    }

    private static void table(StringBuilder md, List<String> header, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        md.append(" --- |".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
    }

    private static String verdict(Boolean met) {
        return met == null ? "not measured" : met ? "yes" : "**no**";
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String str(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof JsonNode node) {
            return node.isNull()
                    ? "-"
                    : node.isTextual() ? node.asText() : node.isNumber() ? str(node.numberValue()) : node.toString();
        }
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return String.valueOf(v);
    }
}
