package org.pricingengine.job.policy;

import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.pricingengine.features.flink.StateTtl;
import org.pricingengine.features.state.ItemSnapshot;

/**
 * The user's recent quotes per item (keyed state of the policy operator, keyed by user): a request
 * inside the quote TTL is quoted the same price again, and a new quote inside the change memory moves
 * at most max-change from the last one. Only model prices are quotes; a fallback price is not kept.
 * Times are request times, so replayed requests see the memory as it was.
 */
final class StableQuotes {
    private final MapState<String, QuoteMemo> byItem;
    private final long quoteTtlMs;
    private final long changeMemoryMs;

    private StableQuotes(MapState<String, QuoteMemo> byItem, PolicySettings settings) {
        this.byItem = byItem;
        this.quoteTtlMs = settings.quoteTtlMs();
        this.changeMemoryMs = settings.changeMemoryMs();
    }

    static StableQuotes open(RuntimeContext runtime, PolicySettings settings) {
        MapStateDescriptor<String, QuoteMemo> descriptor =
                new MapStateDescriptor<>("recent-quotes-by-item", String.class, QuoteMemo.class);
        long keepMs = Math.max(settings.quoteTtlMs(), settings.changeMemoryMs());
        descriptor.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofMillis(Math.max(keepMs, 1000))));
        return new StableQuotes(runtime.getMapState(descriptor), settings);
    }

    /** Drops every quote of the current user (an erasure). */
    void forgetUser() {
        byItem.clear();
    }

    /** The user's last quote for the item; null if none is remembered. */
    QuoteMemo last(String itemId) throws Exception {
        return byItem.get(itemId);
    }

    /**
     * Whether the last quote still stands for a request made at {@code requestTimeMs}: inside the quote
     * TTL, and the catalog has not changed the list price since.
     */
    boolean stillStanding(QuoteMemo last, ItemSnapshot item, long requestTimeMs) {
        return last != null
                && requestTimeMs >= last.quoteTimeMs
                && requestTimeMs - last.quoteTimeMs < quoteTtlMs
                && last.listPrice == item.listPrice();
    }

    /** The price a new quote may move at most max-change from; null when the last quote is out of memory. */
    Double changeLimitAnchor(QuoteMemo last, long requestTimeMs) {
        return last != null && Math.abs(requestTimeMs - last.quoteTimeMs) < changeMemoryMs ? last.price : null;
    }

    /** Keeps a new model price, unless the memory already holds a quote for a later request (a replay). */
    void remember(String itemId, QuoteMemo last, PriceQuote quote, double listPrice, long requestTimeMs)
            throws Exception {
        if (!quote.fallback() && (last == null || requestTimeMs >= last.quoteTimeMs)) {
            byItem.put(itemId, new QuoteMemo(quote.price(), listPrice, requestTimeMs));
        }
    }

    /** Puts back the quote a re-issued decision made, as it was when the decision was published. */
    void restore(PriceDecision published) throws Exception {
        if (!published.fallback() && published.price() != null && !published.hasReason(ReasonCode.STABLE_QUOTE)) {
            byItem.put(
                    published.itemId(),
                    new QuoteMemo(published.price(), published.listPrice(), published.requestTimeMs()));
        }
    }
}
