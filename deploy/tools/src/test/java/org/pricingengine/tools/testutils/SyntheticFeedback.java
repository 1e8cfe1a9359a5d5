package org.pricingengine.tools.testutils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.tools.evaluation.TargetPolicy;

/**
 * Logged feedback from a world whose truth is known: each request has a true logistic curve
 * {@code sigmoid(a - b ln(p / L))}; the logging policy knows only a wrong curve (its logged posterior-mean
 * curve: log-odds too high, price sensitivity too low) and draws among the ladder candidates with known
 * probabilities (a uniform share plus a softmax of expected margin under its curve); purchases are drawn
 * from the true curve at the quoted price. A share of requests are holdout decisions at list price
 * (not randomized). Because the truth is known, the true per-request value of any target policy on the
 * same requests is known too.
 */
public final class SyntheticFeedback {
    public static final double[] LADDER = {1.0, 0.97, 0.95, 0.92, 0.9, 0.85};
    public static final double COST_RATIO = 0.6;

    /** The world's knobs: how wrong the logged curve is and how much the logging policy explores. */
    public record World(
            double loggedLogitBias, double loggedSensitivityFactor, double uniformShare, double holdoutShare) {
        public static World standard() {
            return new World(0.4, 0.6, 0.2, 0.1);
        }
    }

    private final List<FeedbackOutcome> outcomes = new ArrayList<>();
    private final Map<String, double[]> trueCurves = new HashMap<>();

    private SyntheticFeedback() {}

    public static SyntheticFeedback generate(long seed, int users, int requestsPerUser, World world) {
        SyntheticFeedback log = new SyntheticFeedback();
        Random random = new Random(seed);
        int id = 0;
        for (int u = 0; u < users; u++) {
            String user = "u" + u;
            double userEffect = 0.5 * random.nextGaussian();
            for (int r = 0; r < requestsPerUser; r++) {
                double list = round2(Math.exp(Math.log(3) + random.nextDouble() * (Math.log(60) - Math.log(3))));
                double cost = list * COST_RATIO;
                double a = -1.0 + userEffect + 0.3 * random.nextGaussian();
                double b = 3.0 * Math.exp(0.3 * random.nextGaussian());
                double loggedA = a + world.loggedLogitBias() + 0.3 * random.nextGaussian();
                double loggedB = b * world.loggedSensitivityFactor();
                String decision = "d" + id++;
                log.trueCurves.put(decision, new double[] {a, b});
                boolean holdout = random.nextDouble() < world.holdoutShare();
                double[] candidates = holdout ? new double[] {list} : candidates(list);
                double[] probabilities =
                        holdout ? new double[] {1} : logging(candidates, list, cost, loggedA, loggedB, world);
                int chosen = draw(probabilities, random);
                double price = candidates[chosen];
                boolean bought = random.nextDouble() < sigmoid(a - b * Math.log(price / list));
                PriceExperiment experiment = new PriceExperiment(
                        "thompson-ladder",
                        holdout ? PriceExperiment.HOLDOUT : PriceExperiment.POLICY,
                        "price:1",
                        candidates,
                        probabilities,
                        chosen,
                        probabilities[chosen],
                        !holdout,
                        false,
                        candidates[candidates.length - 1],
                        list,
                        loggedA,
                        loggedB,
                        new double[] {0, 0},
                        new double[] {0.1, 0.1},
                        new double[] {0, 0},
                        1000,
                        "fs-1",
                        !holdout);
                log.outcomes.add(new FeedbackOutcome(
                        decision,
                        "req-" + decision,
                        user,
                        "item" + random.nextInt(50),
                        price,
                        list,
                        cost,
                        "v1",
                        "control",
                        false,
                        bought ? FeedbackOutcome.PURCHASE : FeedbackOutcome.NONE,
                        bought ? price : 0,
                        bought ? 60.0 : null,
                        3600,
                        1_570_000_000_000L + id * 1000L,
                        experiment));
            }
        }
        return log;
    }

    public List<FeedbackOutcome> outcomes() {
        return outcomes;
    }

    /** The true conversion probability of a decision at a price. */
    public double trueConversion(FeedbackOutcome o, double price) {
        double[] c = trueCurves.get(o.decisionId());
        return sigmoid(c[0] - c[1] * Math.log(price / o.listPrice()));
    }

    /**
     * The target's true expected margin (reward 0), revenue (1) or conversion (2) per randomized request of
     * this log that it can price.
     */
    public double trueValue(TargetPolicy target, int reward) {
        double sum = 0;
        int n = 0;
        for (FeedbackOutcome o : outcomes) {
            PriceExperiment e = o.experiment();
            if (!e.randomized()) {
                continue;
            }
            double[] pi = target.probabilities(o);
            if (pi == null) {
                continue;
            }
            n++;
            for (int a = 0; a < pi.length; a++) {
                double p = e.candidates()[a];
                double conversion = trueConversion(o, p);
                sum += pi[a]
                        * switch (reward) {
                            case 0 -> (p - o.unitCost()) * conversion;
                            case 1 -> p * conversion;
                            default -> conversion;
                        };
            }
        }
        return sum / n;
    }

    /** Picks the candidate of highest expected margin under the true curve: the best any policy can do here. */
    public TargetPolicy oracle() {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "oracle";
            }

            @Override
            public double[] probabilities(FeedbackOutcome o) {
                double[] c = o.experiment().candidates();
                int best = 0;
                for (int a = 1; a < c.length; a++) {
                    if ((c[a] - o.unitCost()) * trueConversion(o, c[a])
                            > (c[best] - o.unitCost()) * trueConversion(o, c[best])) {
                        best = a;
                    }
                }
                double[] p = new double[c.length];
                p[best] = 1;
                return p;
            }

            @Override
            public double conversionAt(FeedbackOutcome o, double price) {
                return o.experiment().conversionAt(price, o.listPrice());
            }
        };
    }

    /** Always the lowest candidate: the deepest discount the ladder allows. */
    public static TargetPolicy deepestDiscount() {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "deepest-discount";
            }

            @Override
            public double[] probabilities(FeedbackOutcome o) {
                double[] c = o.experiment().candidates();
                int lowest = 0;
                for (int a = 1; a < c.length; a++) {
                    if (c[a] < c[lowest]) {
                        lowest = a;
                    }
                }
                double[] p = new double[c.length];
                p[lowest] = 1;
                return p;
            }

            @Override
            public double conversionAt(FeedbackOutcome o, double price) {
                return o.experiment().conversionAt(price, o.listPrice());
            }
        };
    }

    private static double[] candidates(double list) {
        LinkedHashSet<Double> prices = new LinkedHashSet<>();
        for (double step : LADDER) {
            prices.add(round2(list * step));
        }
        return prices.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] logging(
            double[] candidates, double list, double cost, double loggedA, double loggedB, World world) {
        int k = candidates.length;
        double[] value = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            value[i] = (candidates[i] - cost) * sigmoid(loggedA - loggedB * Math.log(candidates[i] / list));
            max = Math.max(max, value[i]);
        }
        double[] p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp(8 * (value[i] - max) / max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] = world.uniformShare() / k + (1 - world.uniformShare()) * p[i] / sum;
        }
        return p;
    }

    private static int draw(double[] p, Random random) {
        double u = random.nextDouble();
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) {
                return i;
            }
        }
        return p.length - 1;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
