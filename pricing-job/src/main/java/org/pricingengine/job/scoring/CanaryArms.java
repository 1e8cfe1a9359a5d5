package org.pricingengine.job.scoring;

import org.pricingengine.features.state.Hashing;

/**
 * Which arm prices a user while a canary runs. Deterministic from the user id (the same shopper sees
 * one model for the whole canary, on every subtask and after every restart) and salted with the canary
 * version, so successive canaries do not always land on the same shoppers.
 */
public final class CanaryArms {
    public static final String CONTROL = "control";
    public static final String CANARY = "canary";
    private static final int BUCKETS = 10_000;

    private CanaryArms() {}

    public static boolean inCanary(String userId, String canaryVersion, double share) {
        if (canaryVersion == null || share <= 0) {
            return false;
        }
        return bucket(userId, canaryVersion) < share * BUCKETS;
    }

    static int bucket(String userId, String canaryVersion) {
        long h = Hashing.mixed("canary:" + canaryVersion + ":" + (userId == null ? "" : userId));
        return (int) Math.floorMod(h, (long) BUCKETS);
    }
}
