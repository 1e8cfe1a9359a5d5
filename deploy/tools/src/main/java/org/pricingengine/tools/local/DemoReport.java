package org.pricingengine.tools.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.tools.charts.BarChart;
import org.pricingengine.tools.charts.LineChart;

/**
 * What a pricing manager looks at after the demo: how prices sit against list price, how many were
 * discounted and how many randomized to learn, why prices are what they are (reason codes), and how long
 * a shopper waited for them. Written as {@code report.md} with PNG charts into one directory, from the
 * decisions as read from the decisions topic.
 */
public final class DemoReport {
    static final String PRICE_TO_LIST_PNG = "price-to-list.png";
    static final String SHARES_OVER_TIME_PNG = "discount-and-exploration.png";
    static final String REASON_CODES_PNG = "reason-codes.png";
    static final String LATENCY_PNG = "latency.png";

    /** Latency buckets' upper edges in milliseconds; a last bucket holds the rest. */
    private static final long[] LATENCY_EDGES_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

    /** Bins of the shares over the run: the first size of 1, 2 or 5 x a power of ten leaving at most this many. */
    private static final int MAX_BINS = 30;

    /**
     * What the report needs of one decision. {@code price} and {@code listPrice} are null for an item the
     * catalog does not know; {@code latencyMs} is null for a decision made before latency was counted
     * (the warm-up).
     */
    public record Decision(
            Instant requestTime,
            Double listPrice,
            Double price,
            boolean fallback,
            boolean holdout,
            boolean randomized,
            boolean uniformPick,
            List<String> reasonCodes,
            Long latencyMs) {

        /** Reads a decision as published on the decisions topic. */
        public static Decision of(JsonNode d, boolean latencyCounted) {
            JsonNode experiment = d.path("experiment");
            List<String> reasons = new ArrayList<>();
            d.path("reason_codes").forEach(r -> reasons.add(r.asText()));
            return new Decision(
                    Instant.parse(d.get("request_time").asText()),
                    d.hasNonNull("list_price") ? d.get("list_price").asDouble() : null,
                    d.hasNonNull("price") ? d.get("price").asDouble() : null,
                    d.path("fallback").asBoolean(),
                    "holdout".equals(experiment.path("group").asText()),
                    experiment.path("randomized").asBoolean(),
                    experiment.path("uniform_pick").asBoolean(),
                    List.copyOf(reasons),
                    latencyCounted ? d.get("latency_ms").asLong() : null);
        }

        boolean priced() {
            return price != null && listPrice != null && listPrice > 0;
        }

        double priceToList() {
            return price / listPrice;
        }

        boolean discounted() {
            return priced() && price < listPrice - 1e-9;
        }
    }

    /** The attributed feedback outcomes the demo read (committed only). */
    public record Outcomes(long outcomes, long purchases, long carts, double revenue) {}

    /** The figures in the report, for its callers and tests. */
    public record Figures(
            long decisions,
            long priced,
            long fallbacks,
            long atList,
            long discounted,
            long aboveList,
            double meanPriceToList,
            double meanDiscountWhereDiscounted,
            double deepestDiscount,
            double discountedShare,
            double randomizedShare,
            double uniformShare,
            double holdoutShare,
            double stableQuoteShare,
            Map<String, Long> reasonCodes,
            long latencySamples,
            Map<String, Long> latencyPercentilesMs,
            List<String> charts) {}

    private DemoReport() {}

