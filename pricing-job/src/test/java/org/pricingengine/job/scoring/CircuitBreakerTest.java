package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final CircuitBreaker breaker = new CircuitBreaker(3, 5_000, now::get);

    @Test
    void opensAfterConsecutiveFailuresAndClosesAfterASuccessfulTrial() {
        breaker.recordFailure();
        breaker.recordFailure();
        breaker.recordSuccess(); // a success in between resets the count
        breaker.recordFailure();
        breaker.recordFailure();
        assertTrue(breaker.allowsRequest());
        breaker.recordFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertFalse(breaker.allowsRequest());

        now.addAndGet(4_999);
        assertFalse(breaker.allowsRequest(), "still cooling down");
        now.addAndGet(1);
        assertEquals(CircuitBreaker.State.HALF_OPEN, breaker.state());
        assertTrue(breaker.allowsRequest());
        breaker.recordSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertEquals(1, breaker.timesOpened());
    }

    @Test
    void aFailedTrialOpensItAgainAtOnce() {
        for (int i = 0; i < 3; i++) {
            breaker.recordFailure();
        }
        now.addAndGet(5_000);
        assertTrue(breaker.allowsRequest());
        breaker.recordFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertEquals(2, breaker.timesOpened());
    }
}
