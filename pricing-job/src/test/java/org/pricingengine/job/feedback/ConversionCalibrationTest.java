package org.pricingengine.job.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConversionCalibrationTest {
    @Test
    void comparesTheMeanExpectedConversionWithThePurchaseShareOfEachWindow() {
        ConversionCalibration calibration = new ConversionCalibration(4);
        calibration.add(0.1, false);
        calibration.add(0.2, true);
        calibration.add(0.3, false);
        assertTrue(Double.isNaN(calibration.predicted()), "nothing before the first window closes");
        assertTrue(Double.isNaN(calibration.observed()));
        calibration.add(0.2, true);
        assertEquals(0.2, calibration.predicted(), 1e-12);
        assertEquals(0.5, calibration.observed(), 1e-12);

        // The next window replaces the last one whole.
        for (int i = 0; i < 4; i++) {
            calibration.add(0.05, false);
        }
        assertEquals(0.05, calibration.predicted(), 1e-12);
        assertEquals(0.0, calibration.observed(), 1e-12);
    }

    @Test
    void refusesAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> new ConversionCalibration(0));
    }
}
