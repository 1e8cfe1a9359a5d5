package org.pricingengine.job.policy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.pricingengine.features.flink.StateTtl;
import org.pricingengine.job.scoring.ScoredRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decisions already given, for requests that come again, so one decision id never names two different
 * records. A client retrying a request (same request_id) inside the quote TTL gets the decision it was
 * given, byte for byte (kept in keyed state in Flink's binary form: the sink writes the same record as
 * the same JSON, and the decision is turned into JSON once, by the sink). After a restore, a request priced since
 * the restored checkpoint gets the decision already published for it, read back from the decisions
 * topic, for {@link #REISSUE_WINDOW}. Either only when the running deployment routes the request the
 * same way.
 */
final class EarlierDecisions {
    private static final Logger LOG = LoggerFactory.getLogger(EarlierDecisions.class);

    /** After this long the requests replayed after a restore are long through: the rest is dropped. */
    static final Duration REISSUE_WINDOW = Duration.ofMinutes(15);

    private final Clock clock;
    /** Wall-clock time of each subtask's last snapshot; union state, so every subtask sees the latest. */
    private final ListState<Long> snapshotTimes;

    private Map<String, PriceDecision> toReissue = new HashMap<>();
    private long reissueUntilMs;
    /** decision_id to the decision published under it, within the quote TTL. */
    private MapState<String, PriceDecision> keptById;
    /**
     * The same, as JSON text: the layout of earlier versions. Read only for a quote TTL after a restore,
     * so that retries of decisions kept by a savepoint of that layout still get them.
     */
    private MapState<String, String> keptAsJson;

    private boolean restored;
    private long readJsonUntilMs;

    private EarlierDecisions(Clock clock, ListState<Long> snapshotTimes) {
        this.clock = clock;
        this.snapshotTimes = snapshotTimes;
    }

    /**
     * The operator state, and after a restore the decisions to re-issue for this subtask's users.
     *
     * @param published null: nothing to read back, replayed requests are priced again
     */
    static EarlierDecisions initialize(
            FunctionInitializationContext context, PublishedDecisionLog published, RuntimeContext runtime, Clock clock)
            throws Exception {
        EarlierDecisions earlier = new EarlierDecisions(
                clock,
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("snapshot-wall-times", Long.class)));
        earlier.restored = context.isRestored();
        if (context.isRestored() && published != null) {
            earlier.readBack(published, runtime.getTaskInfo());
        }
        return earlier;
    }

    private void readBack(PublishedDecisionLog published, TaskInfo task) throws Exception {
        long lastSnapshotMs = 0;
        for (Long t : snapshotTimes.get()) {
            lastSnapshotMs = Math.max(lastSnapshotMs, t);
        }
        if (lastSnapshotMs == 0) {
            return;
        }
        int maxParallelism = task.getMaxNumberOfParallelSubtasks();
        int parallelism = task.getNumberOfParallelSubtasks();
        int subtask = task.getIndexOfThisSubtask();
        toReissue = published.readSince(
                lastSnapshotMs,
                user -> KeyGroupRangeAssignment.assignKeyToParallelOperator(user, maxParallelism, parallelism)
                        == subtask);
        reissueUntilMs = clock.millis() + REISSUE_WINDOW.toMillis();
        LOG.info(
                "Restored from a snapshot taken at {}: {} published decisions to re-issue if their requests come again",
                Instant.ofEpochMilli(lastSnapshotMs),
                toReissue.size());
    }

    /** The keyed state, which exists only once the function is open. */
    void open(RuntimeContext runtime, long quoteTtlMs) {
        Duration ttl = Duration.ofMillis(Math.max(quoteTtlMs, 1000));
        MapStateDescriptor<String, PriceDecision> decided =
                new MapStateDescriptor<>("published-decisions-by-id", String.class, PriceDecision.class);
        decided.enableTimeToLive(StateTtl.afterLastWrite(ttl));
        keptById = runtime.getMapState(decided);
        MapStateDescriptor<String, String> decidedAsJson =
                new MapStateDescriptor<>("decisions-by-id", String.class, String.class);
        decidedAsJson.enableTimeToLive(StateTtl.afterLastWrite(ttl));
        keptAsJson = runtime.getMapState(decidedAsJson);
        readJsonUntilMs = restored ? clock.millis() + ttl.toMillis() : 0;
    }

    void snapshot() throws Exception {
        // Every decision made before this barrier is in this snapshot's past; the ones after it are replayed.
        snapshotTimes.update(List.of(clock.millis()));
    }

    /** The decision kept for a retried request, if this deployment routes the request the same way; else null. */
    PriceDecision kept(String decisionId, ScoredRequest scored) throws Exception {
        PriceDecision d = keptById.get(decisionId);
        if (d == null && clock.millis() < readJsonUntilMs) {
            String json = keptAsJson.get(decisionId);
            d = json == null ? null : PriceDecision.fromJson(json.getBytes(StandardCharsets.UTF_8));
        }
        return d != null && sameRouting(d, scored) ? d : null;
    }

    /**
     * The decision published before the restore for a replayed request, if this deployment routes the
     * request the same way; else null. Each is given out once: later repeats find it {@link #kept}.
     */
    PriceDecision takePublished(String decisionId, ScoredRequest scored) {
        if (toReissue.isEmpty()) {
            return null;
        }
        if (clock.millis() > reissueUntilMs) {
            LOG.info("{} published decisions were not asked for again; dropping them", toReissue.size());
            toReissue = Map.of();
            return null;
        }
        PriceDecision published = toReissue.remove(decisionId);
        return published != null && sameRouting(published, scored) ? published : null;
    }

    /**
     * Drops everything kept for the current user (an erasure): the kept decisions in keyed state, and the
     * published decisions read back after a restore that still wait in memory for their request.
     */
    void forgetUser(String userId) {
        keptById.clear();
        keptAsJson.clear();
        if (!toReissue.isEmpty()) {
            toReissue.values().removeIf(d -> userId.equals(d.userId()));
        }
    }

    /** Remembers a decision given, so the same request asked again gets the same record. */
    void keep(PriceDecision decision) throws Exception {
        keptById.put(decision.decisionId(), decision);
    }

    /**
     * Whether an earlier decision came from the model and arm this deployment routes the request to.
     * Kept and published decisions cross savepoints: one made under another deployment (a rolled-back
     * model, a changed canary split) is priced again by the one running now.
     */
    private static boolean sameRouting(PriceDecision earlier, ScoredRequest scored) {
        return Objects.equals(earlier.modelVersion(), scored.modelVersion())
                && Objects.equals(earlier.arm(), scored.arm());
    }
}
