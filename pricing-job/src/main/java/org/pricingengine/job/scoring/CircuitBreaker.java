package org.pricingengine.job.scoring;

import java.util.function.LongSupplier;

/**
 * Stops calling a failing model so the job keeps pricing (at list price) instead of queueing
 * requests behind errors and timeouts. Closed: every request goes to the model; {@code threshold}
 * consecutive failures open it. Open: requests skip the model for {@code cooldownMs}. Then half-open:
 * requests go to the model again; the first success closes the breaker, a failure opens it again.
 * Thread-safe: results arrive on the scoring thread, timeouts on the task thread.
 */
final class CircuitBreaker {
    public enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    private final int threshold;
    private final long cooldownMs;
    private final LongSupplier clock;
    private int consecutiveFailures;
    private long openedAt = -1;
    private long timesOpened;

    public CircuitBreaker(int threshold, long cooldownMs, LongSupplier clock) {
        if (threshold < 1 || cooldownMs < 0) {
            throw new IllegalArgumentException("breaker threshold must be >= 1 and cooldown >= 0");
        }
        this.threshold = threshold;
        this.cooldownMs = cooldownMs;
        this.clock = clock;
    }

    /** Whether a request may go to the model now. */
    public synchronized boolean allowsRequest() {
        return state() != State.OPEN;
    }

    public synchronized State state() {
        if (openedAt < 0) {
            return State.CLOSED;
        }
        return clock.getAsLong() - openedAt < cooldownMs ? State.OPEN : State.HALF_OPEN;
    }

    public synchronized void recordSuccess() {
        consecutiveFailures = 0;
        openedAt = -1;
    }

    public synchronized void recordFailure() {
        consecutiveFailures++;
        State s = state();
        if (s == State.HALF_OPEN || (s == State.CLOSED && consecutiveFailures >= threshold)) {
            openedAt = clock.getAsLong();
            timesOpened++;
        }
    }

    public synchronized long timesOpened() {
        return timesOpened;
    }
}
