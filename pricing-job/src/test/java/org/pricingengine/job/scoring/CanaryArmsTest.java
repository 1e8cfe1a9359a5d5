package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CanaryArmsTest {
    @Test
    void shareOfUsersMatchesTheConfiguredShare() {
        int users = 100_000;
        for (double share : new double[] {0.01, 0.05, 0.25, 0.5}) {
            int inCanary = 0;
            for (int u = 0; u < users; u++) {
                if (CanaryArms.inCanary(Integer.toString(500_000_000 + u), "v2", share)) {
                    inCanary++;
                }
            }
            // Binomial standard deviation at 100k users is at most 0.16 points; allow 4 of them.
            assertEquals(share, inCanary / (double) users, 0.0064, "share " + share);
        }
    }

    @Test
    void aUserStaysInOneArmAndSuccessiveCanariesPickDifferentUsers() {
        int both = 0;
        int inV2 = 0;
        for (int u = 0; u < 20_000; u++) {
            String user = "user-" + u;
            boolean v2 = CanaryArms.inCanary(user, "v2", 0.1);
            assertEquals(v2, CanaryArms.inCanary(user, "v2", 0.1), "deterministic");
            if (v2) {
                inV2++;
                assertTrue(
                        CanaryArms.inCanary(user, "v2", 0.2), "a larger share keeps the users already in the canary");
                if (CanaryArms.inCanary(user, "v3", 0.1)) {
                    both++;
                }
            }
        }
        // Independent 10% draws overlap on about 10% of the first canary's users, not all of them.
        assertTrue(both < inV2 * 0.2, "overlap " + both + " of " + inV2);
    }

    @Test
    void noCanaryMeansControl() {
        assertFalse(CanaryArms.inCanary("u1", null, 0.5));
        assertFalse(CanaryArms.inCanary("u1", "v2", 0.0));
    }
}