    /**
     * Writes {@code report.md} and its charts into {@code dir} (created if missing). {@code run} is shown
     * as the report's first table (data, model, rate, ...), in its order.
     */
    public static Figures write(Path dir, Map<String, String> run, List<Decision> decisions, Outcomes outcomes)
            throws IOException {
        Files.createDirectories(dir);
        List<Decision> priced = decisions.stream().filter(Decision::priced).toList();
        long n = decisions.size();
        long discounted = count(decisions, Decision::discounted);
        long atList = count(priced, d -> Math.abs(d.price - d.listPrice) <= 1e-9);
        long aboveList = count(priced, d -> d.price > d.listPrice + 1e-9);
        double meanRatio =
                priced.stream().mapToDouble(Decision::priceToList).average().orElse(Double.NaN);
        double meanDiscount = priced.stream()
                .filter(Decision::discounted)
                .mapToDouble(d -> 1 - d.priceToList())
                .average()
                .orElse(0);
        double deepest = priced.stream()
                .filter(Decision::discounted)
                .mapToDouble(d -> 1 - d.priceToList())
                .max()
                .orElse(0);
        Map<String, Long> reasons = reasonCounts(decisions);
        long[] latencies = decisions.stream()
                .filter(d -> d.latencyMs != null)
                .mapToLong(Decision::latencyMs)
                .sorted()
                .toArray();
        Map<String, Long> percentiles = new LinkedHashMap<>();
        if (latencies.length > 0) {
            percentiles.put("p50", OutputTally.nearestRank(latencies, 0.50));
            percentiles.put("p90", OutputTally.nearestRank(latencies, 0.90));
            percentiles.put("p99", OutputTally.nearestRank(latencies, 0.99));
            percentiles.put("p99.9", OutputTally.nearestRank(latencies, 0.999));
            percentiles.put("max", latencies[latencies.length - 1]);
        }

        List<String> charts = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# Pricing demo report\n\n");
        md.append("| run | |\n| --- | --- |\n");
        run.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("| decisions | ")
                .append(n)
                .append(" (")
                .append(count(decisions, d -> d.fallback))
                .append(" fallbacks, ")
                .append(n - priced.size())
                .append(" without a price: item not in the catalog) |\n");
        if (!decisions.isEmpty()) {
            Instant first = decisions.stream()
                    .map(Decision::requestTime)
                    .min(Comparator.naturalOrder())
                    .orElseThrow();
            Instant last = decisions.stream()
                    .map(Decision::requestTime)
                    .max(Comparator.naturalOrder())
                    .orElseThrow();
            md.append("| request times | ")
                    .append(first)
                    .append(" to ")
                    .append(last)
                    .append(" (the shop's clock) |\n");
        }

        md.append("\n## Price against list price\n\n");
        md.append("Every price lies between the floor (cost plus minimum margin, list price less the largest ")
                .append("discount) and the ceiling (list price unless a markup is allowed).\n\n");
        md.append("| | decisions | share of priced |\n| --- | ---: | ---: |\n");
        row(md, "priced (has a price)", priced.size(), priced.size());
        row(md, "at list price", atList, priced.size());
        row(md, "discounted", discounted, priced.size());
        row(md, "above list price", aboveList, priced.size());
        md.append("\n| | |\n| --- | ---: |\n");
        md.append("| mean price / list price | ").append(fixed(meanRatio, 3)).append(" |\n");
        md.append("| mean discount where discounted | ")
                .append(percent(meanDiscount))
                .append(" |\n");
        md.append("| deepest discount | ").append(percent(deepest)).append(" |\n\n");
        if (!priced.isEmpty()) {
            priceToListChart(priced, dir.resolve(PRICE_TO_LIST_PNG));
            charts.add(PRICE_TO_LIST_PNG);
            md.append(image(PRICE_TO_LIST_PNG)).append("\n\n");
        }

        md.append("## Discounts and exploration\n\n");
        md.append("Randomized prices are how the job learns the price response: the Thompson draw and the ")
                .append("uniform share pick among the candidate prices with known probabilities. The holdout ")
                .append("always gets the list price, so lift is measured against it. Shares of all decisions.\n\n");
        double discountedShare = share(discounted, n);
        double randomizedShare = share(count(decisions, d -> d.randomized), n);
        double uniformShare = share(count(decisions, d -> d.uniformPick), n);
        double holdoutShare = share(count(decisions, d -> d.holdout), n);
        double stableShare = share(count(decisions, d -> d.reasonCodes.contains(ReasonCode.STABLE_QUOTE.code())), n);
        md.append("| | share |\n| --- | ---: |\n");
        md.append("| discounted | ").append(percent(discountedShare)).append(" |\n");
        md.append("| randomized (Thompson draw or uniform pick) | ")
                .append(percent(randomizedShare))
                .append(" |\n");
        md.append("| uniform exploration | ").append(percent(uniformShare)).append(" |\n");
        md.append("| holdout (list price) | ").append(percent(holdoutShare)).append(" |\n");
        md.append("| fallback (list price where the model failed or timed out; no price for an unknown item) | ")
                .append(percent(share(count(decisions, d -> d.fallback), n)))
                .append(" |\n");
        md.append("| stable quote (same price as the shopper's last quote) | ")
                .append(percent(stableShare))
                .append(" |\n\n");
        if (sharesOverTimeChart(decisions, dir.resolve(SHARES_OVER_TIME_PNG))) {
            charts.add(SHARES_OVER_TIME_PNG);
            md.append(image(SHARES_OVER_TIME_PNG)).append("\n\n");
        }

        md.append("## Reason codes\n\n");
        md.append("A decision carries one or more: how the price was chosen, the objective, where it sits, ")
                .append("and for a fallback why the model's price was not used.\n\n");
        md.append("| code | decisions | share of decisions |\n| --- | ---: | ---: |\n");
        reasons.forEach((code, c) -> row(md, "`" + code + "`", c, n));
        md.append("\n");
        if (!reasons.isEmpty()) {
            reasonCodesChart(reasons, n, dir.resolve(REASON_CODES_PNG));
            charts.add(REASON_CODES_PNG);
            md.append(image(REASON_CODES_PNG)).append("\n\n");
        }

        md.append("## Decision latency\n\n");
        md.append("From the request's Kafka timestamp to the decision, over ")
                .append(latencies.length)
                .append(" decisions after the warm-up.\n\n");
        if (latencies.length > 0) {
            md.append("| ")
                    .append(String.join(" | ", percentiles.keySet()))
                    .append(" |\n|")
                    .append(" ---: |".repeat(percentiles.size()))
                    .append("\n|");
            percentiles.values().forEach(v -> md.append(' ').append(v).append(" ms |"));
            md.append("\n\n");
            latencyChart(latencies, dir.resolve(LATENCY_PNG));
            charts.add(LATENCY_PNG);
            md.append(image(LATENCY_PNG)).append("\n\n");
        }

        md.append("## Feedback outcomes\n\n");
        md.append("| outcomes | purchases attributed | carts attributed | attributed revenue |\n")
                .append("| ---: | ---: | ---: | ---: |\n")
                .append("| ")
                .append(outcomes.outcomes)
                .append(" | ")
                .append(outcomes.purchases)
                .append(" | ")
                .append(outcomes.carts)
                .append(" | ")
                .append(fixed(outcomes.revenue, 2))
                .append(" |\n\n");
        md.append("The replayed shoppers buy as the log says they did: they never saw these prices, so these ")
                .append("outcomes say nothing about how shoppers answer a price. `deploy/learning-loop.sh` plays ")
                .append("shoppers who do, against the same job.\n");
        Files.writeString(dir.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
        return new Figures(
                n,
                priced.size(),
                count(decisions, d -> d.fallback),
                atList,
                discounted,
                aboveList,
                meanRatio,
                meanDiscount,
                deepest,
                discountedShare,
                randomizedShare,
                uniformShare,
                holdoutShare,
                stableShare,
                reasons,
                latencies.length,
                percentiles,
                List.copyOf(charts));
    }

    /** Reason codes by how many decisions carry them, most first (ties by name). */
    static Map<String, Long> reasonCounts(List<Decision> decisions) {
        Map<String, Long> counts = new TreeMap<>();
        for (Decision d : decisions) {
            for (String code : d.reasonCodes) {
                counts.merge(code, 1L, Long::sum);
            }
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** One bar per hundredth of list price, from the lowest price to the highest: the ladder shows as spikes. */
    private static void priceToListChart(List<Decision> priced, Path png) throws IOException {
        Map<Integer, Long> byHundredth = new TreeMap<>();
        for (Decision d : priced) {
            byHundredth.merge((int) Math.round(d.priceToList() * 100), 1L, Long::sum);
        }
        int lowest = byHundredth.keySet().iterator().next();
        int highest = ((TreeMap<Integer, Long>) byHundredth).lastKey();
        BarChart chart = BarChart.vertical(
                        "Price relative to list price (" + priced.size() + " priced decisions)",
                        "price / list price (to the nearest 0.01; list price in orange)",
                        "% of priced decisions")
                .valueText(v -> v >= 0.05 ? String.format(Locale.ROOT, "%.1f", v) : "");
        for (int h = lowest; h <= highest; h++) {
            long c = byHundredth.getOrDefault(h, 0L);
            chart.add(String.format(Locale.ROOT, "%.2f", h / 100.0), 100.0 * c / priced.size(), h == 100 ? 3 : 0);
        }
        chart.writePng(png);
    }

    /**
     * Shares in consecutive bins of decisions, in the order they were made: how the policy moves as it
     * learns during the run. (The shop's clock would not do: a replayed log may be a few days' samples, and
     * a live job's request times are its wall clock anyway.) False for fewer than two bins.
     */
    private static boolean sharesOverTimeChart(List<Decision> decisions, Path png) throws IOException {
        int binSize = (int) binSizeAtLeast(decisions.size() / (double) MAX_BINS);
        // A short last bin would draw noise as a trend: it counts only when at least half full.
        int bins = decisions.size() / binSize + (decisions.size() % binSize >= (binSize + 1) / 2 ? 1 : 0);
        if (bins < 2) {
            return false;
        }
        double[] x = new double[bins];
        double[] discounted = new double[bins];
        double[] randomized = new double[bins];
        double[] uniform = new double[bins];
        double[] holdout = new double[bins];
        double[] fallback = new double[bins];
        for (int b = 0; b < bins; b++) {
            List<Decision> bin = decisions.subList(b * binSize, Math.min(decisions.size(), (b + 1) * binSize));
            x[b] = b * binSize + bin.size();
            discounted[b] = 100.0 * count(bin, Decision::discounted) / bin.size();
            randomized[b] = 100.0 * count(bin, d -> d.randomized) / bin.size();
            uniform[b] = 100.0 * count(bin, d -> d.uniformPick) / bin.size();
            holdout[b] = 100.0 * count(bin, d -> d.holdout) / bin.size();
            fallback[b] = 100.0 * count(bin, d -> d.fallback) / bin.size();
        }
        new LineChart(
                        String.format(
                                Locale.ROOT, "Discounts and exploration over the run (bins of %,d decisions)", binSize),
                        "decisions made (in the order they were published)",
                        "% of the bin's decisions",
                        false)
                .yTop(100)
                .add("discounted", x, discounted)
                .add("randomized", x, randomized)
                .add("uniform exploration", x, uniform)
                .add("holdout", x, holdout)
                .add("fallback", x, fallback)
                .writePng(png);
        return true;
    }

    private static void reasonCodesChart(Map<String, Long> reasons, long decisions, Path png) throws IOException {
        BarChart chart = BarChart.horizontal(
                        "Reason codes (" + decisions + " decisions; a decision carries several)", "decisions")
                .valueText(v -> String.format(Locale.ROOT, "%,d (%.1f%%)", (long) v, 100.0 * v / decisions));
        reasons.forEach((code, c) -> chart.add(code, c, code.startsWith("FALLBACK_") ? 1 : 0));
        chart.writePng(png);
    }

    private static void latencyChart(long[] sorted, Path png) throws IOException {
        long[] counts = new long[LATENCY_EDGES_MS.length + 1];
        for (long ms : sorted) {
            int b = 0;
            while (b < LATENCY_EDGES_MS.length && ms >= LATENCY_EDGES_MS[b]) {
                b++;
            }
            counts[b]++;
        }
        int lastUsed = counts.length - 1;
        while (lastUsed > 0 && counts[lastUsed] == 0) {
            lastUsed--;
        }
        BarChart chart = BarChart.vertical(
                        "Decision latency (" + sorted.length + " decisions after warm-up; p50 "
                                + OutputTally.nearestRank(sorted, 0.5) + " ms, p99 "
                                + OutputTally.nearestRank(sorted, 0.99) + " ms)",
                        "milliseconds from the request's Kafka timestamp to the decision",
                        "% of decisions")
                .valueText(v -> v > 0 ? String.format(Locale.ROOT, "%.1f", v) : "");
        for (int b = 0; b <= lastUsed; b++) {
            String label = b == 0
                    ? "<" + LATENCY_EDGES_MS[0]
                    : b == LATENCY_EDGES_MS.length
                            ? ">=" + LATENCY_EDGES_MS[b - 1]
                            : LATENCY_EDGES_MS[b - 1] + "-" + LATENCY_EDGES_MS[b];
            chart.add(label, 100.0 * counts[b] / sorted.length);
        }
        chart.writePng(png);
    }

    private static long binSizeAtLeast(double v) {
        for (long magnitude = 1; ; magnitude *= 10) {
            for (long step : new long[] {1, 2, 5}) {
                if (step * magnitude >= v) {
                    return step * magnitude;
                }
            }
        }
    }

    /** Nearest rank, as the demo's summary counts it. */
    private static long count(List<Decision> decisions, Predicate<Decision> which) {
        return decisions.stream().filter(which).count();
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : (double) part / whole;
    }

    private static void row(StringBuilder md, String label, long count, long whole) {
        md.append("| ")
                .append(label)
                .append(" | ")
                .append(count)
                .append(" | ")
                .append(percent(share(count, whole)))
                .append(" |\n");
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String fixed(double v, int digits) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String image(String png) {
        return "![" + png + "](" + png + ")";
    }

    /** For a test or a tool that has the decisions as JSON text. */
    static Decision parse(String json, boolean latencyCounted) throws IOException {
        return Decision.of(Json.mapper().readTree(json), latencyCounted);
    }
}
