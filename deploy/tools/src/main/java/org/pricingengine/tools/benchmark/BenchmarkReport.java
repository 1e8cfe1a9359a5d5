package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.core.type.TypeReference;

import org.pricingengine.features.events.Json;
import org.pricingengine.tools.cli.ToolArguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the benchmark's JSON into the report: {@code report.md} (machine, model, settings, results
 * against the targets) and PNG plots of the ceiling, latency and throughput, and the soak. Runs at the
 * end of {@link EndToEndBenchmark}; can be rerun on a stored JSON:
 * {@code BenchmarkReport --json .work/bench/bench.json}.
 */
public final class BenchmarkReport {
    /** The targets the benchmark is judged by (issue 4). */
    static final double TARGET_SHARE_OF_CEILING = 0.5;
    static final double TARGET_SPEEDUP_OVER_NAIVE = 3.0;
    static final long TARGET_P99_MS_AT_50 = 50;
    /** Soak: resident memory of the last third may exceed the first third's by at most this share. */
    static final double SOAK_MAX_RSS_GROWTH = 0.10;
    /** Soak: the decision rate of the last third may fall below the first third's by at most this share. */
    static final double SOAK_MAX_RATE_DROP = 0.10;

    private BenchmarkReport() {}

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool("BenchmarkReport",
                    "Rewrites report.md and the plots from a stored benchmark JSON.")
            .option("json", ".work/bench/bench.json", "the benchmark's JSON; the report goes next to it");

    public static void main(String[] args) throws IOException {
        Path json = OPTIONS.parseOrExit(args).path("json");
        Map<String, Object> report = Json.mapper().readValue(json.toFile(), new TypeReference<>() {});
        write(json.getParent(), report);
        System.out.println("report: " + json.getParent().resolve("report.md"));
    }

