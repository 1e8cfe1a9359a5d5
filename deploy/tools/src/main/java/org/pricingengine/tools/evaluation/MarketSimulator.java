package org.pricingengine.tools.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.features.state.Hashing;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceBounds;
import org.pricingengine.job.policy.PricingPolicy;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * A semi-synthetic market: real shoppers and requests, a demand curve the simulator knows.
 *
 * <p>The population is the scorable price requests of a REES46 log (by default the held-out period of
 * the bundled file): real users with their real histories, real items and list prices, features from
 * the job's own code. Each request gets a true curve {@code P(p) = sigmoid(a - b ln(p / L))}:
 * <ul>
 *   <li>{@code a}: the purchase log-odds at list price from the served model, plus a shopper effect
 *       drawn once per user (sd {@code userNoise}) that no model sees, so the model is right about
 *       demand on average but not for each shopper;</li>
 *   <li>{@code b}: price sensitivity, not learnable from this data (see training README), so it is an
 *       assumption of the simulator: {@code b = bMedian * exp(0.6 * z)}, where z rises with the
 *       shopper's observable bargain hunting (share of remove-from-cart among their events before the
 *       request) and falls with the number of their past purchases, plus per-user noise.</li>
 * </ul>
 * Unit cost is the job's assumption ({@code pricing.cost-ratio} x list price). Four policies price
 * every request inside the same guardrails: list price; the best single uniform discount (chosen with
 * the true curves, so an upper bound for any uniform discount); the job's policy with the served model;
 * and the oracle (per request optimum under the true curve). Expected conversion, revenue and margin
 * are sums of true probabilities, so no sampling noise.
 *
 * <p>What it can show: how much of the oracle's margin the job's policy captures, given how wrong the
 * model's price response is relative to the assumed truth. What it cannot show: whether real shoppers
 * respond like the assumed curves; the result moves with {@code bMedian}.
 */
public final class MarketSimulator {
    private MarketSimulator() {}

