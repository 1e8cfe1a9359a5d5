package org.pricingengine.tools.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Ranking and probability metrics for binary labels. */
public final class Metrics {
    private Metrics() {}

    /** ROC AUC by the rank-sum formula; tied scores share their average rank. NaN without both classes. */
    public static double auc(double[] label, double[] score) {
        Integer[] order = new Integer[score.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));
        double[] rank = new double[score.length];
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j + 1 < order.length && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                rank[order[k]] = (i + j) / 2.0 + 1;
            }
            i = j + 1;
        }
        double pos = 0;
        double rankSum = 0;
        for (int i = 0; i < label.length; i++) {
            if (label[i] == 1) {
                pos++;
                rankSum += rank[i];
            }
        }
        double neg = label.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
    }

    public static double logLoss(double[] label, double[] p) {
        double sum = 0;
        for (int i = 0; i < label.length; i++) {
            double q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]));
            sum -= label[i] * Math.log(q) + (1 - label[i]) * Math.log(1 - q);
        }
        return sum / label.length;
    }

    /** One calibration bin. */
    @JsonPropertyOrder({"count", "mean_predicted", "observed_rate"})
    public record Bin(
            @JsonProperty("count") int count,
            @JsonProperty("mean_predicted") double meanPredicted,
            @JsonProperty("observed_rate") double observedRate) {}

    /** Equal-count bins by predicted probability: mean prediction and observed rate per bin. */
    public static List<Bin> calibration(double[] label, double[] p, int bins) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            int from = (int) ((long) b * p.length / bins);
            int to = (int) ((long) (b + 1) * p.length / bins);
            if (to <= from) {
                continue;
            }
            double predicted = 0;
            double observed = 0;
            for (int k = from; k < to; k++) {
                predicted += p[order[k]];
                observed += label[order[k]];
            }
            out.add(new Bin(
                    to - from,
                    Math.round(predicted / (to - from) * 1e6) / 1e6,
                    Math.round(observed / (to - from) * 1e6) / 1e6));
        }
        return out;
    }
}
