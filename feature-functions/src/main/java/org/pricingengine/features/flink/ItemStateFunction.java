package org.pricingengine.features.flink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.state.ItemProfile;
import org.pricingengine.features.state.ItemSnapshot;

/**
 * Keyed by item: keeps the catalog entry and live demand counts, and attaches them to each price
 * request. A request for an item the catalog has not described yet waits a short while (catalog and
 * requests are separate topics and may be read with a skew); if the catalog does not arrive in
 * time the request goes on without item facts and is priced by the fallback, and so do later requests
 * for that item, without waiting, until a catalog entry arrives. The wait ends on
 * whichever comes first: the processing-time deadline (live traffic) or the watermark passing the
 * request time plus the wait (so a replay that ends, or a draining stop, still releases it).
 *
 * <p>For the policy it also works out the item's expected daily demand (decayed purchases), the lowest
 * live competitor price (the latest price per competitor, kept for a TTL, bounded in number), and the
 * item's fairness window: the list and lowest competitor price when the window opened, which bound
 * every shopper's quote for the item until the window closes ({@link ItemFacts}).
 */
public class ItemStateFunction extends KeyedProcessFunction<String, InboundRecord, EnrichedRequest> {
    private static final long serialVersionUID = 1L;

    private final Duration itemTtl;
    private final long catalogWaitMs;
    private final int maxPendingRequests;
    private final ItemFacts facts;

    private transient ValueState<ItemProfile> profile;
    private transient ListState<InboundRecord> pending;
    private transient ValueState<Long> pendingDeadline;
    private transient ValueState<Long> pendingEventTimeDeadline;
    private transient MapState<String, CompetitorPrice> competitorPrices;

    public ItemStateFunction(Duration itemTtl, Duration catalogWait, int maxPendingRequests) {
        this(itemTtl, catalogWait, maxPendingRequests, ItemFacts.defaults());
    }

