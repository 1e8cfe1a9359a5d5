package org.pricingengine.tools.market;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.charts.LineChart;
import org.pricingengine.tools.rollout.CandidateValidator;
import org.pricingengine.tools.rollout.ModelRollout;

/**
 * Turns the truth ledger of a round into its result, its tables, a markdown report and a learning-curve
 * chart. Margins are means per request; "last half" is the second half of the requests in the order
 * they were sent.
 */
public final class LoopReport {
    private LoopReport() {}

    /** What the loop counted besides the ledger. */
    public record Counts(
            long requests,
            long duplicateDecisions,
            long duplicateMismatches,
            long retriesSent,
            long outcomes,
            long outcomesWithExperiment,
            long decisionsWithoutOutcome,
            long attributionMismatches,
            long purchasesDrawn,
            long purchasesAttributed,
            double elapsedS) {}

    /**
     * @param endOfTimeMs event time of the round's last records: a following round starts after it
     * @param stock what the market's stock sold, lost and kept, and the decisions' reason codes (null
     *     before the loop adds it)
     */
    public record Summary(LoopResult result, LoopResult.Details details, long endOfTimeMs, StockReport stock) {
        Summary(LoopResult result, LoopResult.Details details) {
            this(result, details, 0, null);
        }

        Summary withEndOfTime(long ms) {
            return new Summary(result, details, ms, stock);
        }

        Summary withStock(StockReport report) {
            return new Summary(result, details, endOfTimeMs, report);
        }
    }

