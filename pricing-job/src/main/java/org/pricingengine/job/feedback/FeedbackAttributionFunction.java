package org.pricingengine.job.feedback;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.EventType;
import org.pricingengine.job.policy.PriceDecision;

/**
 * Keyed by user and item: joins carts and purchases to the price decisions they followed, in event
 * time. A decision's window is (request time, request time + window]; when the watermark passes its
 * end the decision's outcome is written: purchase if an attributed purchase happened, else cart, else
 * none. An event is attributed to the last decision before it only (last touch), so one purchase is
 * never counted for two quotes. Events wait in state for decisions that arrive after them (the topics
 * are read independently) and are dropped once no open window can want them.
 *
 * <p>Decisions and events come in one keyed stream ({@link AttributionInput}); the other input is the
 * erasures of users, broadcast, since a user's state is spread over one key per item: an erasure drops
 * every window of the user this subtask holds (one pass over the subtask's keys). The timers of those
 * keys stay until they fire, at most an attribution window later, and find nothing to write.
 */
public class FeedbackAttributionFunction
        extends KeyedBroadcastProcessFunction<String, AttributionInput, ErasureRequest, FeedbackOutcome>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long windowMs;

    /**
     * Everything open for one user and item in one value: one point lookup per record and per timer.
     * (Two map states cost a RocksDB iterator and seek for every read, emptiness check and clear; they
     * were a sixth of the job's CPU.)
     */
    private transient ValueState<AttributionWindow> open;
    /** The layout before {@link #open}; read only to move what a restored savepoint still holds. */
    private transient MapState<String, PriceDecision> legacyDecisions;

    private transient MapState<String, BehaviourEvent> legacyEvents;

    /**
     * Whether keys may still hold the earlier layout: only in a job that was started from a savepoint of
     * the earlier version (its snapshots have no such mark), and every job restored from one of its
     * snapshots. Elsewhere the timers skip the two map lookups, each a RocksDB iterator.
     */
    private transient ListState<Boolean> earlierLayoutMark;

    private transient boolean earlierLayoutMayRemain;

    private transient OutcomeMetrics metrics;
    private transient Counter erasures;

    /** Erasures are applied, not kept: the broadcast state of the second input stays empty. */
    public static final MapStateDescriptor<String, Long> ERASURES =
            new MapStateDescriptor<>("erasures", String.class, Long.class);

    private static final ValueStateDescriptor<AttributionWindow> WINDOW =
            new ValueStateDescriptor<>("attribution-window", AttributionWindow.class);
    private static final MapStateDescriptor<String, PriceDecision> LEGACY_DECISIONS =
            new MapStateDescriptor<>("decisions-awaiting-outcome", String.class, PriceDecision.class);
    private static final MapStateDescriptor<String, BehaviourEvent> LEGACY_EVENTS =
            new MapStateDescriptor<>("carts-and-purchases", String.class, BehaviourEvent.class);

    public FeedbackAttributionFunction(Duration attributionWindow) {
        this.windowMs = attributionWindow.toMillis();
    }

    public static String keyOf(String userId, String itemId) {
        return userId + "|" + itemId;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        // Union state: every subtask sees every mark after a rescale.
        earlierLayoutMark = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("earlier-attribution-layout-may-remain", Boolean.class));
        boolean marked = false;
        boolean mayRemain = false;
        for (Boolean mark : earlierLayoutMark.get()) {
            marked = true;
            mayRemain |= mark;
        }
        earlierLayoutMayRemain = context.isRestored() && (!marked || mayRemain);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        earlierLayoutMark.update(List.of(earlierLayoutMayRemain));
    }

    boolean earlierLayoutMayRemain() {
        return earlierLayoutMayRemain;
    }

    @Override
    public void open(OpenContext openContext) {
        open = getRuntimeContext().getState(WINDOW);
        legacyDecisions = getRuntimeContext().getMapState(LEGACY_DECISIONS);
        legacyEvents = getRuntimeContext().getMapState(LEGACY_EVENTS);
        metrics = new OutcomeMetrics(getRuntimeContext().getMetricGroup());
        erasures = getRuntimeContext().getMetricGroup().counter("erasuresApplied");
    }

    @Override
    public void processElement(AttributionInput in, ReadOnlyContext ctx, Collector<FeedbackOutcome> out)
            throws Exception {
        if (in.decision != null) {
            decision(in.decision, ctx);
        } else {
            event(in.event, ctx);
        }
    }

    /**
     * Drops the erased user's windows, and what an earlier layout still holds for the user, on every key
     * of this subtask whose user is the erased one.
     */
    @Override
    public void processBroadcastElement(ErasureRequest erasure, Context ctx, Collector<FeedbackOutcome> out)
            throws Exception {
        String user = erasure.userId();
        // The key's user is read from what it holds, not from the key text: an id may itself contain '|'.
        ctx.applyToKeyedState(WINDOW, (key, state) -> {
            AttributionWindow window = state.value();
            if (window != null && window.belongsTo(user)) {
                state.clear();
            }
        });
        if (earlierLayoutMayRemain) {
            ctx.applyToKeyedState(LEGACY_DECISIONS, (key, state) -> {
                for (PriceDecision d : state.values()) {
                    if (user.equals(d.userId())) {
                        state.clear();
                    }
                    break;
                }
            });
            ctx.applyToKeyedState(LEGACY_EVENTS, (key, state) -> {
                for (BehaviourEvent e : state.values()) {
                    if (user.equals(e.userId())) {
                        state.clear();
                    }
                    break;
                }
            });
        }
        erasures.inc();
    }

    private void decision(PriceDecision decision, ReadOnlyContext ctx) throws Exception {
        AttributionWindow window = current();
        for (PriceDecision d : window.decisions) {
            if (d.decisionId().equals(decision.decisionId())) {
                return; // A replayed decision: its window is already open.
            }
        }
        window.decisions.add(decision.withoutExplanation());
        open.update(window);
        ctx.timerService().registerEventTimeTimer(decision.requestTimeMs() + windowMs);
    }

    private void event(BehaviourEvent event, ReadOnlyContext ctx) throws Exception {
        if (event.type() != EventType.CART && event.type() != EventType.PURCHASE) {
            return;
        }
        AttributionWindow window = current();
        window.events.removeIf(e -> e.eventId().equals(event.eventId()));
        window.events.add(event);
        open.update(window);
        // Kept until no decision window that could claim it is still open.
        ctx.timerService().registerEventTimeTimer(event.eventTimeMs() + windowMs + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeedbackOutcome> out) throws Exception {
        AttributionWindow window = current();
        if (earlierLayoutMayRemain) {
            moveLegacyState(window, ctx);
        }
        List<PriceDecision> all = List.copyOf(window.decisions);
        List<BehaviourEvent> events = List.copyOf(window.events);

        for (PriceDecision decision : all) {
            if (decision.requestTimeMs() + windowMs <= timestamp) {
                out.collect(outcomeOf(decision, all, events));
                window.decisions.remove(decision);
            }
        }
        window.events.removeIf(e -> e.eventTimeMs() + windowMs < timestamp);
        // Leave nothing behind for keys that have nothing open.
        if (window.decisions.isEmpty() && window.events.isEmpty()) {
            open.clear();
        } else {
            open.update(window);
        }
    }

    private AttributionWindow current() throws Exception {
        AttributionWindow window = open.value();
        return window != null ? window : new AttributionWindow();
    }

    /**
     * Decisions and events a savepoint of the earlier layout restored join the window on the key's next
     * timer (their own timers were restored with them, so every such key gets one); a timer that has
     * already passed fires at the next watermark.
     */
    private void moveLegacyState(AttributionWindow window, OnTimerContext ctx) throws Exception {
        if (!legacyDecisions.isEmpty()) {
            for (PriceDecision d : legacyDecisions.values()) {
                window.decisions.add(d);
                ctx.timerService().registerEventTimeTimer(d.requestTimeMs() + windowMs);
            }
            legacyDecisions.clear();
        }
        if (!legacyEvents.isEmpty()) {
            for (BehaviourEvent e : legacyEvents.values()) {
                window.events.add(e);
                ctx.timerService().registerEventTimeTimer(e.eventTimeMs() + windowMs + 1);
            }
            legacyEvents.clear();
        }
    }

    private FeedbackOutcome outcomeOf(
            PriceDecision decision, List<PriceDecision> decisions, List<BehaviourEvent> events) {
        long start = decision.requestTimeMs();
        long end = start + windowMs;
        double revenue = 0;
        long firstPurchase = Long.MAX_VALUE;
        long firstCart = Long.MAX_VALUE;
        int purchases = 0;
        for (BehaviourEvent e : events) {
            long t = e.eventTimeMs();
            if (t <= start || t > end || claimedByLaterDecision(decision, decisions, t)) {
                continue;
            }
            if (e.type() == EventType.PURCHASE) {
                revenue += e.price();
                purchases++;
                firstPurchase = Math.min(firstPurchase, t);
            } else {
                firstCart = Math.min(firstCart, t);
            }
        }
        String outcome;
        Double seconds;
        if (firstPurchase != Long.MAX_VALUE) {
            outcome = FeedbackOutcome.PURCHASE;
            seconds = (firstPurchase - start) / 1000.0;
        } else if (firstCart != Long.MAX_VALUE) {
            outcome = FeedbackOutcome.CART;
            seconds = (firstCart - start) / 1000.0;
        } else {
            outcome = FeedbackOutcome.NONE;
            seconds = null;
        }
        FeedbackOutcome written = new FeedbackOutcome(
                decision.decisionId(),
                decision.requestId(),
                decision.userId(),
                decision.itemId(),
                decision.price(),
                decision.listPrice(),
                decision.unitCost(),
                decision.modelVersion(),
                decision.arm(),
                decision.fallback(),
                outcome,
                revenue,
                seconds,
                windowMs / 1000,
                start,
                decision.experiment());
        double margin = decision.unitCost() == null ? Double.NaN : revenue - purchases * decision.unitCost();
        metrics.outcome(written, decision.expectedConversion(), margin);
        return written;
    }

    /** Last touch: another decision made after this one and before the event takes the event. */
    private static boolean claimedByLaterDecision(
            PriceDecision decision, List<PriceDecision> decisions, long eventTime) {
        for (PriceDecision other : decisions) {
            long t = other.requestTimeMs();
            if (t > decision.requestTimeMs() && t < eventTime) {
                return true;
            }
            if (t == decision.requestTimeMs()
                    && other.decisionId().compareTo(decision.decisionId()) > 0
                    && t < eventTime) {
                return true;
            }
        }
        return false;
    }
}
