package org.pricingengine.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client's own counts and the latency of the decisions it received, kept in memory. Latency is kept
 * for the most recent {@link #WINDOW} decisions, so percentiles describe the present, not the day.
 * Fallbacks of the client (timeouts and the rest) are counted by reason; their wait is the deadline.
 */
public final class ClientMetrics {
    /** How many recent decision latencies the percentiles are taken over. */
    public static final int WINDOW = 8192;

    private final LongAdder requests = new LongAdder();
    private final LongAdder decisions = new LongAdder();
    private final LongAdder jobFallbacks = new LongAdder();
    private final LongAdder unmatchedDecisions = new LongAdder();
    private final LongAdder lateDecisions = new LongAdder();
    private final LongAdder unreadableDecisions = new LongAdder();
    private final Map<Quote.ClientFallback, LongAdder> clientFallbacks = new EnumMap<>(Quote.ClientFallback.class);
    private final long[] latencyMicros = new long[WINDOW];
    private long latencyCount;

    ClientMetrics() {
        for (Quote.ClientFallback why : Quote.ClientFallback.values()) {
            clientFallbacks.put(why, new LongAdder());
        }
    }

    void requested() {
        requests.increment();
    }

    void decided(boolean jobFallback, long micros) {
        decisions.increment();
        if (jobFallback) {
            jobFallbacks.increment();
        }
        synchronized (latencyMicros) {
            latencyMicros[(int) (latencyCount++ % WINDOW)] = micros;
        }
    }

    void fellBack(Quote.ClientFallback why) {
        clientFallbacks.get(why).increment();
    }

    /** A decision for a request this client is not waiting for (another client's, or answered already). */
    void unmatched() {
        unmatchedDecisions.increment();
    }

    /** A decision for a request this client gave up on: the deadline may be too tight. */
    void late() {
        lateDecisions.increment();
    }

    void unreadable() {
        unreadableDecisions.increment();
    }

    public Snapshot snapshot(int pending) {
        long[] window;
        synchronized (latencyMicros) {
            window = Arrays.copyOf(latencyMicros, (int) Math.min(latencyCount, WINDOW));
        }
        Arrays.sort(window);
        Map<String, Long> fallbacks = new java.util.TreeMap<>();
        clientFallbacks.forEach((why, n) -> fallbacks.put(why.name(), n.sum()));
        return new Snapshot(
                requests.sum(),
                decisions.sum(),
                jobFallbacks.sum(),
                fallbacks,
                fallbacks.values().stream().mapToLong(Long::longValue).sum(),
                unmatchedDecisions.sum(),
                lateDecisions.sum(),
                unreadableDecisions.sum(),
                pending,
                window.length,
                percentileMs(window, 0.50),
                percentileMs(window, 0.90),
                percentileMs(window, 0.99),
                window.length == 0 ? Double.NaN : window[window.length - 1] / 1000.0);
    }

    /** Nearest-rank percentile of sorted microseconds, in milliseconds; NaN without data. */
    static double percentileMs(long[] sortedMicros, double q) {
        if (sortedMicros.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sortedMicros.length);
        return sortedMicros[Math.max(0, rank - 1)] / 1000.0;
    }

    /**
     * The counts since the client started. {@code decisions} are the requests the job answered in time
     * ({@code job_fallbacks} of them with a fallback of the job's); {@code client_fallbacks} by reason;
     * latency percentiles over the last {@code latency_samples} decisions (NaN before the first).
     */
    public record Snapshot(
            @JsonProperty("requests") long requests,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("job_fallbacks") long jobFallbacks,
            @JsonProperty("client_fallbacks") Map<String, Long> clientFallbacks,
            @JsonProperty("client_fallbacks_total") long clientFallbacksTotal,
            @JsonProperty("unmatched_decisions") long unmatchedDecisions,
            @JsonProperty("late_decisions") long lateDecisions,
            @JsonProperty("unreadable_decisions") long unreadableDecisions,
            @JsonProperty("pending") int pending,
            @JsonProperty("latency_samples") int latencySamples,
            @JsonProperty("p50_ms") double p50Ms,
            @JsonProperty("p90_ms") double p90Ms,
            @JsonProperty("p99_ms") double p99Ms,
            @JsonProperty("max_ms") double maxMs) {

        public long timeouts() {
            return clientFallbacks.getOrDefault(Quote.ClientFallback.TIMEOUT.name(), 0L);
        }
    }
}
