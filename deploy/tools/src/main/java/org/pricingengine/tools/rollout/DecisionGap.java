package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.tools.local.OutputTally;

/**
 * What shoppers saw while the job was being switched: how long storefronts waited with no decision coming,
 * how many requests waited longer than usual, and the latency of the requests sent meanwhile. Computed
 * from the requests and decisions topics only (Kafka timestamps, matched by request id), so a savepoint
 * restart and any other way of switching models are measured by the same yardstick.
 *
 * <p>The gap is the longest stretch inside the window during which at least one request was waiting and no
 * decision at all was published: idle stretches with nothing asked do not count, and a decision for any
 * request ends a stretch. A request's latency is from its own record to the first decision for it.
 */
public final class DecisionGap {
    /** A request or a decision: its request id and its Kafka timestamp. */
    public record Timed(String requestId, long timeMs) {}

    /** Wall-clock window, both ends included. */
    public record Window(long fromMs, long toMs) {
        public Window {
            if (toMs < fromMs) {
                throw new IllegalArgumentException("window ends before it starts: " + fromMs + " > " + toMs);
            }
        }

        boolean contains(long t) {
            return t >= fromMs && t <= toMs;
        }
    }

    /** The figures for one window, measured against the latency p99 of normal serving. */
    @JsonPropertyOrder({"window_s", "gap_s", "requests", "waiting_requests", "undecided_requests", "p99_ms"})
    public record Figures(
            @JsonProperty("window_s") double windowSeconds,
            @JsonProperty("gap_s") double gapSeconds,
            @JsonProperty("requests") long requests,
            @JsonProperty("waiting_requests") long waitingRequests,
            @JsonProperty("undecided_requests") long undecidedRequests,
            @JsonProperty("p99_ms") long p99Ms) {}

    private final List<Timed> requests;
    private final Map<String, Long> firstDecision = new HashMap<>();
    private final long[] decisionTimes;

    /** Repeated request ids keep their first request and their first decision. */
    public DecisionGap(List<Timed> requests, List<Timed> decisions) {
        Map<String, Long> firstRequest = new HashMap<>();
        requests.forEach(r -> firstRequest.merge(r.requestId(), r.timeMs(), Math::min));
        this.requests = firstRequest.entrySet().stream()
                .map(e -> new Timed(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingLong(Timed::timeMs))
                .toList();
        decisions.forEach(d -> firstDecision.merge(d.requestId(), d.timeMs(), Math::min));
        decisionTimes = decisions.stream().mapToLong(Timed::timeMs).sorted().toArray();
    }

    /** Latency p99 (nearest rank) of the requests sent in the window that got a decision; 0 when none did. */
    public long p99Ms(Window w) {
        List<Long> latencies = new ArrayList<>();
        for (Timed r : requests) {
            Long decided = firstDecision.get(r.requestId());
            if (w.contains(r.timeMs()) && decided != null) {
                latencies.add(decided - r.timeMs());
            }
        }
        return OutputTally.percentile(latencies, 0.99);
    }

    /**
     * The figures for the requests sent in the window; a request waited when its latency exceeds
     * {@code normalP99Ms} or it never got a decision.
     */
    public Figures during(Window w, long normalP99Ms) {
        long sent = 0;
        long waiting = 0;
        long undecided = 0;
        for (Timed r : requests) {
            if (!w.contains(r.timeMs())) {
                continue;
            }
            sent++;
            Long decided = firstDecision.get(r.requestId());
            if (decided == null) {
                undecided++;
                waiting++;
            } else if (decided - r.timeMs() > normalP99Ms) {
                waiting++;
            }
        }
        return new Figures(
                (w.toMs() - w.fromMs()) / 1000.0, longestGapMs(w) / 1000.0, sent, waiting, undecided, p99Ms(w));
    }

    /** The longest stretch in the window with a request waiting and no decision published, in milliseconds. */
    public long longestGapMs(Window w) {
        // The times some request was waiting: the union of [request, its first decision), clipped to the window.
        List<long[]> waiting = new ArrayList<>();
        long[] open = null;
        for (Timed r : requests) {
            long start = Math.max(r.timeMs(), w.fromMs());
            long end = Math.min(firstDecision.getOrDefault(r.requestId(), Long.MAX_VALUE), w.toMs());
            if (end <= start) {
                continue;
            }
            // Requests come sorted by time, so the starts only grow.
            if (open != null && start <= open[1]) {
                open[1] = Math.max(open[1], end);
            } else {
                open = new long[] {start, end};
                waiting.add(open);
            }
        }
        long longest = 0;
        for (long[] stretch : waiting) {
            // Every decision published inside a waiting stretch cuts it.
            int i = firstAfter(stretch[0]);
            long from = stretch[0];
            for (; i < decisionTimes.length && decisionTimes[i] < stretch[1]; i++) {
                longest = Math.max(longest, decisionTimes[i] - from);
                from = decisionTimes[i];
            }
            longest = Math.max(longest, stretch[1] - from);
        }
        return longest;
    }

    private int firstAfter(long t) {
        int i = Arrays.binarySearch(decisionTimes, t + 1);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && decisionTimes[i - 1] > t) {
            i--;
        }
        return i;
    }
}
