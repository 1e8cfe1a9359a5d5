package org.pricingengine.features;

import java.util.List;

/**
 * The feature contract between this code, the training pipeline and every model (see
 * model-assets/CONTRACT.md). Changing any of it means a new spec version and retrained models: the
 * job refuses a model whose manifest names another version or other features.
 */
public final class FeatureSpec {
    public static final String VERSION = "fs-1";

    /** Events of the user's history the model sees, the most recent ones before the request. */
    public static final int SEQUENCE_LENGTH = 32;

    public static final List<String> TOKEN_FEATURES = List.of(
            "is_view",
            "is_cart",
            "is_remove_from_cart",
            "is_purchase",
            "same_item",
            "same_category",
            "log_price_ratio",
            "log_age");

    public static final List<String> CONTEXT_FEATURES = List.of(
            "user_views",
            "user_carts",
            "user_removes",
            "user_purchases",
            "user_revenue",
            "user_tenure",
            "user_recency",
            "item_views",
            "item_carts",
            "item_purchases",
            "item_conversion",
            "log_list_price");

    public static final int TOKEN_DIM = TOKEN_FEATURES.size();
    public static final int CONTEXT_DIM = CONTEXT_FEATURES.size();

    public static final String INPUT_SEQUENCE = "behaviour_seq";
    public static final String INPUT_PADDING_MASK = "seq_padding_mask";
    public static final String INPUT_CONTEXT = "context";
    public static final String OUTPUT_BASE_LOGIT = "base_logit";
    public static final String OUTPUT_PRICE_SENSITIVITY = "price_sensitivity";

    /** Purchases within this time after a request are its positive label (training only). */
    public static final long LABEL_WINDOW_MS = 3600_000L;

    static final double LOG_PRICE_RATIO_CLIP = 3.0;

    private FeatureSpec() {}
}
