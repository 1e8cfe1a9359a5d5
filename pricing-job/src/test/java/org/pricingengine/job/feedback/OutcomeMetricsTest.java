package org.pricingengine.job.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.testutils.RecordedMetrics;

class OutcomeMetricsTest {
    private static final Map<String, String> V1_CONTROL = Map.of("model_version", "v1", "arm", "control");
    private static final Map<String, String> V2_CANARY = Map.of("model_version", "v2", "arm", "canary");

    private static FeedbackOutcome outcome(String version, String arm, String what, double revenue) {
        return new FeedbackOutcome(
                "d", "r", "u", "i", 9.0, 10.0, 6.0, version, arm, false, what, revenue, null, 3600, 0L, null);
    }

    @Test
    void outcomesAreTalliedPerModelVersionAndArm() {
        RecordedMetrics recorded = new RecordedMetrics();
        OutcomeMetrics metrics = new OutcomeMetrics(recorded.operatorGroup());
        metrics.outcome(outcome("v1", "control", FeedbackOutcome.PURCHASE, 18.0), 0.4, 18.0 - 2 * 6.0);
        metrics.outcome(outcome("v1", "control", FeedbackOutcome.CART, 0), 0.2, 0);
        metrics.outcome(outcome("v1", "control", FeedbackOutcome.NONE, 0), null, Double.NaN);
        metrics.outcome(outcome("v2", "canary", FeedbackOutcome.NONE, 0), 0.3, 0);

        assertEquals(3, recorded.count("feedback.model_version.arm.outcomes", V1_CONTROL));
        assertEquals(1, recorded.count("feedback.model_version.arm.purchases", V1_CONTROL));
        assertEquals(1, recorded.count("feedback.model_version.arm.carts", V1_CONTROL));
        assertEquals(18.0, recorded.gauge("feedback.model_version.arm.revenue", V1_CONTROL));
        assertEquals(6.0, recorded.gauge("feedback.model_version.arm.margin", V1_CONTROL));
        // The outcome whose decision had no curve is not part of the calibration.
        assertEquals(2, recorded.count("feedback.model_version.arm.scoredOutcomes", V1_CONTROL));
        assertEquals(1, recorded.count("feedback.model_version.arm.scoredPurchases", V1_CONTROL));
        assertEquals(0.6, recorded.gauge("feedback.model_version.arm.expectedPurchases", V1_CONTROL), 1e-12);

        assertEquals(1, recorded.count("feedback.model_version.arm.outcomes", V2_CANARY));
        assertEquals(0, recorded.count("feedback.model_version.arm.purchases", V2_CANARY));
    }

    @Test
    void predictedAndObservedConversionCoverTheLastCompleteWindow() {
        RecordedMetrics recorded = new RecordedMetrics();
        OutcomeMetrics metrics = new OutcomeMetrics(recorded.operatorGroup());
        metrics.outcome(outcome("v1", "control", FeedbackOutcome.NONE, 0), 0.1, 0);
        assertTrue(Double.isNaN(recorded.gauge("feedback.model_version.arm.predictedConversion", V1_CONTROL)));
        // The model expects 10% and one in five buys: it under-predicts.
        for (int i = 1; i < OutcomeMetrics.CALIBRATION_WINDOW; i++) {
            boolean bought = i % 5 == 4;
            metrics.outcome(
                    outcome("v1", "control", bought ? FeedbackOutcome.PURCHASE : FeedbackOutcome.NONE, bought ? 9 : 0),
                    0.1,
                    bought ? 3 : 0);
        }
        assertEquals(0.1, recorded.gauge("feedback.model_version.arm.predictedConversion", V1_CONTROL), 1e-9);
        assertEquals(0.2, recorded.gauge("feedback.model_version.arm.observedConversion", V1_CONTROL), 1e-9);
    }
}