    /** Adds the target verdicts to {@code report} and writes report.md and the plots into {@code dir}. */
    public static void write(Path dir, Map<String, Object> report) throws IOException {
        Map<String, Object> targets = verdicts(report);
        report.put("targets", targets);
        List<String> plots = plots(dir, report);
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark report\n\n");
        md.append("Produced by `deploy/bench/benchmark.sh").append(Boolean.TRUE.equals(report.get("quick")) ? " --quick" : "")
                .append("`; the numbers are in `bench.json` next to this file.\n\n");
        md.append("## Machine and model\n\n");
        table(md, List.of("what", "value"), rows(map(report.get("machine"))));
        md.append('\n');
        table(md, List.of("what", "value"), rows(map(report.get("model"))));
        md.append("\n## Results against the targets\n\n");
        List<List<String>> results = new ArrayList<>();
        results.add(List.of("inference ceiling (best batch), sequences/s", str(report.get("ceiling_per_s")), "", ""));
        results.add(List.of("job sustained, decisions/s", str(report.get("sustained_per_s")),
                ">= " + pct(TARGET_SHARE_OF_CEILING) + " of ceiling (" + str(report.get("sustained_share_of_ceiling")) + ")",
                verdict(targets.get("sustained_at_least_half_of_ceiling"))));
        results.add(List.of("naive peer (sync, one call per record), decisions/s", str(report.get("naive_per_s")),
                "job >= " + TARGET_SPEEDUP_OVER_NAIVE + "x naive (" + str(report.get("speedup_over_naive")) + "x)",
                verdict(targets.get("at_least_3x_naive"))));
        for (String level : List.of("25", "50", "75")) {
            results.add(List.of("latency at " + level + "% of sustained, p50 / p99 / p99.9 ms",
                    str(report.get("p50_ms_at_" + level)) + " / " + str(report.get("p99_ms_at_" + level)) + " / "
                            + str(report.get("p999_ms_at_" + level)),
                    level.equals("50") ? "p99 <= " + TARGET_P99_MS_AT_50 + " ms" : "",
                    level.equals("50") ? verdict(targets.get("p99_at_50_within_50ms")) : ""));
        }
        if (report.get("soak") instanceof Map<?, ?> soak) {
            results.add(List.of("soak: resident memory first third -> last third, MB",
                    str(soak.get("rss_mb_first_third")) + " -> " + str(soak.get("rss_mb_last_third")),
                    "growth <= " + pct(SOAK_MAX_RSS_GROWTH), verdict(targets.get("soak_memory_flat"))));
            if (soak.get("outside_heap_mb_first_third") != null) {
                results.add(List.of("soak: outside the heap / heap committed, first third -> last third, MB",
                        str(soak.get("outside_heap_mb_first_third")) + " -> " + str(soak.get("outside_heap_mb_last_third"))
                                + " / " + str(soak.get("heap_committed_mb_first_third")) + " -> "
                                + str(soak.get("heap_committed_mb_last_third")), "", ""));
            }
            results.add(List.of("soak: decisions/s first third -> last third",
                    str(soak.get("decisions_per_s_first_third")) + " -> " + str(soak.get("decisions_per_s_last_third")),
                    "drop <= " + pct(SOAK_MAX_RATE_DROP), verdict(targets.get("soak_throughput_flat"))));
        }
        table(md, List.of("figure", "measured", "target", "met"), results);
        md.append("\n## Inference ceiling\n\n");
        List<List<String>> ceilingRows = new ArrayList<>();
        for (Map<String, Object> p : list(map(report.get("ceiling")).get("points"))) {
            ceilingRows.add(List.of(str(p.get("threads")), str(p.get("batch")), str(p.get("sequences_per_s")), str(p.get("ms_per_batch"))));
        }
        table(md, List.of("intra-op threads", "batch", "sequences/s", "ms per batch"), ceilingRows);
        md.append("\n## Runs\n\n");
        List<List<String>> runRows = new ArrayList<>();
        for (String key : List.of("flat_out", "naive")) {
            if (report.get(key) instanceof Map<?, ?> run) {
                runRows.add(runRow(key.replace('_', ' '), run));
            }
        }
        for (Map<String, Object> level : list(report.get("levels"))) {
            runRows.add(runRow(Math.round(((Number) level.get("load_share")).doubleValue() * 100) + "% load", level));
        }
        table(md, List.of("run", "mode", "target req/s", "decisions/s", "p50 ms", "p99 ms", "p99.9 ms",
                "in-job p50 / p99 ms", "samples"), runRows);
        md.append("\nLatency is measured from the load generator's send to the benchmark consumer's receipt of the decision\n"
                + "(both in the benchmark JVM, one clock); \"in-job\" is the decision's own `latency_ms` (Kafka timestamp of\n"
                + "the request to the decision being made).\n");
        md.append("\n## Plots\n\n");
        for (String plot : plots) {
            md.append("![").append(plot).append("](").append(plot).append(")\n\n");
        }
        md.append("## Job settings\n\n```\n");
        for (Object line : list(report.get("job_settings"))) {
            md.append(line).append('\n');
        }
        md.append("```\n");
        Files.writeString(dir.resolve("report.md"), md.toString());
    }

    static Map<String, Object> verdicts(Map<String, Object> report) {
        Map<String, Object> t = new LinkedHashMap<>();
        if (report.get("sustained_share_of_ceiling") instanceof Number share) {
            t.put("sustained_at_least_half_of_ceiling", share.doubleValue() >= TARGET_SHARE_OF_CEILING);
        }
        if (report.get("speedup_over_naive") instanceof Number speedup) {
            t.put("at_least_3x_naive", speedup.doubleValue() >= TARGET_SPEEDUP_OVER_NAIVE);
        }
        if (report.get("p99_ms_at_50") instanceof Number p99) {
            t.put("p99_at_50_within_50ms", p99.longValue() >= 0 && p99.longValue() <= TARGET_P99_MS_AT_50);
        }
        if (report.get("soak") instanceof Map<?, ?> soak && soak.get("rss_growth_share") instanceof Number growth) {
            t.put("soak_memory_flat", growth.doubleValue() <= SOAK_MAX_RSS_GROWTH);
        }
        if (report.get("soak") instanceof Map<?, ?> soak && soak.get("decisions_per_s_first_third") instanceof Number first
                && soak.get("decisions_per_s_last_third") instanceof Number last) {
            t.put("soak_throughput_flat", last.doubleValue() >= first.doubleValue() * (1 - SOAK_MAX_RATE_DROP));
        }
        return t;
    }

