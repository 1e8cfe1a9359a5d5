package org.pricingengine.job.policy;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The policy operator's metrics, in its "pricing" group. Totals of the operator, and per model version
 * and arm (metric variables {@code model_version} and {@code arm}, labels in Prometheus): new decisions,
 * discounted ones (price below list), randomized ones (exploration), and fallbacks by their reason
 * (variable {@code reason}, the fallback reason code). The shares an operator watches are ratios of these
 * counters' rates, so they stay exact over any range a dashboard picks.
 */
final class DecisionMetrics {
    /** The reason of a fallback decision whose reasons do not start with a fallback code. */
    static final String UNSPECIFIED_FALLBACK = "FALLBACK_UNSPECIFIED";

    private final Meter decisionsPerSecond;
    private final Histogram decisionLatencyMs;
    private final Counter fallbackDecisions;
    private final Counter reissuedDecisions;
    private final Counter repeatedRequests;
    private final Counter erasures;
    private final PerModelArm<ArmMetrics> arms;
    private final MetricGroup metrics;
    /** Decisions an item rule shaped, by its reason code (variable {@code rule}). */
    private final Map<ReasonCode, Counter> itemRules = new EnumMap<>(ReasonCode.class);

    private static final Set<ReasonCode> ITEM_RULES = EnumSet.of(
            ReasonCode.LOW_STOCK,
            ReasonCode.OVERSTOCK,
            ReasonCode.COMPETITOR_BOUND,
            ReasonCode.COMPETITOR_BELOW_FLOOR,
            ReasonCode.FAIRNESS_BAND);

    DecisionMetrics(MetricGroup operatorMetrics) {
        metrics = operatorMetrics.addGroup("pricing");
        arms = new PerModelArm<>(metrics, ArmMetrics::new);
        decisionsPerSecond = metrics.meter("decisionsPerSecond", new MeterView(metrics.counter("decisions"), 10));
        // From the request's Kafka timestamp to the decision leaving the policy.
        decisionLatencyMs = metrics.histogram("decisionLatencyMs", new DescriptiveStatisticsHistogram(10_000));
        fallbackDecisions = metrics.counter("fallbackDecisions");
        reissuedDecisions = metrics.counter("reissuedDecisions");
        repeatedRequests = metrics.counter("repeatedRequests");
        erasures = metrics.counter("erasuresApplied");
    }

    /** A new decision; kept and re-issued ones are counted apart. */
    void decided(PriceDecision decision, List<ReasonCode> reasons) {
        decisionsPerSecond.markEvent();
        decisionLatencyMs.update(decision.latencyMs());
        ArmMetrics arm = arms.get(decision.modelVersion(), decision.arm());
        arm.decisions.inc();
        if (decision.fallback()) {
            fallbackDecisions.inc();
            arm.fallback(reasons.isEmpty() ? null : reasons.get(0));
        }
        if (decision.price() != null
                && decision.listPrice() != null
                && decision.price() < decision.listPrice() - 1e-9) {
            arm.discounted.inc();
        }
        if (decision.experiment() != null && decision.experiment().randomized()) {
            arm.explored.inc();
        }
        for (ReasonCode reason : reasons) {
            if (ITEM_RULES.contains(reason)) {
                itemRules
                        .computeIfAbsent(
                                reason, r -> metrics.addGroup("rule", r.code()).counter("itemRuleDecisions"))
                        .inc();
            }
        }
    }

    /** A decision published before a restore, given again for its replayed request. */
    void erased() {
        erasures.inc();
    }

    void reissued() {
        reissuedDecisions.inc();
    }

    /** A request asked again with the same request id (a client retry), answered with its kept decision. */
    void repeated() {
        repeatedRequests.inc();
    }

    /** One model version and arm's counters. */
    private static final class ArmMetrics {
        private final MetricGroup group;
        private final Counter decisions;
        private final Counter discounted;
        private final Counter explored;
        /** By fallback reason code. */
        private final Map<String, Counter> fallbacks = new HashMap<>();

        ArmMetrics(MetricGroup group) {
            this.group = group;
            decisions = group.counter("decisions");
            discounted = group.counter("discountedDecisions");
            explored = group.counter("exploredDecisions");
        }

        void fallback(ReasonCode reason) {
            String code = reason != null && reason.isFallback() ? reason.code() : UNSPECIFIED_FALLBACK;
            fallbacks
                    .computeIfAbsent(code, c -> group.addGroup("reason", c).counter("fallbacks"))
                    .inc();
        }
    }
}
