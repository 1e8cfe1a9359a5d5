package org.pricingengine.tools.market;

import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.policy.PriceBounds;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.policy.PricingPolicy;

/**
 * The true expected margin of every decision the job made, next to what other policies would have
 * earned on the very same request (paired: same shopper, same moment, same truth). Expected margins,
 * not drawn ones: {@code (p - cost) x P_true(p)}, so the comparison carries no purchase noise.
 */
final class TruthLedger {
    /**
     * The uniform discounts the best one in hindsight is chosen from: the rungs of the job's own price
     * ladder (1 - share), so that every baseline chooses among the prices the policy could quote. A finer or
     * deeper uniform grid would compare the policy with prices its ladder does not offer (the ladder is a
     * job option: a deeper one is a configuration choice, not a policy's skill).
     */
    static double[] uniformDiscounts(double[] priceLadder) {
        return java.util.Arrays.stream(priceLadder)
                .map(share -> Math.round((1 - share) * 1e6) / 1e6)
                .sorted()
                .distinct()
                .toArray();
    }

    /**
     * One decision. {@code uniform[k]}: margin of list x (1 - discount k) rounded to cents and clamped into
     * the decision's bounds, for the discounts of {@link #uniformDiscounts}. {@code oracle}: the best under the truth of the decision's own candidates and the ladder's prices inside its bounds.
     * {@code noExploration}: the candidate a greedy policy would take at the logged posterior mean.
     */
    record Entry(
            long seq,
            int shopper,
            String itemId,
            String segment,
            String group,
            boolean hasExperiment,
            boolean priced,
            double priceRatio,
            boolean discounted,
            boolean exploration,
            double policy,
            double list,
            float[] uniform,
            double oracle,
            double noExploration,
            boolean outsideDecisionBounds,
            boolean outsideHardBounds,
            boolean holdoutOffList,
            double probabilityAtPrice,
            double trueSensitivity,
            double learnedSensitivity) {

        boolean guardrailViolation() {
            return outsideDecisionBounds || outsideHardBounds || holdoutOffList;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private double sumPolicy;
    private double sumList;
    private double sumOracle;

    synchronized void add(Entry e) {
        entries.add(e);
        sumPolicy += e.policy();
        sumList += e.list();
        sumOracle += e.oracle();
    }

    /** Margin per decision so far: policy, list price, oracle. */
    synchronized double[] runningMeans() {
        int n = Math.max(1, entries.size());
        return new double[] {sumPolicy / n, sumList / n, sumOracle / n};
    }

    synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    synchronized int size() {
        return entries.size();
    }

    /** Prices one decision under the truth; {@code policy} gives the job's hard bounds. */
    static Entry price(
            long seq, int shopper, PriceDecision d, TrueDemand.Curve truth, PricingPolicy policy, double costRatio) {
        PriceExperiment x = d.experiment();
        String segment = x != null && x.segment() != null ? x.segment() : "(none)";
        String group = x != null && x.group() != null ? x.group() : "(none)";
        if (d.price() == null || d.listPrice() == null) {
            // An item the catalog did not know: the storefront keeps its own price, the same for every policy.
            return new Entry(
                    seq,
                    shopper,
                    d.itemId(),
                    segment,
                    group,
                    x != null,
                    false,
                    1,
                    false,
                    false,
                    0,
                    0,
                    new float[uniformDiscounts(policy.settings().priceLadder()).length],
                    0,
                    0,
                    false,
                    false,
                    false,
                    0,
                    truth.b(),
                    Double.NaN);
        }
        double price = d.price();
        double list = d.listPrice();
        double cost = d.unitCost() != null ? d.unitCost() : list * costRatio;
        PriceBounds hard = policy.bounds(new ItemSnapshot(d.itemId(), null, null, list, cost, null, 0, 0, 0), null);
        double floor = x != null ? x.floor() : hard.floor();
        double ceiling = x != null ? x.ceiling() : hard.ceiling();
        double listPriceMargin = truth.margin(clamp(list, floor, ceiling), list, cost);
        double[] discounts = uniformDiscounts(policy.settings().priceLadder());
        float[] uniform = new float[discounts.length];
        double bestRung = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < discounts.length; k++) {
            double p = clamp(Math.round(list * (1 - discounts[k]) * 100) / 100.0, floor, ceiling);
            double rung = truth.margin(p, list, cost);
            uniform[k] = (float) rung;
            bestRung = Math.max(bestRung, rung);
        }
        double own = truth.margin(price, list, cost);
        double oracle = own;
        double greedy = own;
        boolean holdout = x != null && PriceExperiment.HOLDOUT.equals(x.group());
        if (x != null && x.candidates() != null && x.candidates().length > 0) {
            oracle = Double.NEGATIVE_INFINITY;
            for (double c : x.candidates()) {
                oracle = Math.max(oracle, truth.margin(c, list, cost));
            }
            if (!holdout && !Double.isNaN(x.conversionAt(list, list))) {
                greedy = truth.margin(greedyCandidate(x, list, cost), list, cost);
            }
        }
        // The oracle may also take any ladder price inside the same guardrails: a request the job answered
        // with a stable quote (one logged candidate) still had the whole ladder within its bounds, as the
        // uniform discounts do; without this a uniform discount could beat the oracle there.
        oracle = Math.max(oracle, bestRung);
        boolean exploration = x != null && (x.uniformPick() || (x.randomized() && x.propensity() < 1 - 1e-12));
        return new Entry(
                seq,
                shopper,
                d.itemId(),
                segment,
                group,
                x != null,
                true,
                price / list,
                price < list - 1e-9,
                exploration,
                own,
                listPriceMargin,
                uniform,
                oracle,
                greedy,
                price < floor - 1e-9 || price > ceiling + 1e-9,
                !hard.contains(price),
                // The holdout gets the list price inside the decision's own guardrails: after a list-price
                // jump the change limit holds it near the shopper's last quote, as for everyone.
                holdout && Math.abs(price - clamp(list, floor, ceiling)) > 1e-9,
                truth.probability(price, list),
                truth.b(),
                x != null && x.modelSensitivity() != null && x.posteriorMean() != null
                        ? x.modelSensitivity() + x.posteriorMean()[1]
                        : Double.NaN);
    }

    /** The candidate with the highest expected margin under the logged curve at the posterior mean; ties go up. */
    static double greedyCandidate(PriceExperiment x, double list, double cost) {
        double best = Double.NaN;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (double c : x.candidates()) {
            double v = (c - cost) * x.conversionAt(c, list);
            if (v > bestValue + 1e-12 || (Math.abs(v - bestValue) <= 1e-12 && c > best)) {
                bestValue = v;
                best = c;
            }
        }
        return best;
    }

    private static double clamp(double p, double floor, double ceiling) {
        return Math.max(floor, Math.min(ceiling, p));
    }
}