    public record Policy(
            String name,
            double margin,
            double revenue,
            double conversions,
            double shareOfOracleMargin,
            double discountedShare,
            double meanPriceRatio,
            double withinItemPriceDispersion,
            long guardrailViolations) {}

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "model-assets/training/simulate.sh",
                    "Prices a semi-synthetic market with list price, the best uniform discount, the job's policy and the oracle.")
            .required("model", "the model version")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option(
                    "data",
                    "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv",
                    "the REES46 log the market comes from")
            .option("from", "2019-11-01T00:00:00Z", "requests from this ISO time on")
            .option("b-median", "2.5", "the assumed median price sensitivity")
            .option("user-noise", "0.5", "sd of the per-shopper effect no model sees")
            .option("seed", "7", "the random seed")
            .option("json-out", null, "also write the result JSON to this file");

    /** The {@code simulation: {json}} line. */
    @JsonPropertyOrder({
        "model_version",
        "requests",
        "b_median",
        "user_noise",
        "seed",
        "best_uniform_discount",
        "policies"
    })
    public record Result(
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("requests") int requests,
            @JsonProperty("b_median") double bMedian,
            @JsonProperty("user_noise") double userNoise,
            @JsonProperty("seed") long seed,
            @JsonProperty("best_uniform_discount") double bestUniformDiscount,
            @JsonProperty("policies") List<Policy> policies) {}

    public static void main(String[] args) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(args);
        Result result = simulate(
                a.path("data"),
                a.path("model-dir"),
                a.string("model"),
                Instant.parse(a.string("from")).toEpochMilli(),
                a.decimal("b-median"),
                a.decimal("user-noise"),
                a.longValue("seed"),
                PricingConfig.defaults());
        String json = Json.toJson(result);
        if (a.given("json-out")) {
            java.nio.file.Files.writeString(a.path("json-out"), json);
        }
        System.out.println("simulation: " + json);
    }

    public static Result simulate(
            Path data,
            Path modelRoot,
            String version,
            long fromMs,
            double bMedian,
            double userNoise,
            long seed,
            PricingConfig config)
            throws Exception {
        ScoredExamples scored = ScoredExamples.of(data, modelRoot, version, fromMs);
        List<TrainingExampleExtractor.Example> examples = scored.examples();
        int n = scored.size();
        double[] modelA = scored.baseLogit();
        double[] modelB = scored.priceSensitivity();
        PricingPolicy policy = new PricingPolicy(PolicySettings.from(config));
        double[] trueA = new double[n];
        double[] trueB = new double[n];
        ItemSnapshot[] items = new ItemSnapshot[n];
        for (int i = 0; i < n; i++) {
            TrainingExampleExtractor.Example e = examples.get(i);
            Random user = new Random(seed ^ Hashing.hash(e.userId()));
            trueA[i] = modelA[i] + userNoise * user.nextGaussian();
            trueB[i] = bMedian * Math.exp(0.6 * bargainHunting(e) + 0.3 * user.nextGaussian());
            items[i] = e.item();
        }

        PriceBounds[] bounds = new PriceBounds[n];
        for (int i = 0; i < n; i++) {
            bounds[i] = policy.bounds(items[i], null);
        }
        double[] listPrices = new double[n];
        double[] jobPrices = new double[n];
        double[] oraclePrices = new double[n];
        for (int i = 0; i < n; i++) {
            listPrices[i] = bounds[i].clamp(items[i].listPrice());
            jobPrices[i] = policy.decide(items[i], new DemandEstimate(modelA[i], modelB[i]), null, null)
                    .price();
            oraclePrices[i] = policy.decide(items[i], new DemandEstimate(trueA[i], trueB[i]), null, null)
                    .price();
        }
        double maxDiscount = config.get(PricingConfig.MAX_DISCOUNT);
        double bestUniformMargin = Double.NEGATIVE_INFINITY;
        double[] uniformPrices = listPrices;
        double bestDiscount = 0;
        for (int step = 0; step <= Math.round(maxDiscount * 100); step++) {
            double[] prices = new double[n];
            for (int i = 0; i < n; i++) {
                prices[i] = bounds[i].clamp(Math.round(items[i].listPrice() * (1 - step / 100.0) * 100) / 100.0);
            }
            double margin = totals(prices, items, trueA, trueB, policy)[0];
            if (margin > bestUniformMargin + 1e-9) {
                bestUniformMargin = margin;
                uniformPrices = prices;
                bestDiscount = step / 100.0;
            }
        }
        double oracleMargin = totals(oraclePrices, items, trueA, trueB, policy)[0];
        List<Policy> policies = List.of(
                policy("list_price", listPrices, items, trueA, trueB, policy, oracleMargin),
                policy("best_uniform_discount", uniformPrices, items, trueA, trueB, policy, oracleMargin),
                policy("job_policy", jobPrices, items, trueA, trueB, policy, oracleMargin),
                policy("oracle", oraclePrices, items, trueA, trueB, policy, oracleMargin));
        Result out = new Result(version, n, bMedian, userNoise, seed, bestDiscount, policies);
        System.out.printf(
                "semi-synthetic market: %d requests, model %s, assumed median sensitivity %.2f%n", n, version, bMedian);
        System.out.printf(
                "%-22s %12s %12s %11s %9s %10s %10s %10s%n",
                "policy", "margin", "revenue", "conversions", "% oracle", "discounted", "mean p/L", "dispersion");
        for (Policy p : policies) {
            System.out.printf(
                    "%-22s %12.2f %12.2f %11.1f %8.1f%% %9.1f%% %10.3f %10.4f%n",
                    p.name(),
                    p.margin(),
                    p.revenue(),
                    p.conversions(),
                    100 * p.shareOfOracleMargin(),
                    100 * p.discountedShare(),
                    p.meanPriceRatio(),
                    p.withinItemPriceDispersion());
        }
        return out;
    }

    /** Standardised bargain hunting seen in the history: removes from cart raise it, purchases lower it. */
    private static double bargainHunting(TrainingExampleExtractor.Example e) {
        float[] ctx = e.features().contextRaw();
        double views = Math.expm1(ctx[0]);
        double carts = Math.expm1(ctx[1]);
        double removes = Math.expm1(ctx[2]);
        double purchases = Math.expm1(ctx[3]);
        double events = views + carts + removes + purchases;
        double removeShare = events > 0 ? removes / events : 0;
        return 3 * (removeShare - 0.1) - 0.5 * Math.log1p(purchases);
    }

    private static double[] totals(
            double[] prices, ItemSnapshot[] items, double[] a, double[] b, PricingPolicy policy) {
        double margin = 0;
        double revenue = 0;
        double conversions = 0;
        for (int i = 0; i < prices.length; i++) {
            double p = new DemandEstimate(a[i], b[i]).conversionAt(prices[i], items[i].listPrice());
            margin += (prices[i] - policy.unitCost(items[i])) * p;
            revenue += prices[i] * p;
            conversions += p;
        }
        return new double[] {margin, revenue, conversions};
    }

    private static Policy policy(
            String name,
            double[] prices,
            ItemSnapshot[] items,
            double[] a,
            double[] b,
            PricingPolicy policy,
            double oracleMargin) {
        double[] t = totals(prices, items, a, b, policy);
        long discounted = 0;
        long violations = 0;
        double ratioSum = 0;
        Map<String, List<Double>> ratiosByItem = new HashMap<>();
        for (int i = 0; i < prices.length; i++) {
            double ratio = prices[i] / items[i].listPrice();
            ratioSum += ratio;
            if (ratio < 1 - 1e-9) {
                discounted++;
            }
            if (!policy.bounds(items[i], null).contains(prices[i])) {
                violations++;
            }
            ratiosByItem
                    .computeIfAbsent(items[i].itemId(), k -> new ArrayList<>())
                    .add(ratio);
        }
        double dispersion = 0;
        int itemsWithSeveral = 0;
        for (List<Double> r : ratiosByItem.values()) {
            if (r.size() > 1) {
                double mean =
                        r.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                dispersion += Math.sqrt(
                        r.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / r.size());
                itemsWithSeveral++;
            }
        }
        return new Policy(
                name,
                round(t[0]),
                round(t[1]),
                round(t[2]),
                round(t[0] / oracleMargin),
                round((double) discounted / prices.length),
                round(ratioSum / prices.length),
                round(itemsWithSeveral == 0 ? 0 : dispersion / itemsWithSeveral),
                violations);
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