    public ItemStateFunction(Duration itemTtl, Duration catalogWait, int maxPendingRequests, ItemFacts facts) {
        this.itemTtl = itemTtl;
        this.catalogWaitMs = catalogWait.toMillis();
        this.maxPendingRequests = maxPendingRequests;
        this.facts = facts;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<ItemProfile> profileDescriptor =
                new ValueStateDescriptor<>("item-profile", ItemProfile.class);
        // Items that nobody touched for the TTL are dropped; a catalog update brings them back.
        profileDescriptor.enableTimeToLive(StateTtl.afterLastWrite(itemTtl));
        profile = getRuntimeContext().getState(profileDescriptor);
        pending = getRuntimeContext()
                .getListState(new ListStateDescriptor<>("requests-awaiting-catalog", InboundRecord.class));
        pendingDeadline = getRuntimeContext().getState(new ValueStateDescriptor<>("catalog-wait-deadline", Long.class));
        pendingEventTimeDeadline = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("catalog-wait-event-time-deadline", Long.class));
        MapStateDescriptor<String, CompetitorPrice> competitorDescriptor =
                new MapStateDescriptor<>("competitor-prices", String.class, CompetitorPrice.class);
        // A competitor that stops being observed drops out by itself; the event-time check below is the exact one.
        competitorDescriptor.enableTimeToLive(StateTtl.afterLastWrite(facts.competitorPriceTtl()));
        competitorPrices = getRuntimeContext().getMapState(competitorDescriptor);
    }

    @Override
    public void processElement(InboundRecord in, Context ctx, Collector<EnrichedRequest> out) throws Exception {
        ItemProfile item = profile.value();
        if (in.catalog != null) {
            item = item != null ? item : ItemProfile.of(in.catalog.itemId());
            item.apply(in.catalog);
            profile.update(item);
            releasePending(item, ctx, out);
        } else if (in.behaviour != null) {
            item = item != null ? item : ItemProfile.of(in.behaviour.itemId());
            item.apply(in.behaviour, facts.demandHalfLife().toMillis());
            profile.update(item);
        } else if (in.competitorPrice != null) {
            keepCompetitorPrice(in.competitorPrice);
        } else if (in.request != null) {
            if (item != null && item.hasCatalog) {
                out.collect(
                        new EnrichedRequest(in.request, in.producedAtMs, snapshot(item, in.request.requestTimeMs())));
            } else if (item != null && item.catalogWaitExpired) {
                out.collect(new EnrichedRequest(in.request, in.producedAtMs, null));
            } else {
                awaitCatalog(in, ctx, out);
            }
        }
    }

    /** Keeps a competitor's latest observed price; past the bound, the competitor observed longest ago goes. */
    private void keepCompetitorPrice(CompetitorPrice price) throws Exception {
        CompetitorPrice known = competitorPrices.get(price.competitor());
        if (known != null && known.observedTimeMs() > price.observedTimeMs()) {
            return;
        }
        competitorPrices.put(price.competitor(), price);
        if (known != null) {
            return;
        }
        int count = 0;
        CompetitorPrice oldest = null;
        for (CompetitorPrice kept : competitorPrices.values()) {
            count++;
            if (oldest == null || kept.observedTimeMs() < oldest.observedTimeMs()) {
                oldest = kept;
            }
        }
        if (count > facts.maxCompetitorsPerItem()) {
            competitorPrices.remove(oldest.competitor());
        }
    }

    /** The item's facts at the request's time, opening a new fairness window when one is due. */
    private ItemSnapshot snapshot(ItemProfile item, long requestTimeMs) throws Exception {
        CompetitorPrice lowest = null;
        long ttlMs = facts.competitorPriceTtl().toMillis();
        for (CompetitorPrice kept : competitorPrices.values()) {
            boolean live = requestTimeMs - kept.observedTimeMs() <= ttlMs;
            if (live && (lowest == null || kept.price() < lowest.price())) {
                lowest = kept;
            }
        }
        Double lowestPrice = lowest == null ? null : lowest.price();
        ItemSnapshot snapshot = item.snapshot()
                .withStock(
                        item.inventory < 0 ? null : item.inventory,
                        item.dailyDemandAt(requestTimeMs, facts.demandHalfLife().toMillis()))
                .withCompetitor(lowest == null ? null : lowest.competitor(), lowestPrice);
        long windowMs = facts.fairnessWindow().toMillis();
        if (windowMs <= 0) {
            return snapshot;
        }
        if (item.openFairnessWindowIfDue(requestTimeMs, windowMs, lowestPrice)) {
            profile.update(item);
        }
        return snapshot.withFairnessWindow(
                item.fairnessWindowStartMs,
                item.fairnessListPrice,
                Double.isNaN(item.fairnessCompetitorPrice) ? null : item.fairnessCompetitorPrice);
    }

    private void awaitCatalog(InboundRecord in, Context ctx, Collector<EnrichedRequest> out) throws Exception {
        List<InboundRecord> waiting = new ArrayList<>();
        pending.get().forEach(waiting::add);
        if (waiting.size() >= maxPendingRequests || catalogWaitMs == 0) {
            out.collect(new EnrichedRequest(in.request, in.producedAtMs, null));
            return;
        }
        pending.add(in);
        if (pendingDeadline.value() == null) {
            long deadline = ctx.timerService().currentProcessingTime() + catalogWaitMs;
            ctx.timerService().registerProcessingTimeTimer(deadline);
            pendingDeadline.update(deadline);
            long eventTimeDeadline = in.request.requestTimeMs() + catalogWaitMs;
            ctx.timerService().registerEventTimeTimer(eventTimeDeadline);
            pendingEventTimeDeadline.update(eventTimeDeadline);
        }
    }

    private void releasePending(ItemProfile item, Context ctx, Collector<EnrichedRequest> out) throws Exception {
        Long deadline = pendingDeadline.value();
        if (deadline == null) {
            return;
        }
        for (InboundRecord waiting : pending.get()) {
            out.collect(new EnrichedRequest(
                    waiting.request, waiting.producedAtMs, snapshot(item, waiting.request.requestTimeMs())));
        }
        pending.clear();
        ctx.timerService().deleteProcessingTimeTimer(deadline);
        ctx.timerService().deleteEventTimeTimer(pendingEventTimeDeadline.value());
        pendingDeadline.clear();
        pendingEventTimeDeadline.clear();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedRequest> out) throws Exception {
        Long deadline = pendingDeadline.value();
        if (deadline == null) {
            return;
        }
        for (InboundRecord waiting : pending.get()) {
            out.collect(new EnrichedRequest(waiting.request, waiting.producedAtMs, null));
        }
        pending.clear();
        // One of the two timers fired; the other goes too.
        ctx.timerService().deleteProcessingTimeTimer(deadline);
        ctx.timerService().deleteEventTimeTimer(pendingEventTimeDeadline.value());
        pendingDeadline.clear();
        pendingEventTimeDeadline.clear();
        // Remember the miss (under the item TTL) so the next shopper does not wait for the same absent entry.
        ItemProfile item = profile.value();
        item = item != null ? item : ItemProfile.of(ctx.getCurrentKey());
        item.catalogWaitExpired = true;
        profile.update(item);
    }
}
