package org.pricingengine.tools.evaluation;

import java.util.function.DoubleUnaryOperator;

/** How the target policies pick among a decision's logged candidate prices. */
final class Candidates {
    private Candidates() {}

    /** The highest candidate at or below list price; the lowest candidate when all are above it. */
    static int listIndex(double[] candidates, double listPrice) {
        int best = -1;
        int lowest = 0;
        for (int i = 0; i < candidates.length; i++) {
            if (candidates[i] <= listPrice * (1 + 1e-9) && (best < 0 || candidates[i] > candidates[best])) {
                best = i;
            }
            if (candidates[i] < candidates[lowest]) {
                lowest = i;
            }
        }
        return best >= 0 ? best : lowest;
    }

    static int nearestIndex(double[] candidates, double price) {
        int best = 0;
        for (int i = 1; i < candidates.length; i++) {
            double d = Math.abs(candidates[i] - price);
            double bestD = Math.abs(candidates[best] - price);
            if (d < bestD - 1e-12 || (Math.abs(d - bestD) <= 1e-12 && candidates[i] > candidates[best])) {
                best = i;
            }
        }
        return best;
    }

    /** The candidate with the highest expected margin {@code (p - cost) P(p)}; ties go to the higher price, as in the job. */
    static int greedyIndex(double[] candidates, double unitCost, DoubleUnaryOperator conversion) {
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates.length; i++) {
            double value = (candidates[i] - unitCost) * conversion.applyAsDouble(candidates[i]);
            if (value > bestValue + 1e-15
                    || (best >= 0 && Math.abs(value - bestValue) <= 1e-15 && candidates[i] > candidates[best])) {
                best = i;
                bestValue = value;
            }
        }
        return Math.max(best, 0);
    }

    static double[] oneHot(int n, int index) {
        double[] p = new double[n];
        p[index] = 1;
        return p;
    }
}