    /** Summarises the soak's series: first and last third medians of resident memory and decision rate. */
    static void summariseSoak(Map<String, Object> soak) {
        List<Map<String, Object>> series = list(soak.get("series"));
        if (series.size() < 3) {
            return;
        }
        int third = series.size() / 3;
        double rssFirst = median(series.subList(0, third), "rss_mb");
        double rssLast = median(series.subList(series.size() - third, series.size()), "rss_mb");
        soak.put("rss_mb_first_third", Math.round(rssFirst));
        soak.put("rss_mb_last_third", Math.round(rssLast));
        soak.put("rss_growth_share", Math.round((rssLast - rssFirst) / rssFirst * 1000) / 1000.0);
        if (series.get(0).containsKey("outside_heap_mb")) {
            soak.put("outside_heap_mb_first_third", Math.round(median(series.subList(0, third), "outside_heap_mb")));
            soak.put("outside_heap_mb_last_third", Math.round(median(series.subList(series.size() - third, series.size()), "outside_heap_mb")));
            soak.put("heap_committed_mb_first_third", Math.round(median(series.subList(0, third), "heap_committed_mb")));
            soak.put("heap_committed_mb_last_third", Math.round(median(series.subList(series.size() - third, series.size()), "heap_committed_mb")));
        }
        soak.put("decisions_per_s_first_third", Math.round(median(series.subList(0, third), "decisions_per_s")));
        soak.put("decisions_per_s_last_third", Math.round(median(series.subList(series.size() - third, series.size()), "decisions_per_s")));
    }

