package org.pricingengine.job.policy;

import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.state.ItemSnapshot;

/**
 * The segment a request belongs to for learning price response: a bounded set of groups by traits the
 * job observes. Price band of the item (list price between the configured limits), the shopper (new: no
 * earlier event; returning; buyer: at least one earlier purchase) and the item (first look, or the
 * shopper viewed it before). With the default two band limits: 3 x 3 x 2 = 18 segments. Coarse on
 * purpose: each segment has its own level of purchase odds and its own deviation of price sensitivity;
 * what varies within a segment, the model's per-request curve and the request's {@link PriceTraits}
 * carry.
 */
public final class PriceSegments {
    private static final java.util.List<String> SHOPPERS = java.util.List.of("new", "returning", "buyer");
    private static final java.util.List<String> ITEMS = java.util.List.of("first", "repeat");

    private PriceSegments() {}

    /** How many segments there are with these band limits. */
    public static int count(double[] priceBandLimits) {
        return (priceBandLimits.length + 1) * SHOPPERS.size() * ITEMS.size();
    }

    /**
     * The index of a segment (as {@link #of} names it) among {@link #count} segments, or -1 when the name
     * is not one of them (another band setting, a hand-made record).
     */
    public static int index(String segment, double[] priceBandLimits) {
        if (segment == null) {
            return -1;
        }
        String[] parts = segment.split("/", -1);
        if (parts.length != 3
                || !parts[0].startsWith("price:")
                || !parts[1].startsWith("shopper:")
                || !parts[2].startsWith("item:")) {
            return -1;
        }
        int band;
        try {
            band = Integer.parseInt(parts[0].substring("price:".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
        int shopper = SHOPPERS.indexOf(parts[1].substring("shopper:".length()));
        int item = ITEMS.indexOf(parts[2].substring("item:".length()));
        if (band < 0 || band > priceBandLimits.length || shopper < 0 || item < 0) {
            return -1;
        }
        return (band * SHOPPERS.size() + shopper) * ITEMS.size() + item;
    }

    /** @param features the request's model input; null (not scored): shopper and item traits unknown */
    public static String of(double[] priceBandLimits, ItemSnapshot item, FeatureVector features) {
        int band = 0;
        while (band < priceBandLimits.length && item.listPrice() >= priceBandLimits[band]) {
            band++;
        }
        return "price:" + band + "/shopper:" + shopper(features) + "/item:"
                + (viewedBefore(features) ? "repeat" : "first");
    }

    private static String shopper(FeatureVector features) {
        if (features == null) {
            return "new";
        }
        if (PriceTraits.purchases(features) > 0) {
            return "buyer";
        }
        return PriceTraits.returning(features) ? "returning" : "new";
    }

    private static boolean viewedBefore(FeatureVector features) {
        return features != null && PriceTraits.itemViews(features) > 0;
    }
}
