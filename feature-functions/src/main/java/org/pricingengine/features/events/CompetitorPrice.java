package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * A price a competitor was seen asking for an item: the retailer's price-monitoring feed. Topic:
 * competitor prices (keyed by item). The job keeps the latest price per competitor for a while and never
 * quotes more than a configured share above the lowest one still live.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"item_id", "competitor", "price", "observed_time"})
public record CompetitorPrice(
        @JsonProperty("item_id") String itemId,
        @JsonProperty("competitor") String competitor,
        @JsonProperty("price") double price,

        @JsonProperty("observed_time") @JsonSerialize(using = IsoTimeSerializer.class)
        long observedTimeMs) {}
