package org.pricingengine.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.Objects;

/**
 * The retailer's facts about an item. Topic: catalog updates, compacted and keyed by item id (the broker
 * refuses a record without a key there). The job prices a request only once the item's entry is there; a
 * request for an item without one waits {@code item.catalog-wait} (2 s by default), then gets the fallback.
 * {@code unit_cost} and {@code inventory} are optional.
 */
@JsonPropertyOrder({"item_id", "category", "brand", "list_price", "unit_cost", "inventory", "update_time"})
public record CatalogUpdate(
        @JsonProperty("item_id") String itemId,
        @JsonProperty("category") String category,
        @JsonProperty("brand") String brand,
        @JsonProperty("list_price") double listPrice,
        @JsonProperty("unit_cost") Double unitCost,
        @JsonProperty("inventory") Long inventory,

        @JsonProperty("update_time")
        @JsonSerialize(using = Wire.IsoTimeWriter.class)
        @JsonDeserialize(using = Wire.IsoTimeReader.class)
        Instant updateTime) {

    public CatalogUpdate {
        PriceRequest.requireId("item_id", itemId);
        if (!(listPrice > 0) || Double.isInfinite(listPrice)) {
            throw new IllegalArgumentException("list_price must be a positive number, got " + listPrice);
        }
        if (unitCost != null && !(unitCost >= 0 && Double.isFinite(unitCost))) {
            throw new IllegalArgumentException("unit_cost must be a number >= 0, got " + unitCost);
        }
        if (inventory != null && inventory < 0) {
            throw new IllegalArgumentException("inventory must be >= 0, got " + inventory);
        }
        Objects.requireNonNull(updateTime, "update_time");
    }

    /** An entry with only what the job needs: the list price, as of now. */
    public static CatalogUpdate listPrice(String itemId, double listPrice) {
        return new CatalogUpdate(itemId, null, null, listPrice, null, null, Instant.now());
    }
}
