package org.pricingengine.features.state;

import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;

/**
 * What the engine knows about one item: its catalog entry and live demand counts. A Flink POJO so
 * the schema can evolve across savepoints.
 */
public class ItemProfile {
    public String itemId;
    public boolean hasCatalog;
    public String category;
    public String brand;
    public double listPrice;
    /** NaN when the catalog gave no cost. */
    public double unitCost = Double.NaN;
    /** -1 when the catalog gave no inventory. */
    public long inventory = -1;

    public long catalogTimeMs;
    /**
     * A request already waited for this item's catalog entry and none came: later requests are priced by
     * the fallback at once instead of each making a shopper wait, until a catalog entry arrives.
     */
    public boolean catalogWaitExpired;

    public long views;
    public long carts;
    public long removes;
    public long purchases;

    public ItemProfile() {}

    public static ItemProfile of(String itemId) {
        ItemProfile p = new ItemProfile();
        p.itemId = itemId;
        return p;
    }

    /** Applies a catalog update unless an update with a later time was applied already. */
    public void apply(CatalogUpdate update) {
        if (hasCatalog && update.updateTimeMs() < catalogTimeMs) {
            return;
        }
        hasCatalog = true;
        catalogWaitExpired = false;
        category = update.category() != null ? update.category() : category;
        brand = update.brand() != null ? update.brand() : brand;
        listPrice = update.listPrice();
        unitCost = update.unitCost() != null ? update.unitCost() : Double.NaN;
        inventory = update.inventory() != null ? update.inventory() : -1;
        catalogTimeMs = update.updateTimeMs();
    }

    public void apply(BehaviourEvent event) {
        switch (event.type()) {
            case VIEW -> views++;
            case CART -> carts++;
            case REMOVE_FROM_CART -> removes++;
            case PURCHASE -> purchases++;
        }
        if (category == null && event.category() != null) {
            category = event.category();
        }
        if (brand == null && event.brand() != null) {
            brand = event.brand();
        }
    }

    public ItemSnapshot snapshot() {
        return new ItemSnapshot(
                itemId,
                category,
                brand,
                listPrice,
                Double.isNaN(unitCost) ? null : unitCost,
                inventory < 0 ? null : inventory,
                views,
                carts,
                purchases);
    }
}
