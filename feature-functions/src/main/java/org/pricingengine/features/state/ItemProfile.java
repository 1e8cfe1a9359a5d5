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

    /** Purchases decayed with the demand half-life to {@link #demandClockMs}: the expected-demand estimate. */
    public double decayedPurchases;

    public long demandClockMs = Long.MIN_VALUE;
    /** The earliest event time seen for the item: how long the demand estimate has been watching. */
    public long firstSeenMs = Long.MAX_VALUE;

    /** The open fairness window: when it opened (-1: none), and the list and competitor prices then. */
    public long fairnessWindowStartMs = -1;

    public double fairnessListPrice = Double.NaN;
    /** NaN: no live competitor price when the window opened. */
    public double fairnessCompetitorPrice = Double.NaN;

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
        firstSeenMs = Math.min(firstSeenMs, update.updateTimeMs());
    }

    public void apply(BehaviourEvent event) {
        apply(event, DEFAULT_DEMAND_HALF_LIFE_MS);
    }

    /** @param demandHalfLifeMs how fast past purchases fade from the expected-demand estimate */
    public void apply(BehaviourEvent event, long demandHalfLifeMs) {
        switch (event.type()) {
            case VIEW -> views++;
            case CART -> carts++;
            case REMOVE_FROM_CART -> removes++;
            case PURCHASE -> {
                purchases++;
                countPurchase(event.eventTimeMs(), demandHalfLifeMs);
            }
        }
        firstSeenMs = Math.min(firstSeenMs, event.eventTimeMs());
        if (category == null && event.category() != null) {
            category = event.category();
        }
        if (brand == null && event.brand() != null) {
            brand = event.brand();
        }
    }

    /**
     * Adds one purchase to the decayed count. A purchase older than the count's clock (out of order) adds
     * what is left of it at the clock instead of moving the clock back.
     */
    private void countPurchase(long atMs, long halfLifeMs) {
        if (demandClockMs == Long.MIN_VALUE) {
            demandClockMs = atMs;
        }
        if (atMs >= demandClockMs) {
            decayedPurchases = decayedPurchases * decay(atMs - demandClockMs, halfLifeMs) + 1;
            demandClockMs = atMs;
        } else {
            decayedPurchases += decay(demandClockMs - atMs, halfLifeMs);
        }
    }

    private static double decay(long elapsedMs, long halfLifeMs) {
        return halfLifeMs <= 0 ? 1 : Math.pow(0.5, (double) elapsedMs / halfLifeMs);
    }

    private static final long DAY_MS = 24L * 3600 * 1000;

    /** The half-life of past purchases in the demand estimate when the caller names none. */
    public static final long DEFAULT_DEMAND_HALF_LIFE_MS = 7L * DAY_MS;

    /**
     * Expected units sold per day at {@code nowMs}: the decayed purchase count over the time it covers,
     * which is the half-life's mean lifetime (half-life / ln 2) once the item has been watched that long and
     * the time watched (at least a day) before. Null before the first purchase: no estimate, not zero.
     */
    public Double dailyDemandAt(long nowMs, long halfLifeMs) {
        if (purchases == 0 || demandClockMs == Long.MIN_VALUE) {
            return null;
        }
        double decayed = decayedPurchases * (nowMs > demandClockMs ? decay(nowMs - demandClockMs, halfLifeMs) : 1);
        double memoryMs = halfLifeMs <= 0 ? Double.MAX_VALUE : halfLifeMs / Math.log(2);
        double watchedMs = Math.max(DAY_MS, (double) nowMs - Math.min(firstSeenMs, demandClockMs));
        return decayed / (Math.min(memoryMs, watchedMs) / DAY_MS);
    }

    /**
     * Opens a new fairness window when none is open, the open one has run its length, or the list price
     * changed (a retailer's repricing is not a personalized difference). Returns whether it opened one.
     */
    public boolean openFairnessWindowIfDue(long nowMs, long windowMs, Double lowestCompetitorPrice) {
        boolean due = fairnessWindowStartMs < 0
                || nowMs >= fairnessWindowStartMs + windowMs
                || nowMs < fairnessWindowStartMs - windowMs
                || fairnessListPrice != listPrice;
        if (due) {
            fairnessWindowStartMs = nowMs;
            fairnessListPrice = listPrice;
            fairnessCompetitorPrice = lowestCompetitorPrice == null ? Double.NaN : lowestCompetitorPrice;
        }
        return due;
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
