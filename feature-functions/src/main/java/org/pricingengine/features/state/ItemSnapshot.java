package org.pricingengine.features.state;

/** The item facts a price request carries downstream, taken when the request passed the item. */
public record ItemSnapshot(
        String itemId,
        String category,
        String brand,
        double listPrice,
        Double unitCost,
        Long inventory,
        long views,
        long carts,
        long purchases) {}
