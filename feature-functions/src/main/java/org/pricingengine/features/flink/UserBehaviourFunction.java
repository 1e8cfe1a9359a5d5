package org.pricingengine.features.flink;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVectorizer;
import org.pricingengine.features.state.UserBehaviour;

/**
 * Keyed by user: keeps the user's recent behaviour sequence (bounded ring) and aggregates, and turns
 * each price request into model features. State of a user who has done nothing for the TTL is
 * dropped (RocksDB compaction removes it), which bounds state by active users. An erasure of the user
 * drops it at once.
 */
public class UserBehaviourFunction extends KeyedProcessFunction<String, UserInput, ScoringRequest> {
    private static final long serialVersionUID = 1L;

    private final int sequenceCapacity;
    private final Duration userTtl;

    private transient ValueState<UserBehaviour> behaviour;
    private transient Counter erasures;

    public UserBehaviourFunction(int sequenceCapacity, Duration userTtl) {
        if (sequenceCapacity < FeatureSpec.SEQUENCE_LENGTH) {
            throw new IllegalArgumentException("user sequence capacity " + sequenceCapacity
                    + " is below the model's sequence length " + FeatureSpec.SEQUENCE_LENGTH);
        }
        this.sequenceCapacity = sequenceCapacity;
        this.userTtl = userTtl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<UserBehaviour> descriptor =
                new ValueStateDescriptor<>("user-behaviour", UserBehaviour.class);
        descriptor.enableTimeToLive(StateTtl.afterLastWrite(userTtl));
        behaviour = getRuntimeContext().getState(descriptor);
        erasures = getRuntimeContext().getMetricGroup().counter("erasuresApplied");
    }

    @Override
    public void processElement(UserInput in, Context ctx, Collector<ScoringRequest> out) throws Exception {
        if (in.erasure != null) {
            behaviour.clear();
            erasures.inc();
            return;
        }
        if (in.behaviour != null) {
            UserBehaviour user = behaviour.value();
            if (user == null || user.capacity() != sequenceCapacity) {
                user = resized(user);
            }
            if (user.record(in.behaviour)) {
                behaviour.update(user);
            }
            return;
        }
        EnrichedRequest request = in.request;
        if (request.item() == null) {
            out.collect(new ScoringRequest(request, null));
            return;
        }
        out.collect(new ScoringRequest(
                request,
                FeatureVectorizer.compute(
                        behaviour.value(), request.item(), request.request().requestTimeMs())));
    }

    /** A new user, or one whose state was written with another capacity (restored savepoint). */
    private UserBehaviour resized(UserBehaviour old) {
        UserBehaviour fresh = UserBehaviour.empty(sequenceCapacity);
        if (old == null) {
            return fresh;
        }
        int keep = Math.min(old.size, sequenceCapacity);
        for (int i = old.size - keep; i < old.size; i++) {
            int from = old.slot(i);
            int to = fresh.head;
            fresh.eventTimeMs[to] = old.eventTimeMs[from];
            fresh.eventIdHash[to] = old.eventIdHash[from];
            fresh.itemHash[to] = old.itemHash[from];
            fresh.categoryHash[to] = old.categoryHash[from];
            fresh.price[to] = old.price[from];
            fresh.type[to] = old.type[from];
            fresh.head = (fresh.head + 1) % sequenceCapacity;
            fresh.size++;
        }
        System.arraycopy(
                old.typeCounts, 0, fresh.typeCounts, 0, Math.min(old.typeCounts.length, fresh.typeCounts.length));
        fresh.purchaseRevenue = old.purchaseRevenue;
        fresh.firstEventTimeMs = old.firstEventTimeMs;
        fresh.lastEventTimeMs = old.lastEventTimeMs;
        return fresh;
    }
}