    private static List<String> plots(Path dir, Map<String, Object> report) throws IOException {
        List<String> written = new ArrayList<>();
        if (report.get("ceiling") instanceof Map<?, ?> ceiling) {
            LineChart chart = new LineChart("Sequences per second: model alone vs the job end to end",
                    "batch size (model alone)", "sequences (decisions) per second", true);
            Map<Integer, List<Map<String, Object>>> byThreads = new LinkedHashMap<>();
            for (Map<String, Object> p : list(ceiling.get("points"))) {
                byThreads.computeIfAbsent(((Number) p.get("threads")).intValue(), k -> new ArrayList<>()).add(p);
            }
            double[] batches = null;
            for (var e : byThreads.entrySet()) {
                batches = column(e.getValue(), "batch");
                chart.add("model, " + e.getKey() + " thread(s)", batches, column(e.getValue(), "sequences_per_s"));
            }
            if (batches != null) {
                for (String key : List.of("sustained_per_s", "naive_per_s")) {
                    if (report.get(key) instanceof Number v) {
                        chart.add(key.equals("sustained_per_s") ? "job (async, batched)" : "job, naive sync",
                                batches, constant(batches.length, v.doubleValue()));
                    }
                }
            }
            chart.writePng(dir.resolve("throughput_vs_ceiling.png"));
            written.add("throughput_vs_ceiling.png");
        }
        List<Map<String, Object>> levels = list(report.get("levels"));
        if (!levels.isEmpty()) {
            double[] share = new double[levels.size()];
            for (int i = 0; i < share.length; i++) {
                share[i] = ((Number) levels.get(i).get("load_share")).doubleValue() * 100;
            }
            new LineChart("End-to-end decision latency by load", "load, % of sustained maximum", "milliseconds", false)
                    .add("p50", share, column(levels, "p50_ms"))
                    .add("p99", share, column(levels, "p99_ms"))
                    .add("p99.9", share, column(levels, "p999_ms"))
                    .add("p99 target", share, constant(share.length, TARGET_P99_MS_AT_50))
                    .writePng(dir.resolve("latency_by_load.png"));
            written.add("latency_by_load.png");
            LineChart overTime = new LineChart("p99 latency per second of each run", "second of the measured phase",
                    "p99 milliseconds", false);
            for (Map<String, Object> level : levels) {
                List<Map<String, Object>> perSecond = list(level.get("latency_per_s"));
                overTime.add(Math.round(((Number) level.get("load_share")).doubleValue() * 100) + "% load",
                        column(perSecond, "t_s"), column(perSecond, "p99_ms"));
            }
            overTime.writePng(dir.resolve("latency_over_time.png"));
            written.add("latency_over_time.png");
        }
        LineChart rate = new LineChart("Decisions per second over each run", "seconds since the run started",
                "decisions per second", false);
        boolean anyRate = false;
        for (String key : List.of("flat_out", "naive")) {
            if (report.get(key) instanceof Map<?, ?> run) {
                List<Map<String, Object>> series = list(run.get("series"));
                rate.add(key.equals("flat_out") ? "job flat out" : "naive flat out", column(series, "t_s"), column(series, "decisions_per_s"));
                anyRate = true;
            }
        }
        for (Map<String, Object> level : levels) {
            List<Map<String, Object>> series = list(level.get("series"));
            rate.add(Math.round(((Number) level.get("load_share")).doubleValue() * 100) + "% load", column(series, "t_s"),
                    column(series, "decisions_per_s"));
            anyRate = true;
        }
        if (anyRate) {
            rate.writePng(dir.resolve("throughput_over_time.png"));
            written.add("throughput_over_time.png");
        }
        if (report.get("soak") instanceof Map<?, ?> soak) {
            List<Map<String, Object>> series = list(soak.get("series"));
            double[] t = column(series, "t_s");
            LineChart memory = new LineChart("Soak at 50% load: memory", "seconds", "MB", false)
                    .add("resident memory (RSS)", t, column(series, "rss_mb"))
                    .add("JVM heap used", t, column(series, "heap_used_mb"));
            if (!series.isEmpty() && series.get(0).containsKey("outside_heap_mb")) {
                memory.add("outside the heap (RSS - heap committed)", t, column(series, "outside_heap_mb"));
            }
            memory.writePng(dir.resolve("soak_memory.png"));
            new LineChart("Soak at 50% load: decisions per second", "seconds", "decisions per second", false)
                    .add("decisions/s", t, column(series, "decisions_per_s"))
                    .writePng(dir.resolve("soak_throughput.png"));
            written.add("soak_memory.png");
            written.add("soak_throughput.png");
        }
        return written;
    }

    private static List<String> runRow(String name, Map<?, ?> run) {
        return List.of(name, str(run.get("mode")), str(run.get("target_requests_per_s")), str(run.get("decisions_per_s")),
                str(run.get("p50_ms")), str(run.get("p99_ms")), str(run.get("p999_ms")),
                str(run.get("in_job_p50_ms")) + " / " + str(run.get("in_job_p99_ms")), str(run.get("latency_samples")));
    }

    private static double median(List<Map<String, Object>> points, String key) {
        double[] v = column(points, key);
        java.util.Arrays.sort(v);
        return v.length == 0 ? 0 : v[v.length / 2];
    }

    private static double[] column(List<Map<String, Object>> points, String key) {
        double[] out = new double[points.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) points.get(i).get(key)).doubleValue();
        }
        return out;
    }

    private static double[] constant(int n, double v) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, v);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static List<List<String>> rows(Map<String, Object> m) {
        List<List<String>> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(List.of(k, str(v))));
        return out;
    }

    private static void table(StringBuilder md, List<String> header, List<List<String>> rows) {
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        md.append(" --- |".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
    }

    private static String verdict(Object met) {
        return met == null ? "not measured" : (Boolean) met ? "yes" : "**no**";
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String str(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return String.valueOf(v);
    }
}
