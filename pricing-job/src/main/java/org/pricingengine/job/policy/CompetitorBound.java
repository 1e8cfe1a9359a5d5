package org.pricingengine.job.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The competitor price that set a decision's ceiling: the lowest live one, and the ceiling it gave.
 * {@code belowFloor}: that ceiling lay under the job's own floor (minimum margin, maximum discount, low
 * stock), so the floor was quoted instead and the competitor was not followed all the way down.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"competitor", "price", "ceiling", "below_floor"})
public record CompetitorBound(
        @JsonProperty("competitor") String competitor,
        @JsonProperty("price") double price,
        @JsonProperty("ceiling") double ceiling,
        @JsonProperty("below_floor") boolean belowFloor) {}
