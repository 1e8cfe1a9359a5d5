package org.pricingengine.features.flink;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.state.Hashing;
import org.pricingengine.features.state.RecentEventIds;
import org.pricingengine.features.validation.RejectReason;

/**
 * Keyed by user, in front of everything that counts behaviour: a producer retry or a replayed batch
 * must not count a purchase twice, and an event from a client that was offline for a day must not
 * rewrite a sequence that has moved on. An event whose id is among the user's last
 * {@code duplicateWindow} events, or that is older than the user's newest event by more than
 * {@code maxLateness}, goes to the dead letters (DUPLICATE_EVENT, LATE_EVENT); the rest pass, as the
 * record (to item state) and as the event (to user state and feedback). State per user is a small
 * ring of event-id hashes with the user TTL.
 *
 * <p>Erasure requests of a user come in the same keyed stream: the gate drops the user's ring and hands
 * the erasure on ({@link #ERASURES}) to the later operators that keep per-shopper state.
 */
public class BehaviourEventGate extends KeyedProcessFunction<String, InboundRecord, InboundRecord> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("refused-behaviour") {};
    public static final OutputTag<BehaviourEvent> ACCEPTED_EVENTS = new OutputTag<>("accepted-behaviour") {};
    /** Erasures applied here, for the operators after the gate. */
    public static final OutputTag<ErasureRequest> ERASURES = new OutputTag<>("erasures") {};

    private final String sourceTopic;
    private final int duplicateWindow;
    private final long maxLatenessMs;
    private final Duration userTtl;

    private transient ValueState<RecentEventIds> recent;
    private transient Counter erasures;

    public BehaviourEventGate(String sourceTopic, int duplicateWindow, Duration maxLateness, Duration userTtl) {
        if (duplicateWindow < 1) {
            throw new IllegalArgumentException("duplicate window must hold at least one event");
        }
        this.sourceTopic = sourceTopic;
        this.duplicateWindow = duplicateWindow;
        this.maxLatenessMs = maxLateness.toMillis();
        this.userTtl = userTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<RecentEventIds> descriptor =
                new ValueStateDescriptor<>("recent-event-ids", RecentEventIds.class);
        descriptor.enableTimeToLive(StateTtl.afterLastWrite(userTtl));
        recent = getRuntimeContext().getState(descriptor);
        erasures = getRuntimeContext().getMetricGroup().counter("erasuresApplied");
    }

    @Override
    public void processElement(InboundRecord in, Context ctx, Collector<InboundRecord> out) throws Exception {
        if (in.erasure != null) {
            recent.clear();
            erasures.inc();
            ctx.output(ERASURES, in.erasure);
            return;
        }
        BehaviourEvent event = in.behaviour;
        RecentEventIds ids = recent.value();
        if (ids == null || ids.capacity() != duplicateWindow) {
            ids = RecentEventIds.resized(ids, duplicateWindow);
        }
        long idHash = Hashing.hash(event.eventId());
        if (ids.contains(idHash)) {
            refuse(
                    in,
                    RejectReason.DUPLICATE_EVENT.with(
                            "event_id " + abbreviate(event.eventId()) + " already seen for this user"),
                    ctx);
            return;
        }
        if (ids.size() > 0 && event.eventTimeMs() < ids.newestEventTimeMs - maxLatenessMs) {
            refuse(
                    in,
                    RejectReason.LATE_EVENT.with((ids.newestEventTimeMs - event.eventTimeMs()) / 1000
                            + " s older than the user's newest event (limit " + maxLatenessMs / 1000 + " s)"),
                    ctx);
            return;
        }
        ids.add(idHash, event.eventTimeMs());
        recent.update(ids);
        ctx.output(ACCEPTED_EVENTS, event);
        out.collect(in);
    }

    private void refuse(InboundRecord in, String reason, Context ctx) {
        ctx.output(
                DEAD_LETTERS,
                new DeadLetter(
                        sourceTopic,
                        in.sourcePartition,
                        in.sourceOffset,
                        reason,
                        Json.toJson(in.behaviour),
                        false,
                        System.currentTimeMillis()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
