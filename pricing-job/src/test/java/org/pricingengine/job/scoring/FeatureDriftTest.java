package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FeatureDriftTest {
    private static final float[] MEAN = {1.0f, 10.0f};
    private static final float[] STD = {0.5f, 2.0f};

    @Test
    void nothingIsReportedBeforeTheFirstWindowIsComplete() {
        FeatureDrift drift = new FeatureDrift(MEAN, STD, 3);
        drift.add(new float[] {5, 5});
        drift.add(new float[] {5, 5});
        assertTrue(Double.isNaN(drift.shift(0)));
        assertTrue(Double.isNaN(drift.shift(1)));
    }

    @Test
    void shiftIsTheWindowMeanInTrainingStandardDeviations() {
        FeatureDrift drift = new FeatureDrift(MEAN, STD, 4);
        // Feature 0 averages 2.0: two training std above 1.0. Feature 1 averages 9.0: half a std below 10.
        drift.add(new float[] {1, 8});
        drift.add(new float[] {3, 10});
        drift.add(new float[] {2, 9});
        drift.add(new float[] {2, 9});
        assertEquals(2.0, drift.shift(0), 1e-9);
        assertEquals(-0.5, drift.shift(1), 1e-9);
    }

    @Test
    void eachWindowStartsAfreshAndTheLastCompleteOneStands() {
        FeatureDrift drift = new FeatureDrift(MEAN, STD, 2);
        drift.add(new float[] {3, 10});
        drift.add(new float[] {3, 10});
        assertEquals(4.0, drift.shift(0), 1e-9);
        // The next window's first request does not move what is reported.
        drift.add(new float[] {1, 10});
        assertEquals(4.0, drift.shift(0), 1e-9);
        drift.add(new float[] {1, 10});
        assertEquals(0.0, drift.shift(0), 1e-9);
        assertEquals(0.0, drift.shift(1), 1e-9);
    }

    @Test
    void samplesFromTheTrainingDistributionShowLittleDrift() {
        FeatureDrift drift = new FeatureDrift(MEAN, STD, 1000);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            drift.add(new float[] {
                (float) (MEAN[0] + STD[0] * gaussian(random)), (float) (MEAN[1] + STD[1] * gaussian(random))
            });
        }
        // The mean of 1000 standard normals lies within 4/sqrt(1000) ~ 0.13 of 0 almost surely.
        assertTrue(Math.abs(drift.shift(0)) < 0.13, "shift " + drift.shift(0));
        assertTrue(Math.abs(drift.shift(1)) < 0.13, "shift " + drift.shift(1));
    }

    @Test
    void refusesMismatchedStatisticsAndAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> new FeatureDrift(MEAN, new float[] {1}, 10));
        assertThrows(IllegalArgumentException.class, () -> new FeatureDrift(MEAN, STD, 0));
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
