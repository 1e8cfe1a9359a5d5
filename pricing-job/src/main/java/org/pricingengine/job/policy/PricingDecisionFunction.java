package org.pricingengine.job.policy;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.pricingengine.features.flink.StateTtl;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.io.PublishedDecisions;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoredRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keyed by user: turns scored requests into decisions with the {@link PricingPolicy}, keeping the
 * user's recent quotes per item so that a repeated request inside the quote TTL gets the same price
 * and a new quote moves at most max-change from the last one. A request asked again with the same
 * request_id (a client retry) inside the quote TTL gets the decision it was given, byte for byte.
 *
 * <p>After a restart from a checkpoint, a request priced since that checkpoint comes through again. With
 * {@link PublishedDecisions} set, the function re-issues the decision it already published for it (read
 * back from the decisions topic), so a shopper is never quoted two prices for one request and consumers
 * of at-least-once decisions see only identical duplicates. Decisions from another model or arm than
 * this deployment routes the request to (a rolled-back candidate, a changed canary split) are priced again.
 */
public class PricingDecisionFunction extends KeyedProcessFunction<String, ScoredRequest, PriceDecision>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PricingDecisionFunction.class);

    /** After this long the requests replayed after a restore are long through: the rest is dropped. */
    static final Duration REISSUE_WINDOW = Duration.ofMinutes(15);

    private final PricingPolicy policy;
    private final LongSupplier wallClock;
    private final PublishedDecisions published;

    private transient MapState<String, QuoteMemo> quotes;
    /** decision_id to the decision published under it, within the quote TTL. */
    private transient MapState<String, String> decidedRequests;
    private transient org.apache.flink.metrics.Counter repeatedRequests;
    /** Wall-clock time of each subtask's last snapshot; union state, so every subtask sees the latest. */
    private transient ListState<Long> snapshotTimes;
    private transient Map<String, PriceDecision> toReissue;
    private transient long reissueUntilMs;
    private transient org.apache.flink.metrics.Counter reissuedDecisions;
    private transient org.apache.flink.metrics.Meter decisionsPerSecond;
    private transient org.apache.flink.metrics.Histogram decisionLatencyMs;
    private transient org.apache.flink.metrics.Counter fallbackDecisions;

    public PricingDecisionFunction(PricingPolicy policy) {
        this(policy, null);
    }

    /** @param published where to read back published decisions after a restore; null: price again */
    public PricingDecisionFunction(PricingPolicy policy, PublishedDecisions published) {
        this(policy, (LongSupplier & java.io.Serializable) System::currentTimeMillis, published);
    }

    PricingDecisionFunction(PricingPolicy policy, LongSupplier wallClock, PublishedDecisions published) {
        this.policy = policy;
        this.wallClock = wallClock;
        this.published = published;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        snapshotTimes = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("snapshot-wall-times", Long.class));
        toReissue = new HashMap<>();
        if (!context.isRestored() || published == null) {
            return;
        }
        long lastSnapshotMs = 0;
        for (Long t : snapshotTimes.get()) {
            lastSnapshotMs = Math.max(lastSnapshotMs, t);
        }
        if (lastSnapshotMs == 0) {
            return;
        }
        var task = getRuntimeContext().getTaskInfo();
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        int parallelism = task.getNumberOfParallelSubtasks();
        int subtask = task.getIndexOfThisSubtask();
        toReissue = published.readSince(lastSnapshotMs, user ->
                KeyGroupRangeAssignment.assignKeyToParallelOperator(user, maxParallelism, parallelism) == subtask);
        reissueUntilMs = System.currentTimeMillis() + REISSUE_WINDOW.toMillis();
        LOG.info("Restored from a snapshot taken at {}: {} published decisions to re-issue if their requests come again",
                java.time.Instant.ofEpochMilli(lastSnapshotMs), toReissue.size());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        // Every decision made before this barrier is in this snapshot's past; the ones after it are replayed.
        snapshotTimes.update(List.of(System.currentTimeMillis()));
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<String, QuoteMemo> descriptor =
                new MapStateDescriptor<>("recent-quotes-by-item", String.class, QuoteMemo.class);
        long keepMs = Math.max(policy.settings().quoteTtlMs(), policy.settings().changeMemoryMs());
        descriptor.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofMillis(Math.max(keepMs, 1000))));
        quotes = getRuntimeContext().getMapState(descriptor);
        // A client retrying a request (same request_id) gets the decision it was given, byte for byte: one
        // decision id never names two different records. Kept as published JSON for the quote TTL.
        MapStateDescriptor<String, String> decided =
                new MapStateDescriptor<>("decisions-by-id", String.class, String.class);
        decided.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofMillis(Math.max(policy.settings().quoteTtlMs(), 1000))));
        decidedRequests = getRuntimeContext().getMapState(decided);
        var metrics = getRuntimeContext().getMetricGroup().addGroup("pricing");
        decisionsPerSecond = metrics.meter("decisionsPerSecond",
                new org.apache.flink.metrics.MeterView(metrics.counter("decisions"), 10));
        // From the request's Kafka timestamp to the decision leaving the policy.
        decisionLatencyMs = metrics.histogram("decisionLatencyMs",
                new org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram(10_000));
        fallbackDecisions = metrics.counter("fallbackDecisions");
        reissuedDecisions = metrics.counter("reissuedDecisions");
        repeatedRequests = metrics.counter("repeatedRequests");
    }

    @Override
    public void processElement(ScoredRequest scored, Context ctx, Collector<PriceDecision> out) throws Exception {
        String decisionId = decisionIdOf(scored);
        PriceDecision earlier = earlierDecision(decisionId, scored);
        if (earlier != null) {
            out.collect(earlier);
            return;
        }
        EnrichedRequest enriched = scored.enriched();
        PriceRequest request = enriched.request();
        ItemSnapshot item = enriched.item();
        if (item == null) {
            publish(decision(decisionId, scored, null, null, List.of(scored.failure()), List.of(), true, null), out);
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
            publish(decision(decisionId, scored, item, memo.price,
                    List.of(ReasonCodes.STABLE_QUOTE), bounds.bindingAt(memo.price), false,
                    usable ? estimate.conversionAt(memo.price, item.listPrice()) : null), out);
            return;
        }
        Double previous = memo != null && Math.abs(now - memo.quoteTimeMs) < policy.settings().changeMemoryMs()
                ? memo.price : null;
        PriceQuote quote = policy.decide(item, estimate, scored.failure(), previous);
        if (!quote.fallback() && (memo == null || now >= memo.quoteTimeMs)) {
            quotes.put(item.itemId(), new QuoteMemo(quote.price(), item.listPrice(), now));
        }
        publish(decision(decisionId, scored, item, quote.price(), quote.reasons(), quote.guardrails(), quote.fallback(),
                quote.expectedConversion()), out);
    }

    /**
     * The decision this request already got, if the running deployment routes it the same way: kept in
     * state (a client retry) or read back from the topic after a restore (a replay). Null: price it.
     */
    private PriceDecision earlierDecision(String decisionId, ScoredRequest scored) throws Exception {
        String kept = decidedRequests.get(decisionId);
        if (kept != null) {
            PriceDecision d = PriceDecision.fromJson(kept.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (sameRouting(d, scored)) {
                repeatedRequests.inc();
                return d;
            }
        }
        if (toReissue.isEmpty()) {
            return null;
        }
        if (System.currentTimeMillis() > reissueUntilMs) {
            LOG.info("{} published decisions were not asked for again; dropping them", toReissue.size());
            toReissue = Map.of();
            return null;
        }
        PriceDecision published = toReissue.remove(decisionId);
        if (published == null || !sameRouting(published, scored)) {
            return null;
        }
        // The quote memo as it was when the decision was published.
        if (!published.fallback() && published.price() != null && !published.reasonCodes().contains(ReasonCodes.STABLE_QUOTE)) {
            quotes.put(published.itemId(), new QuoteMemo(published.price(), published.listPrice(), published.requestTimeMs()));
        }
        reissuedDecisions.inc();
        decidedRequests.put(decisionId, Json.toJson(published));
        return published;
    }

    /**
     * Whether an earlier decision came from the model and arm this deployment routes the request to.
     * Kept and published decisions cross savepoints: one made under another deployment (a rolled-back
     * model, a changed canary split) is priced again by the one running now.
     */
    private static boolean sameRouting(PriceDecision earlier, ScoredRequest scored) {
        return java.util.Objects.equals(earlier.modelVersion(), scored.modelVersion())
                && java.util.Objects.equals(earlier.arm(), scored.arm());
    }

    private static String decisionIdOf(ScoredRequest scored) {
        PriceRequest r = scored.enriched().request();
        return PriceDecision.decisionIdFor(r.requestId(), r.userId(), r.itemId());
    }

    /** Emits the decision and remembers it, so the same request asked again gets the same record. */
    private void publish(PriceDecision decision, Collector<PriceDecision> out) throws Exception {
        decidedRequests.put(decision.decisionId(), Json.toJson(decision));
        out.collect(decision);
    }

    private PriceDecision decision(String decisionId, ScoredRequest scored, ItemSnapshot item, Double price, List<String> reasons,
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
                decisionId,
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
