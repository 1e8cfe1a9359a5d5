package org.pricingengine.tools.evaluation;

import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.PriceExperiment;

/**
 * A pricing policy evaluated off-policy on logged decisions: how likely it is to quote each of the
 * candidates the logging policy chose among, and what it believes the conversion at a price is (the
 * direct model of the doubly robust estimate). It only ever picks among the logged candidates: those are
 * the prices the log can say anything about.
 */
public interface TargetPolicy {

    /** How the policy is named on the command line and in results: {@code list}, {@code uniform:0.1}, ... */
    String name();

    /**
     * The probability the policy gives each of {@code o.experiment().candidates()} (same order, sums to
     * 1); null when it cannot price this decision (no model curve, no logged model input).
     */
    double[] probabilities(FeedbackOutcome o);

    /** The direct model's conversion probability at {@code price} for this decision; NaN when it has none. */
    double conversionAt(FeedbackOutcome o, double price);

    /** The candidate closest to list price from below: the highest candidate at or below list price. */
    static TargetPolicy list() {
        return fixed("list", o -> Candidates.listIndex(o.experiment().candidates(), o.listPrice()));
    }

    /** The candidate nearest {@code list x (1 - discount)}; on a tie the higher price. */
    static TargetPolicy uniform(double discount) {
        if (!(discount >= 0 && discount < 1)) {
            throw new IllegalArgumentException("a uniform discount is between 0 and 1, got " + discount);
        }
        return fixed(
                "uniform:" + discount,
                o -> Candidates.nearestIndex(o.experiment().candidates(), o.listPrice() * (1 - discount)));
    }

    /**
     * The job's policy without exploration: the candidate with the highest expected margin under the
     * logged curve at the segment's posterior mean ({@link PriceExperiment#conversionAt}).
     */
    static TargetPolicy greedy() {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "greedy";
            }

            @Override
            public double[] probabilities(FeedbackOutcome o) {
                PriceExperiment e = o.experiment();
                if (Double.isNaN(e.conversionAt(o.listPrice(), o.listPrice()))) {
                    return null;
                }
                return Candidates.oneHot(
                        e.candidates().length,
                        Candidates.greedyIndex(e.candidates(), o.unitCost(), p -> e.conversionAt(p, o.listPrice())));
            }

            @Override
            public double conversionAt(FeedbackOutcome o, double price) {
                return o.experiment().conversionAt(price, o.listPrice());
            }
        };
    }

    /**
     * {@code list}, {@code uniform:D}, {@code greedy} or {@code model:VERSION}; {@code models} builds the
     * last (it needs the logged model inputs and the model files).
     */
    static TargetPolicy parse(String spec, Function<String, TargetPolicy> models) {
        String s = spec.strip();
        if (s.equals("list")) {
            return list();
        }
        if (s.equals("greedy")) {
            return greedy();
        }
        if (s.startsWith("uniform:")) {
            try {
                return uniform(Double.parseDouble(s.substring("uniform:".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("uniform:D needs a discount D such as 0.1, got '" + s + "'");
            }
        }
        if (s.startsWith("model:") && s.length() > "model:".length()) {
            return models.apply(s.substring("model:".length()));
        }
        throw new IllegalArgumentException(
                "unknown target policy '" + spec + "' (list, uniform:D, greedy or model:VERSION)");
    }

    private static TargetPolicy fixed(String name, ToIntFunction<FeedbackOutcome> choice) {
        return new TargetPolicy() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public double[] probabilities(FeedbackOutcome o) {
                return Candidates.oneHot(o.experiment().candidates().length, choice.applyAsInt(o));
            }

            @Override
            public double conversionAt(FeedbackOutcome o, double price) {
                return o.experiment().conversionAt(price, o.listPrice());
            }
        };
    }
}
