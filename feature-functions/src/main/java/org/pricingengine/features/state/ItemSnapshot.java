package org.pricingengine.features.state;

/**
 * The item facts a price request carries downstream, taken when the request passed the item.
 *
 * @param inventory               units in stock from the latest catalog update; null: the catalog gives none
 * @param dailyDemand             expected units sold per day from recent purchases; null: none seen yet
 * @param lowestCompetitor        the competitor with the lowest live price; null: no live competitor price
 * @param lowestCompetitorPrice   its price
 * @param fairnessWindowStartMs   when the item's current fairness window opened; null: fairness windows off
 * @param fairnessListPrice       the list price the window was opened with
 * @param fairnessCompetitorPrice the lowest live competitor price the window was opened with; null: none
 */
public record ItemSnapshot(
        String itemId,
        String category,
        String brand,
        double listPrice,
        Double unitCost,
        Long inventory,
        long views,
        long carts,
        long purchases,
        Double dailyDemand,
        String lowestCompetitor,
        Double lowestCompetitorPrice,
        Long fairnessWindowStartMs,
        Double fairnessListPrice,
        Double fairnessCompetitorPrice) {

    /** Catalog facts and counts only: no demand rate, competitor or fairness window. */
    public ItemSnapshot(
            String itemId,
            String category,
            String brand,
            double listPrice,
            Double unitCost,
            Long inventory,
            long views,
            long carts,
            long purchases) {
        this(
                itemId, category, brand, listPrice, unitCost, inventory, views, carts, purchases, null, null, null,
                null, null, null);
    }

    public ItemSnapshot withStock(Long inventory, Double dailyDemand) {
        return new ItemSnapshot(
                itemId,
                category,
                brand,
                listPrice,
                unitCost,
                inventory,
                views,
                carts,
                purchases,
                dailyDemand,
                lowestCompetitor,
                lowestCompetitorPrice,
                fairnessWindowStartMs,
                fairnessListPrice,
                fairnessCompetitorPrice);
    }

    public ItemSnapshot withCompetitor(String competitor, Double price) {
        return new ItemSnapshot(
                itemId,
                category,
                brand,
                listPrice,
                unitCost,
                inventory,
                views,
                carts,
                purchases,
                dailyDemand,
                competitor,
                price,
                fairnessWindowStartMs,
                fairnessListPrice,
                fairnessCompetitorPrice);
    }

    public ItemSnapshot withFairnessWindow(Long startMs, Double listPriceThen, Double competitorPriceThen) {
        return new ItemSnapshot(
                itemId,
                category,
                brand,
                listPrice,
                unitCost,
                inventory,
                views,
                carts,
                purchases,
                dailyDemand,
                lowestCompetitor,
                lowestCompetitorPrice,
                startMs,
                listPriceThen,
                competitorPriceThen);
    }
}
