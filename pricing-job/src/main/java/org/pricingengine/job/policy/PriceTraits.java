package org.pricingengine.job.policy;

import java.util.List;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;

/**
 * The observable traits a request's price sensitivity is learned on ({@link PriceResponsePosterior}): the
 * classic levers of price response, each read from the job's own feature vector and the item's list
 * price, so the learner can recompute nothing and the decision logs them as they were.
 *
 * <ul>
 *   <li>{@code intercept}: 1, the sensitivity shared by every request;
 *   <li>{@code price_level}: ln(list price / reference price), the reference being the geometric mean of
 *       the segment price band limits (dear items draw more comparison shopping);
 *   <li>{@code returning}: 1 when the shopper has any earlier event;
 *   <li>{@code past_purchases}: ln(1 + the shopper's earlier purchases) (loyalty);
 *   <li>{@code item_interest}: ln(1 + the shopper's views of this item in the behaviour window);
 *   <li>{@code cart_removal_rate}: removals / (carts + 1) of the shopper (deal seeking: carts left when
 *       the price did not suit).
 * </ul>
 */
public final class PriceTraits {
    public static final List<String> NAMES =
            List.of("intercept", "price_level", "returning", "past_purchases", "item_interest", "cart_removal_rate");
    public static final int COUNT = NAMES.size();

    private static final int VIEWS = FeatureSpec.CONTEXT_FEATURES.indexOf("user_views");
    private static final int CARTS = FeatureSpec.CONTEXT_FEATURES.indexOf("user_carts");
    private static final int REMOVES = FeatureSpec.CONTEXT_FEATURES.indexOf("user_removes");
    private static final int PURCHASES = FeatureSpec.CONTEXT_FEATURES.indexOf("user_purchases");
    private static final int IS_VIEW = FeatureSpec.TOKEN_FEATURES.indexOf("is_view");
    private static final int SAME_ITEM = FeatureSpec.TOKEN_FEATURES.indexOf("same_item");

    private PriceTraits() {}

    /** The reference price of {@code price_level}: the geometric mean of the band limits (1 without any). */
    public static double referencePrice(double[] segmentPriceBands) {
        double logSum = 0;
        int n = 0;
        for (double limit : segmentPriceBands) {
            if (limit > 0) {
                logSum += Math.log(limit);
                n++;
            }
        }
        return n == 0 ? 1 : Math.exp(logSum / n);
    }

    /** @param features the request's model input; null (not scored): the intercept and price level only */
    public static double[] of(double listPrice, FeatureVector features, double referencePrice) {
        double[] t = new double[COUNT];
        t[0] = 1;
        t[1] = listPrice > 0 && referencePrice > 0 ? Math.log(listPrice / referencePrice) : 0;
        if (features == null) {
            return t;
        }
        float[] c = features.contextRaw();
        // Context counts are ln(1 + count) in the feature vector.
        t[2] = returning(features) ? 1 : 0;
        t[3] = c[PURCHASES];
        t[4] = Math.log1p(itemViews(features));
        t[5] = Math.expm1(c[REMOVES]) / (Math.expm1(c[CARTS]) + 1);
        return t;
    }

    /** ln(1 + the shopper's earlier purchases). */
    static double purchases(FeatureVector features) {
        return features.contextRaw()[PURCHASES];
    }

    /** Whether the shopper has any earlier event. */
    static boolean returning(FeatureVector features) {
        float[] c = features.contextRaw();
        return c[VIEWS] > 0 || c[CARTS] > 0 || c[REMOVES] > 0 || c[PURCHASES] > 0;
    }

    /** The shopper's views of this item in the behaviour window. */
    static int itemViews(FeatureVector features) {
        float[] seq = features.sequence();
        float[] mask = features.paddingMask();
        int views = 0;
        for (int position = 0; position < FeatureSpec.SEQUENCE_LENGTH; position++) {
            int base = position * FeatureSpec.TOKEN_DIM;
            if (mask[position] == 0f && seq[base + IS_VIEW] > 0 && seq[base + SAME_ITEM] > 0) {
                views++;
            }
        }
        return views;
    }
}
