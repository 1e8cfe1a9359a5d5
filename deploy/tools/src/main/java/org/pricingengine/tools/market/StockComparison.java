package org.pricingengine.tools.market;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.tools.charts.BarChart;

/**
 * The same stock-limited world played with the job's stock rule on and off, side by side: what each
 * run sold (realized: drawn purchases), lost to stock-outs and kept in stock at the end, the share of
 * decisions the stock rule marked, and the truth ledger's expected margin (which does not know stock).
 */
final class StockComparison {
    private StockComparison() {}

    /** One run: its variant name, whether the stock rule was on, and what the loop found. */
    record Run(String variant, boolean stockEnabled, LoopResult result, LoopReport.StockReport stock) {}

    /** One run's figures in the comparison. */
    @JsonPropertyOrder({
        "variant",
        "stock_enabled",
        "decisions",
        "low_stock_share",
        "overstock_share",
        "discounted_share",
        "units_sold",
        "revenue",
        "margin",
        "lost_sales",
        "lost_revenue",
        "lost_margin",
        "sellouts",
        "items_out_of_stock_at_end",
        "initial_units",
        "replenished_units",
        "units_left",
        "units_left_by_class",
        "units_sold_by_class",
        "expected_margin_per_request",
        "guardrail_violations"
    })
    record Row(
            @JsonProperty("variant") String variant,
            @JsonProperty("stock_enabled") boolean stockEnabled,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("low_stock_share") double lowStockShare,
            @JsonProperty("overstock_share") double overstockShare,
            @JsonProperty("discounted_share") double discountedShare,
            @JsonProperty("units_sold") long unitsSold,
            @JsonProperty("revenue") double revenue,
            @JsonProperty("margin") double margin,
            @JsonProperty("lost_sales") long lostSales,
            @JsonProperty("lost_revenue") double lostRevenue,
            @JsonProperty("lost_margin") double lostMargin,
            @JsonProperty("sellouts") long sellouts,
            @JsonProperty("items_out_of_stock_at_end") long itemsOutOfStockAtEnd,
            @JsonProperty("initial_units") long initialUnits,
            @JsonProperty("replenished_units") long replenishedUnits,
            @JsonProperty("units_left") long unitsLeft,
            @JsonProperty("units_left_by_class") Map<String, Long> unitsLeftByClass,
            @JsonProperty("units_sold_by_class") Map<String, Long> unitsSoldByClass,
            @JsonProperty("expected_margin_per_request") double expectedMarginPerRequest,
            @JsonProperty("guardrail_violations") long guardrailViolations) {}

    /** The comparison ({@code stock-comparison.json}, the {@code stock-comparison: {json}} line). */
    @JsonPropertyOrder({"world", "seed", "requests", "time_scaled_options", "runs"})
    record Result(
            @JsonProperty("world") String world,
            @JsonProperty("seed") long seed,
            @JsonProperty("requests") long requests,
            @JsonProperty("time_scaled_options") Map<String, String> timeScaledOptions,
            @JsonProperty("runs") List<Row> runs) {}

    static Result of(World world, long requests, Map<String, String> timeScaled, List<Run> runs) {
        String low = ReasonCode.LOW_STOCK.code();
        String over = ReasonCode.OVERSTOCK.code();
        List<Row> rows = new ArrayList<>();
        for (Run r : runs) {
            StockLedger.ClassResult t = r.stock().stock().total();
            Map<String, Long> left = new LinkedHashMap<>();
            Map<String, Long> sold = new LinkedHashMap<>();
            for (StockLedger.ClassResult c : r.stock().stock().classes()) {
                if (!c.name().equals(StockLedger.UNLIMITED)) {
                    left.put(c.name(), c.unitsLeft());
                }
                sold.put(c.name(), c.unitsSold());
            }
            rows.add(new Row(
                    r.variant(),
                    r.stockEnabled(),
                    r.stock().decisions(),
                    LoopReport.round(r.stock().share(low)),
                    LoopReport.round(r.stock().share(over)),
                    r.result().discountedShare(),
                    t.unitsSold(),
                    t.revenue(),
                    t.margin(),
                    t.lostSales(),
                    t.lostRevenue(),
                    t.lostMargin(),
                    t.sellouts(),
                    t.itemsOutOfStockAtEnd(),
                    t.initialUnits(),
                    t.replenishedUnits(),
                    t.unitsLeft(),
                    left,
                    sold,
                    r.result().marginPolicy(),
                    r.result().guardrailViolations()));
        }
        return new Result(world.name(), world.seed(), requests, timeScaled, rows);
    }

