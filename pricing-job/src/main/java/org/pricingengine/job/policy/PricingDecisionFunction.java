package org.pricingengine.job.policy;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.pricingengine.features.flink.StateTtl;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoredRequest;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Keyed by user: turns scored requests into decisions with the {@link PricingPolicy}, keeping the
 * user's recent quotes per item so that a repeated request inside the quote TTL gets the same price
 * and a new quote moves at most max-change from the last one.
 */
public class PricingDecisionFunction extends KeyedProcessFunction<String, ScoredRequest, PriceDecision> {
    private static final long serialVersionUID = 1L;

    private final PricingPolicy policy;
    private final LongSupplier wallClock;

    private transient MapState<String, QuoteMemo> quotes;
    private transient org.apache.flink.metrics.Meter decisionsPerSecond;
    private transient org.apache.flink.metrics.Histogram decisionLatencyMs;
    private transient org.apache.flink.metrics.Counter fallbackDecisions;

    public PricingDecisionFunction(PricingPolicy policy) {
        this(policy, (LongSupplier & java.io.Serializable) System::currentTimeMillis);
    }

    PricingDecisionFunction(PricingPolicy policy, LongSupplier wallClock) {
        this.policy = policy;
        this.wallClock = wallClock;
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<String, QuoteMemo> descriptor =
                new MapStateDescriptor<>("recent-quotes-by-item", String.class, QuoteMemo.class);
        long keepMs = Math.max(policy.settings().quoteTtlMs(), policy.settings().changeMemoryMs());
        descriptor.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofMillis(Math.max(keepMs, 1000))));
        quotes = getRuntimeContext().getMapState(descriptor);
        var metrics = getRuntimeContext().getMetricGroup().addGroup("pricing");
        decisionsPerSecond = metrics.meter("decisionsPerSecond",
                new org.apache.flink.metrics.MeterView(metrics.counter("decisions"), 10));
        // From the request's Kafka timestamp to the decision leaving the policy.
        decisionLatencyMs = metrics.histogram("decisionLatencyMs",
                new org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram(10_000));
        fallbackDecisions = metrics.counter("fallbackDecisions");
    }

    @Override
    public void processElement(ScoredRequest scored, Context ctx, Collector<PriceDecision> out) throws Exception {
        EnrichedRequest enriched = scored.enriched();
        PriceRequest request = enriched.request();
        ItemSnapshot item = enriched.item();
        if (item == null) {
            out.collect(decision(scored, null, null, List.of(scored.failure()), List.of(), true, null));
            return;
        }
        QuoteMemo memo = quotes.get(item.itemId());
        long now = request.requestTimeMs();
        DemandEstimate estimate = scored.estimate();
        boolean usable = estimate != null && estimate.isUsable();

        boolean insideQuoteTtl = memo != null && now >= memo.quoteTimeMs
                && now - memo.quoteTimeMs < policy.settings().quoteTtlMs() && memo.listPrice == item.listPrice();
        PriceBounds bounds = insideQuoteTtl ? policy.bounds(item, null) : null;
        if (insideQuoteTtl && bounds.contains(memo.price)) {
            out.collect(decision(scored, item, memo.price,
                    List.of(ReasonCodes.STABLE_QUOTE), bounds.bindingAt(memo.price), false,
                    usable ? estimate.conversionAt(memo.price, item.listPrice()) : null));
            return;
        }
        Double previous = memo != null && Math.abs(now - memo.quoteTimeMs) < policy.settings().changeMemoryMs()
                ? memo.price : null;
        PriceQuote quote = policy.decide(item, estimate, scored.failure(), previous);
        if (!quote.fallback() && (memo == null || now >= memo.quoteTimeMs)) {
            quotes.put(item.itemId(), new QuoteMemo(quote.price(), item.listPrice(), now));
        }
        out.collect(decision(scored, item, quote.price(), quote.reasons(), quote.guardrails(), quote.fallback(),
                quote.expectedConversion()));
    }

    private PriceDecision decision(ScoredRequest scored, ItemSnapshot item, Double price, List<String> reasons,
                                   List<String> guardrails, boolean fallback, Double expectedConversion) {
        EnrichedRequest enriched = scored.enriched();
        PriceRequest request = enriched.request();
        long decidedAt = wallClock.getAsLong();
        boolean personalized = !fallback;
        long latencyMs = Math.max(0, decidedAt - enriched.producedAtMs());
        if (decisionsPerSecond != null) {
            decisionsPerSecond.markEvent();
            decisionLatencyMs.update(latencyMs);
            if (fallback) {
                fallbackDecisions.inc();
            }
        }
        return new PriceDecision(
                PriceDecision.decisionIdFor(request.requestId()),
                request.requestId(),
                request.userId(),
                request.itemId(),
                item == null ? null : item.listPrice(),
                price,
                item == null ? null : policy.unitCost(item),
                scored.modelVersion(),
                scored.arm(),
                expectedConversion,
                List.copyOf(reasons),
                List.copyOf(guardrails),
                fallback,
                personalized,
                personalized ? policy.settings().disclosureText() : null,
                request.requestTimeMs(),
                decidedAt,
                latencyMs,
                scored.historyEvents());
    }
}
