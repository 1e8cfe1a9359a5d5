package org.pricingengine.tools.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void aucOfPerfectReversedTiedAndMixedRankings() {
        double[] y = {0, 0, 1, 1};
        assertEquals(1.0, Metrics.auc(y, new double[] {0.1, 0.2, 0.8, 0.9}), 1e-12);
        assertEquals(0.0, Metrics.auc(y, new double[] {0.9, 0.8, 0.2, 0.1}), 1e-12);
        assertEquals(0.5, Metrics.auc(y, new double[] {0.5, 0.5, 0.5, 0.5}), 1e-12);
        // One of the four positive-negative pairs is ordered wrongly.
        assertEquals(0.75, Metrics.auc(y, new double[] {0.1, 0.6, 0.5, 0.9}), 1e-12);
        assertTrue(Double.isNaN(Metrics.auc(new double[] {1, 1}, new double[] {0.2, 0.3})));
    }

    @Test
    void logLossAndCalibrationBins() {
        assertEquals(-Math.log(0.8), Metrics.logLoss(new double[] {1, 0}, new double[] {0.8, 0.2}), 1e-12);
        List<Metrics.Bin> bins = Metrics.calibration(new double[] {0, 0, 1, 1}, new double[] {0.1, 0.3, 0.6, 0.8}, 2);
        assertEquals(2, bins.size());
        assertEquals(0.2, bins.get(0).meanPredicted(), 1e-9);
        assertEquals(0.0, bins.get(0).observedRate(), 1e-9);
        assertEquals(1.0, bins.get(1).observedRate(), 1e-9);
    }
}