    /** Writes stock-comparison.json, stock-comparison.md and stock-comparison.png into {@code dir}. */
    static void write(Path dir, Result r) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("stock-comparison.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        Files.writeString(dir.resolve("stock-comparison.md"), markdown(r));
        BarChart chart = BarChart.horizontal(
                "Realized and lost margin: world " + r.world() + ", " + String.format(Locale.ROOT, "%,d", r.requests())
                        + " requests",
                "margin");
        for (Row row : r.runs()) {
            chart.add(row.variant() + ": realized margin", Math.max(0, row.margin()), 0);
            chart.add(row.variant() + ": margin lost to stock-outs", Math.max(0, row.lostMargin()), 1);
        }
        chart.writePng(dir.resolve("stock-comparison.png"));
    }

    static String markdown(Result r) {
        StringBuilder m = new StringBuilder();
        m.append("# Stock rule on and off: world ")
                .append(r.world())
                .append(String.format(Locale.ROOT, ", seed %d, %,d requests per run%n%n", r.seed(), r.requests()));
        if (!r.timeScaledOptions().isEmpty()) {
            m.append("Job options scaled to the loop's time: ");
            List<String> opts = new ArrayList<>();
            r.timeScaledOptions().forEach((k, v) -> opts.add("`" + k + "=" + v + "`"));
            m.append(String.join(", ", opts)).append(".\n\n");
        }
        m.append("| |");
        r.runs().forEach(row -> m.append(' ').append(row.variant()).append(" |"));
        boolean pair = r.runs().size() == 2;
        if (pair) {
            m.append(" difference |");
        }
        m.append("\n|---|");
        r.runs().forEach(row -> m.append("---:|"));
        if (pair) {
            m.append("---:|");
        }
        m.append('\n');
        line(m, r, "LOW_STOCK decisions", row -> row.lowStockShare() * 100, "%.2f%%");
        line(m, r, "OVERSTOCK decisions", row -> row.overstockShare() * 100, "%.2f%%");
        line(m, r, "discounted (last half)", row -> row.discountedShare() * 100, "%.1f%%");
        line(m, r, "units sold", row -> (double) row.unitsSold(), "%,.0f");
        line(m, r, "revenue", Row::revenue, "%,.2f");
        line(m, r, "realized margin", Row::margin, "%,.2f");
        line(m, r, "lost sales (stock-outs)", row -> (double) row.lostSales(), "%,.0f");
        line(m, r, "lost revenue", Row::lostRevenue, "%,.2f");
        line(m, r, "lost margin", Row::lostMargin, "%,.2f");
        line(m, r, "sell-outs (an item reaching 0)", row -> (double) row.sellouts(), "%,.0f");
        line(m, r, "items out of stock at the end", row -> (double) row.itemsOutOfStockAtEnd(), "%,.0f");
        line(m, r, "units left at the end", row -> (double) row.unitsLeft(), "%,.0f");
        if (!r.runs().isEmpty()) {
            for (String c : r.runs().get(0).unitsLeftByClass().keySet()) {
                line(
                        m,
                        r,
                        "units left: " + c,
                        row -> (double) row.unitsLeftByClass().getOrDefault(c, 0L),
                        "%,.0f");
            }
            for (String c : r.runs().get(0).unitsSoldByClass().keySet()) {
                line(
                        m,
                        r,
                        "units sold: " + c,
                        row -> (double) row.unitsSoldByClass().getOrDefault(c, 0L),
                        "%,.0f");
            }
        }
        line(m, r, "expected margin per request (truth ledger, ignores stock)", Row::expectedMarginPerRequest, "%.4f");
        line(m, r, "guardrail violations", row -> (double) row.guardrailViolations(), "%,.0f");
        m.append("\nRealized figures count the purchases the shoppers drew (same seed: the same draw for the same "
                + "request in both runs, at whatever price each job quoted); a lost sale is a purchase drawn for "
                + "an item out of stock, its margin at the quoted price.\n");
        return m.toString();
    }

    private static void line(StringBuilder m, Result r, String name, Function<Row, Double> f, String format) {
        m.append("| ").append(name).append(" |");
        for (Row row : r.runs()) {
            m.append(' ')
                    .append(String.format(Locale.ROOT, format, f.apply(row)))
                    .append(" |");
        }
        if (r.runs().size() == 2) {
            double d = f.apply(r.runs().get(0)) - f.apply(r.runs().get(1));
            m.append(' ')
                    .append(d >= 0 ? "+" : "")
                    .append(String.format(Locale.ROOT, format, d))
                    .append(" |");
        }
        m.append('\n');
    }
}
