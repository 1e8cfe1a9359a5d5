package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * The retailer's current facts about an item. The list price is the regular price: the policy never
 * quotes above it by default. Unit cost and inventory are optional; without a cost the job assumes
 * a configured share of the list price. Topic: catalog updates (compacted, keyed by item).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"item_id", "category", "brand", "list_price", "unit_cost", "inventory", "update_time"})
public record CatalogUpdate(
        @JsonProperty("item_id") String itemId,
        @JsonProperty("category") String category,
        @JsonProperty("brand") String brand,
        @JsonProperty("list_price") double listPrice,
        @JsonProperty("unit_cost") Double unitCost,
        @JsonProperty("inventory") Long inventory,

        @JsonProperty("update_time") @JsonSerialize(using = IsoTimeSerializer.class)
        long updateTimeMs) {}
