package org.pricingengine.client;

import java.time.Instant;
import java.util.UUID;

/**
 * One price the storefront needs: for this shopper, this item, with the list price the storefront would
 * show without the engine. A storefront renders the product from its own catalog, so it holds the list
 * price already when it asks; the client shows it when no decision comes in time (or the job does not
 * know the item), so a page never waits longer than the deadline and never shows no price.
 * {@code listPrice} may be null for a caller that has no price of its own (the quote command without
 * {@code --list-price}): a fallback then has no price either.
 */
public record PriceQuery(
        String requestId, String userId, String itemId, Double listPrice, String channel, String device) {

    public PriceQuery {
        PriceRequest.requireId("request_id", requestId);
        PriceRequest.requireId("user_id", userId);
        PriceRequest.requireId("item_id", itemId);
        if (listPrice != null && !(listPrice > 0 && Double.isFinite(listPrice))) {
            throw new IllegalArgumentException("list price must be a positive number, got " + listPrice);
        }
    }

    /** A query with a fresh request id and no context. */
    public static PriceQuery of(String userId, String itemId, Double listPrice) {
        return new PriceQuery(UUID.randomUUID().toString(), userId, itemId, listPrice, null, null);
    }

    public PriceQuery withContext(String channel, String device) {
        return new PriceQuery(requestId, userId, itemId, listPrice, channel, device);
    }

    public PriceQuery withRequestId(String id) {
        return new PriceQuery(id, userId, itemId, listPrice, channel, device);
    }

    PriceRequest toRequest(Instant now) {
        return new PriceRequest(requestId, userId, itemId, now, channel, device);
    }
}