    /**
     * Realized sales under the world's stock ({@code stock}: drawn purchases, not expected margins, so a
     * lost sale is a purchase the shopper drew and could not make), and how often each reason code was
     * on the round's decisions ({@code reason_codes}, over {@code decisions}).
     */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"decisions", "reason_codes", "stock"})
    public record StockReport(
            @com.fasterxml.jackson.annotation.JsonProperty("decisions")
            long decisions,

            @com.fasterxml.jackson.annotation.JsonProperty("reason_codes")
            Map<String, Long> reasonCodes,

            @com.fasterxml.jackson.annotation.JsonProperty("stock")
            StockLedger.Result stock) {

        /** Share of the decisions carrying {@code code}. */
        public double share(String code) {
            return decisions == 0 ? 0 : (double) reasonCodes.getOrDefault(code, 0L) / decisions;
        }
    }

    /** @param uniformDiscounts the discounts each entry's {@code uniform} margins are for */
    static Summary summarise(
            String world,
            String modelVersion,
            int round,
            List<TruthLedger.Entry> all,
            Counts c,
            double[] uniformDiscounts) {
        long n = Math.max(
                c.requests(), all.stream().mapToLong(e -> e.seq() + 1).max().orElse(0));
        List<TruthLedger.Entry> half =
                all.stream().filter(e -> e.seq() >= n / 2).toList();
        double[] uniformTotals = new double[uniformDiscounts.length];
        for (TruthLedger.Entry e : half) {
            for (int k = 0; k < uniformTotals.length; k++) {
                uniformTotals[k] += e.uniform()[k];
            }
        }
        final int bestK = bestUniform(half);
        double policy = mean(half, TruthLedger.Entry::policy);
        double list = mean(half, TruthLedger.Entry::list);
        double uniform = mean(half, e -> e.uniform()[bestK]);
        double oracle = mean(half, TruthLedger.Entry::oracle);
        double greedy = mean(half, TruthLedger.Entry::noExploration);
        Double gap = oracle - list > 1e-12 ? round((policy - list) / (oracle - list)) : null;
        long priced = half.stream().filter(TruthLedger.Entry::priced).count();
        long holdout = all.stream().filter(e -> "holdout".equals(e.group())).count();
        // The holdout is part of what the job does (list price, so lift stays measurable): the headline
        // counts it; the same comparison without it says what the learned prices themselves earn.
        List<TruthLedger.Entry> policyGroup =
                half.stream().filter(e -> !"holdout".equals(e.group())).toList();
        LoopResult result = new LoopResult(
                world,
                modelVersion,
                round,
                c.requests(),
                all.size(),
                all.stream().filter(TruthLedger.Entry::hasExperiment).count(),
                c.duplicateDecisions(),
                c.duplicateMismatches(),
                c.retriesSent(),
                c.outcomes(),
                c.outcomesWithExperiment(),
                c.decisionsWithoutOutcome(),
                c.attributionMismatches(),
                c.purchasesDrawn(),
                c.purchasesAttributed(),
                round(policy),
                round(list),
                round(uniform),
                uniformDiscounts[bestK],
                round(oracle),
                round(greedy),
                gap,
                round(policy - list),
                round(clusterLowerBound(half, e -> e.policy() - e.list())),
                round(policy - uniform),
                round(clusterLowerBound(half, e -> e.policy() - e.uniform()[bestK])),
                round(share(half, TruthLedger.Entry::exploration)),
                greedy > 1e-12 ? round((greedy - policy) / greedy) : null,
                round(all.isEmpty() ? 0 : (double) holdout / all.size()),
                round(
                        priced == 0
                                ? 0
                                : (double) half.stream()
                                                .filter(TruthLedger.Entry::discounted)
                                                .count()
                                        / priced),
                all.stream().filter(TruthLedger.Entry::guardrailViolation).count(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Math.round(c.elapsedS() * 10) / 10.0);
        List<Double> uniformMargins = new ArrayList<>();
        for (double t : uniformTotals) {
            uniformMargins.add(round(half.isEmpty() ? 0 : t / half.size()));
        }
        LoopResult.Details details = new LoopResult.Details(
                curve(all, n, bestK),
                groups(half, TruthLedger.Entry::segment, uniformDiscounts),
                groups(half, TruthLedger.Entry::group, uniformDiscounts),
                dispersion(half),
                new LoopResult.Violations(
                        all.stream()
                                .filter(TruthLedger.Entry::outsideDecisionBounds)
                                .count(),
                        all.stream()
                                .filter(TruthLedger.Entry::outsideHardBounds)
                                .count(),
                        all.stream().filter(TruthLedger.Entry::holdoutOffList).count()),
                uniformMargins,
                round(bestSegmentDiscounts(half)),
                round(mean(policyGroup, e -> e.policy() - e.uniform()[bestK])),
                round(clusterLowerBound(policyGroup, e -> e.policy() - e.uniform()[bestK])));
        return new Summary(result, details);
    }

    private static List<LoopResult.Tenth> curve(List<TruthLedger.Entry> all, long n, int bestK) {
        List<List<TruthLedger.Entry>> tenths = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            tenths.add(new ArrayList<>());
        }
        for (TruthLedger.Entry e : all) {
            tenths.get((int) Math.min(9, e.seq() * 10 / Math.max(1, n))).add(e);
        }
        List<LoopResult.Tenth> out = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            List<TruthLedger.Entry> part = tenths.get(t);
            out.add(new LoopResult.Tenth(
                    t + 1,
                    part.size(),
                    round(mean(part, TruthLedger.Entry::policy)),
                    round(mean(part, TruthLedger.Entry::list)),
                    round(mean(part, e -> e.uniform()[bestK])),
                    round(mean(part, TruthLedger.Entry::oracle)),
                    round(mean(part, TruthLedger.Entry::noExploration))));
        }
        return out;
    }

    private static List<LoopResult.Group> groups(
            List<TruthLedger.Entry> half,
            java.util.function.Function<TruthLedger.Entry, String> key,
            double[] uniformDiscounts) {
        Map<String, List<TruthLedger.Entry>> by = new TreeMap<>();
        for (TruthLedger.Entry e : half) {
            if (e.priced()) {
                by.computeIfAbsent(key.apply(e), k -> new ArrayList<>()).add(e);
            }
        }
        List<LoopResult.Group> out = new ArrayList<>();
        by.forEach((name, es) -> {
            int best = bestUniform(es);
            List<TruthLedger.Entry> learned = es.stream()
                    .filter(e -> Double.isFinite(e.learnedSensitivity()))
                    .toList();
            out.add(new LoopResult.Group(
                    name,
                    es.size(),
                    round(mean(es, TruthLedger.Entry::priceRatio)),
                    round(share(es, TruthLedger.Entry::discounted)),
                    round(mean(es, TruthLedger.Entry::policy)),
                    round(mean(es, TruthLedger.Entry::list)),
                    uniformDiscounts.length == 0 ? 0 : uniformDiscounts[best],
                    uniformDiscounts.length == 0 ? 0 : round(mean(es, e -> e.uniform()[best])),
                    round(mean(es, TruthLedger.Entry::trueSensitivity)),
                    learned.isEmpty() ? null : round(mean(learned, TruthLedger.Entry::learnedSensitivity))));
        });
        return out;
    }

    /** Index of the uniform discount that earns most on {@code es} in hindsight. */
    private static int bestUniform(List<TruthLedger.Entry> es) {
        if (es.isEmpty() || es.get(0).uniform().length == 0) {
            return 0;
        }
        double[] totals = new double[es.get(0).uniform().length];
        for (TruthLedger.Entry e : es) {
            for (int k = 0; k < totals.length; k++) {
                totals[k] += e.uniform()[k];
            }
        }
        int best = 0;
        for (int k = 1; k < totals.length; k++) {
            if (totals[k] > totals[best] + 1e-9) {
                best = k;
            }
        }
        return best;
    }

    /**
     * Margin per request of one discount per segment, each chosen in hindsight: what the segments allow
     * a policy that prices segments and not requests, for a reader to place the job between the best
     * uniform discount and the oracle.
     */
    private static double bestSegmentDiscounts(List<TruthLedger.Entry> half) {
        if (half.isEmpty()) {
            return 0;
        }
        Map<String, List<TruthLedger.Entry>> by = new TreeMap<>();
        for (TruthLedger.Entry e : half) {
            if (e.priced()) {
                by.computeIfAbsent(e.segment(), k -> new ArrayList<>()).add(e);
            }
        }
        double total = 0;
        for (List<TruthLedger.Entry> es : by.values()) {
            int best = bestUniform(es);
            for (TruthLedger.Entry e : es) {
                total += e.uniform()[best];
            }
        }
        return total / half.size();
    }

    private static LoopResult.Dispersion dispersion(List<TruthLedger.Entry> half) {
        Map<String, double[]> byItem = new HashMap<>();
        for (TruthLedger.Entry e : half) {
            if (e.priced()) {
                double[] s = byItem.computeIfAbsent(e.itemId(), k -> new double[3]);
                s[0]++;
                s[1] += e.priceRatio();
                s[2] += e.priceRatio() * e.priceRatio();
            }
        }
        List<Double> sds = new ArrayList<>();
        for (double[] s : byItem.values()) {
            if (s[0] >= 2) {
                double m = s[1] / s[0];
                sds.add(Math.sqrt(Math.max(0, s[2] / s[0] - m * m)));
            }
        }
        sds.sort(null);
        if (sds.isEmpty()) {
            return new LoopResult.Dispersion(0, 0, 0, 0);
        }
        return new LoopResult.Dispersion(
                sds.size(),
                round(sds.stream().mapToDouble(Double::doubleValue).average().orElse(0)),
                round(sds.get((int) Math.min(sds.size() - 1, Math.ceil(0.9 * sds.size()) - 1))),
                round(sds.get(sds.size() - 1)));
    }

    /**
     * 95% lower bound of the mean of {@code diff} per request, with the variance clustered by shopper:
     * a shopper's requests share the shopper's hidden taste and so are not independent.
     */
    static double clusterLowerBound(List<TruthLedger.Entry> entries, ToDoubleFunction<TruthLedger.Entry> diff) {
        int n = entries.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mean = mean(entries, diff);
        Map<Integer, Double> byShopper = new HashMap<>();
        for (TruthLedger.Entry e : entries) {
            byShopper.merge(e.shopper(), diff.applyAsDouble(e) - mean, Double::sum);
        }
        int clusters = byShopper.size();
        if (clusters < 2) {
            return Double.NaN;
        }
        double sumSquares = 0;
        for (double s : byShopper.values()) {
            sumSquares += s * s;
        }
        double variance = sumSquares / ((double) n * n) * clusters / (clusters - 1.0);
        return mean - 1.959964 * Math.sqrt(variance);
    }

    static double mean(List<TruthLedger.Entry> es, ToDoubleFunction<TruthLedger.Entry> f) {
        return es.isEmpty() ? 0 : es.stream().mapToDouble(f).sum() / es.size();
    }

    private static double share(List<TruthLedger.Entry> es, java.util.function.Predicate<TruthLedger.Entry> p) {
        return es.isEmpty() ? 0 : (double) es.stream().filter(p).count() / es.size();
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e5) / 1e5 : v;
    }

    /** Writes report.md, learning-curve.png, loop.json and loop-details.json into {@code dir}. */
    public static void write(Path dir, Summary s, World world) throws IOException {
        Files.createDirectories(dir);
        LoopResult r = s.result();
        LoopResult.Details d = s.details();
        double[] x = new double[d.curve().size()];
        double[][] y = new double[4][x.length];
        for (int i = 0; i < x.length; i++) {
            LoopResult.Tenth t = d.curve().get(i);
            x[i] = t.tenth() * 10;
            y[0][i] = t.policy();
            y[1][i] = t.list();
            y[2][i] = t.bestUniform();
            y[3][i] = t.oracle();
        }
        new LineChart(
                        "True expected margin per request: world " + r.world() + ", model " + r.modelVersion(),
                        "share of the traffic (%)",
                        "margin per request",
                        false)
                .add("policy", x, y[0])
                .add("list price", x, y[1])
                .add(String.format(Locale.ROOT, "uniform -%.0f%%", r.bestUniformDiscount() * 100), x, y[2])
                .add("oracle", x, y[3])
                .writePng(dir.resolve("learning-curve.png"));
        Files.writeString(
                dir.resolve("loop.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        Files.writeString(
                dir.resolve("loop-details.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(d));
        String md = markdown(s, world);
        if (s.stock() != null) {
            Files.writeString(
                    dir.resolve("stock.json"),
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(s.stock()));
            md += stockMarkdown(s.stock());
        }
        Files.writeString(dir.resolve("report.md"), md);
    }

    /** The stock section of a round's report: realized sales, lost sales and units left by class. */
    static String stockMarkdown(StockReport r) {
        StringBuilder m = new StringBuilder("\n## Stock (realized: drawn purchases)\n\n");
        m.append(
                "| class | items | initial units | replenished | sold | revenue | margin | lost sales | lost margin | sell-outs | out of stock at end | units left |\n");
        m.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<StockLedger.ClassResult> rows = new ArrayList<>(r.stock().classes());
        rows.add(r.stock().total());
        for (StockLedger.ClassResult c : rows) {
            m.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %,d | %,d | %,.2f | %,.2f | %,d | %,.2f | %,d | %,d | %,d |%n",
                    c.name(),
                    c.items(),
                    c.initialUnits(),
                    c.replenishedUnits(),
                    c.unitsSold(),
                    c.revenue(),
                    c.margin(),
                    c.lostSales(),
                    c.lostMargin(),
                    c.sellouts(),
                    c.itemsOutOfStockAtEnd(),
                    c.unitsLeft()));
        }
        m.append("\nReason codes on the ")
                .append(String.format(Locale.ROOT, "%,d", r.decisions()))
                .append(" decisions: ");
        List<String> codes = new ArrayList<>();
        new TreeMap<>(r.reasonCodes())
                .forEach((k, v) -> codes.add(
                        String.format(Locale.ROOT, "`%s` %.2f%%", k, 100.0 * v / Math.max(1, r.decisions()))));
        m.append(String.join(", ", codes)).append(".\n");
        return m.toString();
    }

    static String markdown(Summary s, World world) {
        LoopResult r = s.result();
        LoopResult.Details d = s.details();
        StringBuilder m = new StringBuilder();
        m.append("# Closed-loop market: world ")
                .append(r.world())
                .append(", model ")
                .append(r.modelVersion())
                .append(", round ")
                .append(r.round())
                .append("\n\n");
        if (world.description() != null) {
            m.append(world.description()).append("\n\n");
        }
        m.append(String.format(
                Locale.ROOT,
                "%,d requests, %,d decisions (%,d with an experiment), %,d feedback outcomes; %.0f s.%n%n",
                r.requests(),
                r.decisions(),
                r.decisionsWithExperiment(),
                r.outcomes(),
                r.elapsedS()));
        m.append(
                "True expected margin per request over the last half (paired: every policy on the same requests):\n\n");
        m.append("| policy | margin / request | vs list |\n|---|---:|---:|\n");
        row(m, "the job's policy", r.marginPolicy(), r.marginList());
        row(m, "list price", r.marginList(), r.marginList());
        row(
                m,
                String.format(
                        Locale.ROOT, "best uniform discount (%.0f%%, in hindsight)", r.bestUniformDiscount() * 100),
                r.marginBestUniform(),
                r.marginList());
        row(m, "best discount per segment (in hindsight)", d.marginBestSegmentDiscounts(), r.marginList());
        row(m, "oracle (best candidate under the truth)", r.marginOracle(), r.marginList());
        row(m, "no exploration (greedy at the posterior mean)", r.marginNoExploration(), r.marginList());
        m.append(String.format(
                Locale.ROOT,
                "%ngap closed %s; lift vs list %.5f (95%% lower bound %.5f); lift vs best uniform %.5f (95%% lower bound %.5f); "
                        + "exploration share %.3f, exploration cost %s; holdout share %.3f; discounted share %.3f; "
                        + "guardrail violations %d.%n%n",
                r.gapClosed() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", r.gapClosed()),
                r.liftVsList(),
                r.liftVsListCiLow(),
                r.liftVsUniform(),
                r.liftVsUniformCiLow(),
                r.explorationShare(),
                r.explorationCost() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", r.explorationCost()),
                r.holdoutShare(),
                r.discountedShare(),
                r.guardrailViolations()));
        m.append(String.format(
                Locale.ROOT,
                "Outside the holdout (the learned prices alone, on the same requests): lift vs best uniform %.5f "
                        + "(95%% lower bound %.5f).%n%n",
                d.policyGroupLiftVsUniform(),
                d.policyGroupLiftVsUniformCiLow()));
        m.append("## Learning curve\n\n![learning curve](learning-curve.png)\n\n");
        m.append(
                "| tenth | decisions | policy | list | best uniform | oracle | no exploration |\n|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LoopResult.Tenth t : d.curve()) {
            m.append(String.format(
                    Locale.ROOT,
                    "| %d | %,d | %.5f | %.5f | %.5f | %.5f | %.5f |%n",
                    t.tenth(),
                    t.decisions(),
                    t.policy(),
                    t.list(),
                    t.bestUniform(),
                    t.oracle(),
                    t.noExploration()));
        }
        m.append("\n## Prices by segment (last half)\n\n");
        groupTable(m, d.segments());
        m.append("\n## Prices by group (last half)\n\n");
        groupTable(m, d.groups());
        LoopResult.Dispersion disp = d.dispersion();
        m.append(String.format(
                Locale.ROOT,
                "%n## Price dispersion within items (last half)%n%nsd of price / list within an item, over %,d items "
                        + "with at least two priced decisions: mean %.4f, 90th percentile %.4f, max %.4f.%n",
                disp.items(),
                disp.meanSd(),
                disp.p90Sd(),
                disp.maxSd()));
        LoopResult.Violations v = d.violations();
        m.append(String.format(
                Locale.ROOT,
                "%n## Guardrails%n%n| check | decisions |%n|---|---:|%n| price outside the decision's [floor, ceiling] | %d |%n"
                        + "| price outside the job's hard bounds | %d |%n| holdout shopper not at list price (clamped) | %d |%n",
                v.outsideDecisionBounds(),
                v.outsideHardBounds(),
                v.holdoutOffList()));
        m.append(String.format(
                Locale.ROOT,
                "%n## Mechanics%n%nduplicate decisions %d (not identical: %d; client retries sent %d); decisions without "
                        + "outcome %d; outcomes with an experiment %d; purchases drawn %d, attributed %d; drawn outcome "
                        + "and attributed outcome differ for %d decisions.%n",
                r.duplicateDecisions(),
                r.duplicateMismatches(),
                r.retriesSent(),
                r.decisionsWithoutOutcome(),
                r.outcomesWithExperiment(),
                r.purchasesDrawn(),
                r.purchasesAttributed(),
                r.attributionMismatches()));
        m.append("\nloop: ").append(Json.toJson(r)).append('\n');
        return m.toString();
    }

    private static void row(StringBuilder m, String name, double margin, double list) {
        m.append(String.format(
                Locale.ROOT,
                "| %s | %.5f | %s |%n",
                name,
                margin,
                list > 1e-12 ? String.format(Locale.ROOT, "%+.1f%%", 100 * (margin / list - 1)) : "n/a"));
    }

    private static void groupTable(StringBuilder m, List<LoopResult.Group> groups) {
        m.append("| name | decisions | mean price / list | discounted share | margin policy | margin list "
                + "| best discount (hindsight) | its margin | sensitivity: true | learned |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LoopResult.Group g : groups) {
            m.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %.4f | %.3f | %.5f | %.5f | %.0f%% | %.5f | %.2f | %s |%n",
                    g.name(),
                    g.decisions(),
                    g.meanPriceRatio(),
                    g.discountedShare(),
                    g.marginPolicy(),
                    g.marginList(),
                    g.bestDiscount() * 100,
                    g.marginBestDiscount(),
                    g.trueSensitivity(),
                    g.learnedSensitivity() == null ? "-" : String.format(Locale.ROOT, "%.2f", g.learnedSensitivity())));
        }
    }

    /** The report of a loop with two rounds: each round's figures, retraining, the rollout and its gate. */
    static String rounds(World world, List<LearningLoop.RoundRun> rounds, LearningLoop.Retrained retrained) {
        StringBuilder md = new StringBuilder();
        md.append("# Learning loop: ")
                .append(world.name())
                .append(", ")
                .append(rounds.size())
                .append(" rounds\n\n");
        if (world.description() != null) {
            md.append(world.description()).append("\n\n");
        }
        md.append(
                "True expected margin per request over the last half of each round (paired on the same requests).\n\n");
        md.append(
                "| round | model | requests | policy | list | best uniform | oracle | gap closed | lift vs list (95% low) "
                        + "| lift vs uniform (95% low) | exploration cost | discounted | guardrail violations |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LearningLoop.RoundRun r : rounds) {
            LoopResult x = r.result();
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %,d | %.4f | %.4f | %.4f (%.0f%% off) | %.4f | %s | %.4f (%.4f) | %.4f (%.4f) | %s | %.3f | %d |%n",
                    x.round(),
                    x.modelVersion(),
                    x.requests(),
                    x.marginPolicy(),
                    x.marginList(),
                    x.marginBestUniform(),
                    100 * x.bestUniformDiscount(),
                    x.marginOracle(),
                    x.gapClosed() == null ? "n/a" : String.format(Locale.ROOT, "%.3f", x.gapClosed()),
                    x.liftVsList(),
                    x.liftVsListCiLow(),
                    x.liftVsUniform(),
                    x.liftVsUniformCiLow(),
                    x.explorationCost() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", x.explorationCost()),
                    x.discountedShare(),
                    x.guardrailViolations()));
        }
        md.append(
                "\nOff-policy evaluation of a policy the job did not run, on each round's own log (90% interval):\n\n");
        md.append("| round | policy | requests | ESS | DR | interval | truth |\n|---:|---|---:|---:|---:|---|---:|\n");
        for (LearningLoop.RoundRun r : rounds) {
            LoopResult x = r.result();
            if (x.opeDr() != null) {
                md.append(String.format(
                        Locale.ROOT,
                        "| %d | %s | %,d | %.0f | %.4f | [%.4f, %.4f] | %.4f |%n",
                        x.round(),
                        x.opePolicy(),
                        x.opeRequests(),
                        x.opeEss(),
                        x.opeDr(),
                        x.opeCiLow(),
                        x.opeCiHigh(),
                        x.opeTrue()));
            }
        }
        if (retrained != null) {
            md.append("\n## Retraining from round 1's feedback\n\n")
                    .append(String.format(
                            Locale.ROOT,
                            "Candidate `%s`, trained in %.0f s on the latest randomized decisions: `%s`%n",
                            retrained.version(),
                            retrained.seconds(),
                            Json.toJson(retrained.examples())));
        }
        for (LearningLoop.RoundRun r : rounds) {
            if (r.rollout() != null) {
                ModelRollout.Outcome o = r.rollout();
                md.append("\n## Rollout during round ")
                        .append(r.result().round())
                        .append("\n\n");
                md.append(String.format(
                        Locale.ROOT,
                        "%s -> %s: **%s**%s%n%n",
                        o.from(),
                        o.to(),
                        o.outcome(),
                        o.problems().isEmpty() ? "" : " (" + String.join("; ", o.problems()) + ")"));
                CandidateValidator.Figures v = o.figures().validation().get(o.to());
                if (v != null) {
                    md.append("Validation figures, the off-policy gate's included:\n\n```json\n")
                            .append(Json.toJson(v))
                            .append("\n```\n");
                }
            }
        }
        md.append("\nEach round's full report: ");
        for (LearningLoop.RoundRun r : rounds) {
            md.append("[round ")
                    .append(r.result().round())
                    .append("](round-")
                    .append(r.result().round())
                    .append("/report.md) ");
        }
        md.append("\n");
        return md.toString();
    }
}
