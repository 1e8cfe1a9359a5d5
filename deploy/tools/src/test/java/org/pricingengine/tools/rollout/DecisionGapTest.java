package org.pricingengine.tools.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.tools.rollout.DecisionGap.Timed;
import org.pricingengine.tools.rollout.DecisionGap.Window;

class DecisionGapTest {
    private static Timed t(String id, long ms) {
        return new Timed(id, ms);
    }

    /** Three steady requests, then a restart from 2000 to 5000 ms that held back requests r3 and r4. */
    private static DecisionGap restart() {
        return new DecisionGap(
                List.of(
                        t("r0", 500),
                        t("r1", 1000),
                        t("r2", 1100),
                        t("r7", 1950),
                        t("r3", 2000),
                        t("r4", 2500),
                        t("r5", 5050),
                        t("r6", 5500),
                        t("r3", 2400)), // a client retry: the request counts from its first record
                List.of(
                        t("r0", 530),
                        t("r1", 1010),
                        t("r2", 1120),
                        t("r7", 1990),
                        t("r3", 5000),
                        t("r5", 5060),
                        t("r4", 5100),
                        t("r3", 5200))); // a repeated decision: published, but the latency is the first one's
    }

    @Test
    void steadyP99IsTheNearestRankOverTheWindowsDecidedRequests() {
        assertEquals(30, restart().p99Ms(new Window(0, 1500)), "latencies 30, 10, 20");
        assertEquals(0, restart().p99Ms(new Window(6000, 7000)), "no request in the window");
        List<Timed> requests = new ArrayList<>();
        List<Timed> decisions = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            requests.add(t("q" + i, 10_000L * i));
            decisions.add(t("q" + i, 10_000L * i + i));
        }
        assertEquals(198, new DecisionGap(requests, decisions).p99Ms(new Window(0, 3_000_000)));
    }

    @Test
    void aRestartIsMeasuredFromTheRequestsItHeldBack() {
        DecisionGap gap = restart();
        DecisionGap.Figures f = gap.during(new Window(1900, 6000), 30);
        // r3 waits from 2000 with nothing published until r3's decision at 5000; r6 waits 500 ms until the window ends.
        assertEquals(3.0, f.gapSeconds());
        assertEquals(4.1, f.windowSeconds());
        assertEquals(5, f.requests(), "r7, r3, r4, r5, r6");
        assertEquals(4, f.waitingRequests(), "r7 (40 ms), r3, r4 over 30 ms, r6 never decided");
        assertEquals(1, f.undecidedRequests());
        assertEquals(3000, f.p99Ms(), "latencies 40, 3000, 2600, 10");
        assertEquals(3, gap.during(new Window(1900, 6000), 2599).waitingRequests(), "r3, r4 and r6");
        assertEquals(1, gap.during(new Window(1900, 6000), 3000).waitingRequests(), "r3's 3000 ms is not over 3000");
    }

    @Test
    void idleStretchesDoNotCountAndAnyDecisionEndsAGap() {
        DecisionGap gap = restart();
        // From 5200 to 5500 nothing is waiting; r6 then waits alone from 5500.
        assertEquals(300, gap.longestGapMs(new Window(5100, 5800)));
        assertEquals(0, gap.longestGapMs(new Window(5200, 5499)), "nothing asked, nothing missing");
        // r4 has waited since 2500; r5's decision at 5060 cuts its wait.
        assertEquals(40, gap.longestGapMs(new Window(5020, 5100)));
    }

    @Test
    void aRequestSentBeforeTheWindowCountsFromTheWindowsStart() {
        DecisionGap gap = new DecisionGap(List.of(t("a", 100), t("b", 700)), List.of(t("a", 900), t("b", 950)));
        assertEquals(400, gap.longestGapMs(new Window(500, 1000)), "a waits from 500, b's wait ends at 950");
        assertEquals(1, gap.during(new Window(500, 1000), 100).requests(), "only b was sent in the window");
        assertThrows(IllegalArgumentException.class, () -> new Window(2, 1));
    }
}
