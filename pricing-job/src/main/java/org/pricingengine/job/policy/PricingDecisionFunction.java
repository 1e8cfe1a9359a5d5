package org.pricingengine.job.policy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoredRequest;
import org.pricingengine.job.scoring.ServingControl;

/**
 * Keyed by user: turns scored requests into decisions with the {@link PricingPolicy}, keeping the
 * user's recent quotes per item ({@link StableQuotes}) so that a repeated request inside the quote TTL
 * gets the same price and a new quote moves at most max-change from the last one. A request asked
 * again with the same request_id (a client retry) inside the quote TTL gets the decision it was given,
 * byte for byte.
 *
 * <p>After a restart from a checkpoint, a request priced since that checkpoint comes through again. With
 * a {@link PublishedDecisionLog} set, the function re-issues the decision it already published for it, so
 * a shopper is never quoted two prices for one request and consumers of at-least-once decisions see only
 * identical duplicates. Decisions from another model or arm than this deployment routes the request to
 * (a rolled-back candidate, a changed canary split) are priced again ({@link EarlierDecisions}).
 *
 * <p>The second input is the erasures of users: an erased user's quotes and kept decisions are dropped (the
 * function has no timers), and so are the user's published decisions waiting to be re-issued.
 */
public class PricingDecisionFunction
        extends KeyedCoProcessFunction<String, PricingRequest, ErasureRequest, PriceDecision>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /**
     * Decisions given again to a client retry from this function's own state. They go to the decisions
     * topic only: the main output feeds feedback attribution, which already holds (or has already
     * attributed) the original, and a repeat arriving after its window closed would open it again and
     * write a second outcome.
     */
    public static final OutputTag<PriceDecision> REPEATED_DECISIONS =
            new OutputTag<>("repeated-decisions", TypeInformation.of(PriceDecision.class));

    /** The model input of randomized decisions, when the feature log is on. */
    public static final OutputTag<DecisionFeatures> DECISION_FEATURES =
            new OutputTag<>("decision-features", TypeInformation.of(DecisionFeatures.class));

    private final PricingPolicy policy;
    private transient java.util.Map<ServingControl.Exploration, PricingPolicy> byExploration;
    private final PublishedDecisionLog published;
    private final Clock clock;

    private transient EarlierDecisions earlier;
    private transient StableQuotes quotes;
    private transient DecisionMetrics metrics;

    public PricingDecisionFunction(PricingPolicy policy) {
        this(policy, null);
    }

    /** @param published where to read back published decisions after a restore; null: price again */
    public PricingDecisionFunction(PricingPolicy policy, PublishedDecisionLog published) {
        this(policy, published, Clock.systemUTC());
    }

    /** @param clock wall-clock time: decision times, snapshot times and the re-issue window */
    public PricingDecisionFunction(PricingPolicy policy, PublishedDecisionLog published, Clock clock) {
        this.policy = policy;
        this.published = published;
        this.clock = clock;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        earlier = EarlierDecisions.initialize(context, published, getRuntimeContext(), clock);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        earlier.snapshot();
    }

    @Override
    public void open(OpenContext openContext) {
        quotes = StableQuotes.open(getRuntimeContext(), policy.settings());
        earlier.open(getRuntimeContext(), policy.settings().quoteTtlMs());
        metrics = new DecisionMetrics(getRuntimeContext().getMetricGroup());
        byExploration = new java.util.HashMap<>();
    }

    /**
     * The policy under the exploration the serving control set for this request (null: as configured).
     * Changed rarely, by hand: a few policies at most.
     */
    private PricingPolicy policyFor(ServingControl.Exploration exploration) {
        if (exploration == null) {
            return policy;
        }
        if (byExploration.size() > 16) {
            byExploration.clear();
        }
        return byExploration.computeIfAbsent(
                exploration,
                e -> new PricingPolicy(
                        policy.settings().withExploration(e.thompson(), e.uniformShare(), e.holdoutShare())));
    }

    @Override
    public void processElement2(ErasureRequest erasure, Context ctx, Collector<PriceDecision> out) {
        quotes.forgetUser();
        earlier.forgetUser(erasure.userId());
        metrics.erased();
    }

    @Override
    public void processElement1(PricingRequest input, Context ctx, Collector<PriceDecision> out) throws Exception {
        ScoredRequest scored = input.scored();
        EnrichedRequest enriched = scored.enriched();
        PriceRequest request = enriched.request();
        String decisionId = PriceDecision.decisionIdFor(request.requestId(), request.userId(), request.itemId());
        PriceDecision kept = earlier.kept(decisionId, scored);
        if (kept != null) {
            metrics.repeated();
            ctx.output(REPEATED_DECISIONS, kept);
            return;
        }
        PriceDecision reissued = earlier.takePublished(decisionId, scored);
        if (reissued != null) {
            quotes.restore(reissued);
            metrics.reissued();
            earlier.keep(reissued);
            out.collect(reissued);
            return;
        }
        PricingPolicy policy = policyFor(scored.exploration());
        ItemSnapshot item = enriched.item();
        if (item == null) {
            publish(
                    decision(
                            decisionId,
                            scored,
                            null,
                            null,
                            List.of(ReasonCode.fallbackFor(scored.failure())),
                            List.of(),
                            true,
                            null,
                            null,
                            null),
                    out);
            return;
        }
        QuoteMemo last = quotes.last(item.itemId());
        long now = request.requestTimeMs();
        DemandEstimate estimate = scored.estimate();
        if (quotes.stillStanding(last, item, now)) {
            PriceBounds bounds = policy.bounds(item, null);
            if (bounds.contains(last.price)) {
                boolean usable = estimate != null && estimate.isUsable();
                String group = policy.inHoldout(request.userId()) ? PriceExperiment.HOLDOUT : PriceExperiment.POLICY;
                publish(
                        decision(
                                decisionId,
                                scored,
                                item,
                                last.price,
                                stableQuoteReasons(bounds, last.price),
                                bounds.bindingAt(last.price),
                                false,
                                usable ? estimate.conversionAt(last.price, item.listPrice()) : null,
                                policy.single(
                                        group,
                                        input.segment(),
                                        input.traits(),
                                        last.price,
                                        bounds,
                                        usable ? estimate : null,
                                        input.posterior()),
                                bounds),
                        out);
                return;
            }
        }
        PricingContext context = new PricingContext(
                decisionId,
                request.userId(),
                input.segment(),
                input.traits(),
                input.posterior(),
                policy.settings().logFeatures());
        PriceQuote quote =
                policy.decide(item, estimate, scored.failure(), quotes.changeLimitAnchor(last, now), context);
        if (quote.experiment().featuresLogged() && scored.features() != null) {
            ctx.output(
                    DECISION_FEATURES,
                    DecisionFeatures.of(decisionId, FeatureSpec.VERSION, scored.modelVersion(), scored.features()));
        }
        quotes.remember(item.itemId(), last, quote, item.listPrice(), now);
        publish(
                decision(
                        decisionId,
                        scored,
                        item,
                        quote.price(),
                        quote.reasons(),
                        quote.guardrails(),
                        quote.fallback(),
                        quote.expectedConversion(),
                        quote.experiment(),
                        quote.bounds()),
                out);
    }

    private static List<ReasonCode> stableQuoteReasons(PriceBounds bounds, double price) {
        List<ReasonCode> reasons = new ArrayList<>(3);
        reasons.add(ReasonCode.STABLE_QUOTE);
        PricingPolicy.addItemReasons(bounds, price, reasons);
        return reasons;
    }

    /** Emits the decision and keeps it, so the same request asked again gets the same record. */
    private void publish(PriceDecision decision, Collector<PriceDecision> out) throws Exception {
        earlier.keep(decision);
        out.collect(decision);
    }

    /** The one place a decision record is made from the policy's reasons and guardrails. */
    private PriceDecision decision(
            String decisionId,
            ScoredRequest scored,
            ItemSnapshot item,
            Double price,
            List<ReasonCode> reasons,
            List<Guardrail> guardrails,
            boolean fallback,
            Double expectedConversion,
            PriceExperiment experiment,
            PriceBounds bounds) {
        EnrichedRequest enriched = scored.enriched();
        PriceRequest request = enriched.request();
        long decidedAt = clock.millis();
        boolean personalized = !fallback;
        long latencyMs = Math.max(0, decidedAt - enriched.producedAtMs());
        PriceDecision decision = new PriceDecision(
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
                ReasonCode.codes(reasons),
                Guardrail.codes(guardrails),
                fallback,
                personalized,
                personalized ? policy.settings().disclosureText() : null,
                request.requestTimeMs(),
                decidedAt,
                latencyMs,
                scored.historyEvents(),
                experiment,
                request.channel(),
                request.device(),
                bounds == null ? null : bounds.competitor(),
                Explanation.of(price, item == null ? null : item.listPrice(), reasons, guardrails, bounds, experiment));
        metrics.decided(decision, reasons);
        return decision;
    }
}
