package org.pricingengine.features.flink;

import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.state.ItemSnapshot;

/**
 * A price request with the item facts it is priced against. {@code item} is null when the catalog
 * had no entry for the item in time: such a request gets a fallback decision, not a model price.
 */
public record EnrichedRequest(PriceRequest request, long producedAtMs, ItemSnapshot item) {}
