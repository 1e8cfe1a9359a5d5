package org.pricingengine.job.policy;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The policy operator's metrics, in its "pricing" group. */
final class DecisionMetrics {
    private final Meter decisionsPerSecond;
    private final Histogram decisionLatencyMs;
    private final Counter fallbackDecisions;
    private final Counter reissuedDecisions;
    private final Counter repeatedRequests;

    DecisionMetrics(MetricGroup operatorMetrics) {
        MetricGroup metrics = operatorMetrics.addGroup("pricing");
        decisionsPerSecond = metrics.meter("decisionsPerSecond", new MeterView(metrics.counter("decisions"), 10));
        // From the request's Kafka timestamp to the decision leaving the policy.
        decisionLatencyMs = metrics.histogram("decisionLatencyMs", new DescriptiveStatisticsHistogram(10_000));
        fallbackDecisions = metrics.counter("fallbackDecisions");
        reissuedDecisions = metrics.counter("reissuedDecisions");
        repeatedRequests = metrics.counter("repeatedRequests");
    }

    /** A new decision; kept and re-issued ones are counted apart. */
    void decided(long latencyMs, boolean fallback) {
        decisionsPerSecond.markEvent();
        decisionLatencyMs.update(latencyMs);
        if (fallback) {
            fallbackDecisions.inc();
        }
    }

    /** A decision published before a restore, given again for its replayed request. */
    void reissued() {
        reissuedDecisions.inc();
    }

    /** A request asked again with the same request id (a client retry), answered with its kept decision. */
    void repeated() {
        repeatedRequests.inc();
    }
}
