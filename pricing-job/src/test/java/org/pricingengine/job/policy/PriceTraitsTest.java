package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;

class PriceTraitsTest {
    private static final double[] BANDS = {10, 50};

    private static FeatureVector shopper(int views, int carts, int removes, int purchases, int viewsOfThisItem) {
        float[] sequence = new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM];
        float[] mask = new float[FeatureSpec.SEQUENCE_LENGTH];
        java.util.Arrays.fill(mask, 1f);
        int isView = FeatureSpec.TOKEN_FEATURES.indexOf("is_view");
        int sameItem = FeatureSpec.TOKEN_FEATURES.indexOf("same_item");
        for (int p = 0; p < viewsOfThisItem; p++) {
            mask[p] = 0f;
            sequence[p * FeatureSpec.TOKEN_DIM + isView] = 1f;
            sequence[p * FeatureSpec.TOKEN_DIM + sameItem] = 1f;
        }
        // A view of another item: not interest in this one.
        mask[viewsOfThisItem] = 0f;
        sequence[viewsOfThisItem * FeatureSpec.TOKEN_DIM + isView] = 1f;
        float[] context = new float[FeatureSpec.CONTEXT_DIM];
        context[FeatureSpec.CONTEXT_FEATURES.indexOf("user_views")] = (float) Math.log1p(views);
        context[FeatureSpec.CONTEXT_FEATURES.indexOf("user_carts")] = (float) Math.log1p(carts);
        context[FeatureSpec.CONTEXT_FEATURES.indexOf("user_removes")] = (float) Math.log1p(removes);
        context[FeatureSpec.CONTEXT_FEATURES.indexOf("user_purchases")] = (float) Math.log1p(purchases);
        return new FeatureVector(sequence, mask, context);
    }

    @Test
    void traitsAreReadFromTheFeatureVectorAndTheListPrice() {
        double reference = PriceTraits.referencePrice(BANDS);
        assertEquals(Math.sqrt(500), reference, 1e-9);
        double[] t = PriceTraits.of(44.72, shopper(12, 3, 2, 1, 2), reference);
        assertEquals(PriceTraits.COUNT, t.length);
        assertEquals(1, t[0]);
        assertEquals(Math.log(44.72 / reference), t[1], 1e-9);
        assertEquals(1, t[2]);
        assertEquals(Math.log(2), t[3], 1e-6);
        assertEquals(Math.log(3), t[4], 1e-9);
        assertEquals(2 / 4.0, t[5], 1e-5);
        assertEquals(
                "price:1/shopper:buyer/item:repeat", PriceSegments.of(BANDS, item(44.72), shopper(12, 3, 2, 1, 2)));
    }

    @Test
    void aNewShopperOrAnUnscoredRequestHasTheInterceptAndPriceLevelOnly() {
        double[] newShopper = PriceTraits.of(10, shopper(0, 0, 0, 0, 0), 10);
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0}, newShopper, 1e-12);
        assertArrayEquals(new double[] {1, Math.log(2), 0, 0, 0, 0}, PriceTraits.of(20, null, 10), 1e-12);
        assertEquals(1, PriceTraits.referencePrice(new double[0]));
        assertEquals("price:0/shopper:new/item:first", PriceSegments.of(BANDS, item(9), shopper(0, 0, 0, 0, 0)));
    }

    private static org.pricingengine.features.state.ItemSnapshot item(double list) {
        return new org.pricingengine.features.state.ItemSnapshot("i", "c", "b", list, null, null, 0, 0, 0);
    }
}
