package org.pricingengine.job.feedback;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.EventType;
import org.pricingengine.job.policy.PriceDecision;

/**
 * Keyed by user and item: joins carts and purchases to the price decisions they followed, in event
 * time. A decision's window is (request time, request time + window]; when the watermark passes its
 * end the decision's outcome is written: purchase if an attributed purchase happened, else cart, else
 * none. An event is attributed to the last decision before it only (last touch), so one purchase is
 * never counted for two quotes. Events wait in state for decisions that arrive after them (the topics
 * are read independently) and are dropped once no open window can want them.
 */
public class FeedbackAttributionFunction
        extends KeyedCoProcessFunction<String, PriceDecision, BehaviourEvent, FeedbackOutcome> {
    private static final long serialVersionUID = 1L;

    private final long windowMs;

    private transient MapState<String, PriceDecision> openDecisions;
    private transient MapState<String, BehaviourEvent> conversionEvents;

    public FeedbackAttributionFunction(Duration attributionWindow) {
        this.windowMs = attributionWindow.toMillis();
    }

    public static String keyOf(String userId, String itemId) {
        return userId + "|" + itemId;
    }

    @Override
    public void open(OpenContext openContext) {
        openDecisions = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("decisions-awaiting-outcome", String.class, PriceDecision.class));
        conversionEvents = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("carts-and-purchases", String.class, BehaviourEvent.class));
    }

    @Override
    public void processElement1(PriceDecision decision, Context ctx, Collector<FeedbackOutcome> out) throws Exception {
        if (openDecisions.contains(decision.decisionId())) {
            return; // A replayed decision: its window is already open.
        }
        openDecisions.put(decision.decisionId(), decision);
        ctx.timerService().registerEventTimeTimer(decision.requestTimeMs() + windowMs);
    }

    @Override
    public void processElement2(BehaviourEvent event, Context ctx, Collector<FeedbackOutcome> out) throws Exception {
        if (event.type() != EventType.CART && event.type() != EventType.PURCHASE) {
            return;
        }
        conversionEvents.put(event.eventId(), event);
        // Kept until no decision window that could claim it is still open.
        ctx.timerService().registerEventTimeTimer(event.eventTimeMs() + windowMs + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeedbackOutcome> out) throws Exception {
        List<PriceDecision> all = new ArrayList<>();
        openDecisions.values().forEach(all::add);
        List<BehaviourEvent> events = new ArrayList<>();
        conversionEvents.values().forEach(events::add);

        for (PriceDecision decision : all) {
            if (decision.requestTimeMs() + windowMs <= timestamp) {
                out.collect(outcomeOf(decision, all, events));
                openDecisions.remove(decision.decisionId());
            }
        }
        for (BehaviourEvent e : events) {
            if (e.eventTimeMs() + windowMs < timestamp) {
                conversionEvents.remove(e.eventId());
            }
        }
        // Leave no empty maps behind for keys that have nothing open.
        if (conversionEvents.isEmpty()) {
            conversionEvents.clear();
        }
        if (openDecisions.isEmpty()) {
            openDecisions.clear();
        }
    }

    private FeedbackOutcome outcomeOf(
            PriceDecision decision, List<PriceDecision> decisions, List<BehaviourEvent> events) {
        long start = decision.requestTimeMs();
        long end = start + windowMs;
        double revenue = 0;
        long firstPurchase = Long.MAX_VALUE;
        long firstCart = Long.MAX_VALUE;
        for (BehaviourEvent e : events) {
            long t = e.eventTimeMs();
            if (t <= start || t > end || claimedByLaterDecision(decision, decisions, t)) {
                continue;
            }
            if (e.type() == EventType.PURCHASE) {
                revenue += e.price();
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
        return new FeedbackOutcome(
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
