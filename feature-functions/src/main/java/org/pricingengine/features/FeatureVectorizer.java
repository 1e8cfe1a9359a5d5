package org.pricingengine.features;

import org.pricingengine.features.events.EventType;
import org.pricingengine.features.state.Hashing;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.features.state.UserBehaviour;

/**
 * Computes the model input for "user asks for item at time t" from the user's behaviour state and
 * the item's snapshot. Used by the streaming job and by the offline training extractor alike.
 *
 * <p>Only events strictly before t count. The request and the view that triggered it travel on
 * different topics and may reach the user's state in either order; leaving out everything at or
 * after t makes the features independent of that order, and equal to what training saw.
 */
public final class FeatureVectorizer {
    private static final int TOKEN_DIM = FeatureSpec.TOKEN_DIM;
    private static final int SEQ = FeatureSpec.SEQUENCE_LENGTH;

    private FeatureVectorizer() {}

    public static FeatureVector compute(UserBehaviour user, ItemSnapshot item, long requestTimeMs) {
        float[] sequence = new float[SEQ * TOKEN_DIM];
        float[] mask = new float[SEQ];
        java.util.Arrays.fill(mask, 1f);
        float[] context = new float[FeatureSpec.CONTEXT_DIM];

        long requestedItem = Hashing.hash(item.itemId());
        long requestedCategory = Hashing.hashOrZero(item.category());
        double listPrice = item.listPrice();

        long[] countsBefore = new long[EventType.values().length];
        double revenueBefore = 0;
        long latestBefore = Long.MIN_VALUE;
        if (user != null) {
            System.arraycopy(user.typeCounts, 0, countsBefore, 0, countsBefore.length);
            revenueBefore = user.purchaseRevenue;
            // Take back what happened at or after t, and collect the slots that stay.
            int[] eligible = new int[user.size];
            int eligibleCount = 0;
            for (int i = 0; i < user.size; i++) {
                int slot = user.slot(i);
                if (user.eventTimeMs[slot] >= requestTimeMs) {
                    countsBefore[user.type[slot]]--;
                    if (user.type[slot] == EventType.PURCHASE.ordinal()) {
                        revenueBefore -= user.price[slot];
                    }
                } else {
                    eligible[eligibleCount++] = slot;
                    latestBefore = Math.max(latestBefore, user.eventTimeMs[slot]);
                }
            }
            int used = Math.min(eligibleCount, SEQ);
            int firstPosition = SEQ - used;
            for (int k = 0; k < used; k++) {
                int slot = eligible[eligibleCount - used + k];
                int position = firstPosition + k;
                mask[position] = 0f;
                int base = position * TOKEN_DIM;
                sequence[base + user.type[slot]] = 1f;
                sequence[base + 4] = user.itemHash[slot] == requestedItem ? 1f : 0f;
                sequence[base + 5] = requestedCategory != 0 && user.categoryHash[slot] == requestedCategory ? 1f : 0f;
                sequence[base + 6] = (float) logPriceRatio(user.price[slot], listPrice);
                sequence[base + 7] = (float) (Math.log1p(seconds(requestTimeMs - user.eventTimeMs[slot])) / 10.0);
            }
        }

        context[0] = log1p(countsBefore[EventType.VIEW.ordinal()]);
        context[1] = log1p(countsBefore[EventType.CART.ordinal()]);
        context[2] = log1p(countsBefore[EventType.REMOVE_FROM_CART.ordinal()]);
        context[3] = log1p(countsBefore[EventType.PURCHASE.ordinal()]);
        context[4] = log1p(Math.max(0, revenueBefore));
        boolean knownBefore = user != null && user.firstEventTimeMs < requestTimeMs;
        context[5] = knownBefore ? (float) Math.log1p(seconds(requestTimeMs - user.firstEventTimeMs)) : 0f;
        context[6] = latestBefore != Long.MIN_VALUE ? (float) Math.log1p(seconds(requestTimeMs - latestBefore)) : 0f;
        context[7] = log1p(item.views());
        context[8] = log1p(item.carts());
        context[9] = log1p(item.purchases());
        context[10] = (float) ((item.purchases() + 1.0) / (item.views() + 20.0));
        context[11] = (float) Math.log1p(Math.max(0, listPrice));
        return new FeatureVector(sequence, mask, context);
    }

    static double logPriceRatio(double price, double listPrice) {
        if (!(price > 0) || !(listPrice > 0)) {
            return 0;
        }
        double r = Math.log(price / listPrice);
        return Math.max(-FeatureSpec.LOG_PRICE_RATIO_CLIP, Math.min(FeatureSpec.LOG_PRICE_RATIO_CLIP, r));
    }

    private static double seconds(long millis) {
        return Math.max(0, millis) / 1000.0;
    }

    private static float log1p(double count) {
        return (float) Math.log1p(Math.max(0, count));
    }
}
