package org.pricingengine.job.feedback;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.pricingengine.job.policy.PerModelArm;

/**
 * What the attributed outcomes say about each model version and arm, in the attribution operator's
 * "feedback" group with metric variables {@code model_version} and {@code arm} (labels in Prometheus):
 * outcomes, purchases and carts (conversion is purchases over outcomes), revenue and margin of attributed
 * purchases, and the model's calibration: outcomes of decisions that had an expected conversion
 * ({@code scoredOutcomes}, {@code scoredPurchases}) with the sum of the conversions they expected
 * ({@code expectedPurchases}), and the same as a mean over the last {@link #CALIBRATION_WINDOW} such
 * outcomes ({@code predictedConversion} against {@code observedConversion}).
 *
 * <p>Counted when an outcome is written; after a restore the outcomes written since the last checkpoint
 * are counted again, so the metrics are approximate where the feedback topic is exact.
 */
final class OutcomeMetrics {
    /** Outcomes of scored decisions per subtask and arm in one calibration window. */
    static final int CALIBRATION_WINDOW = 500;

    private final PerModelArm<ArmOutcomes> arms;

    OutcomeMetrics(MetricGroup operatorMetrics) {
        arms = new PerModelArm<>(operatorMetrics.addGroup("feedback"), ArmOutcomes::new);
    }

    /**
     * One written outcome.
     *
     * @param expectedConversion what the decision expected; null when it had no model curve
     * @param margin revenue less the unit cost of each attributed purchase; NaN when the cost is unknown
     */
    void outcome(FeedbackOutcome outcome, Double expectedConversion, double margin) {
        ArmOutcomes arm = arms.get(outcome.modelVersion(), outcome.arm());
        arm.outcomes.inc();
        if (outcome.purchased()) {
            arm.purchases.inc();
            arm.revenue += outcome.revenue();
            if (!Double.isNaN(margin)) {
                arm.margin += margin;
            }
        } else if (FeedbackOutcome.CART.equals(outcome.outcome())) {
            arm.carts.inc();
        }
        if (expectedConversion != null && Double.isFinite(expectedConversion)) {
            arm.scoredOutcomes.inc();
            if (outcome.purchased()) {
                arm.scoredPurchases.inc();
            }
            arm.expectedPurchases += expectedConversion;
            arm.calibration.add(expectedConversion, outcome.purchased());
        }
    }

    /** One model version and arm's tallies; the sums are written by the task thread only. */
    private static final class ArmOutcomes {
        private final Counter outcomes;
        private final Counter purchases;
        private final Counter carts;
        private final Counter scoredOutcomes;
        private final Counter scoredPurchases;
        private final ConversionCalibration calibration = new ConversionCalibration(CALIBRATION_WINDOW);
        private volatile double revenue;
        private volatile double margin;
        private volatile double expectedPurchases;

        ArmOutcomes(MetricGroup group) {
            outcomes = group.counter("outcomes");
            purchases = group.counter("purchases");
            carts = group.counter("carts");
            scoredOutcomes = group.counter("scoredOutcomes");
            scoredPurchases = group.counter("scoredPurchases");
            // Running sums, exported as gauges (Flink counters are whole numbers); they only grow, so
            // rate() over them works as over a counter.
            group.gauge("revenue", () -> revenue);
            group.gauge("margin", () -> margin);
            group.gauge("expectedPurchases", () -> expectedPurchases);
            group.gauge("predictedConversion", calibration::predicted);
            group.gauge("observedConversion", calibration::observed);
        }
    }
}
