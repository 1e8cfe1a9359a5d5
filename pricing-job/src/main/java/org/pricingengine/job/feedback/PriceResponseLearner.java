package org.pricingengine.job.feedback;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.features.flink.StateTtl;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.policy.SegmentPosterior;

/**
 * Keyed by segment and model version ({@link #keyOf}): learns the price response from the job's own
 * feedback outcomes, one Bayesian update per outcome of a model-priced decision ({@link
 * SegmentPosterior#updated}), and publishes the posterior to the policy after {@code publishEvery} new
 * outcomes or {@code publishInterval}, whichever comes first. The posterior is keyed state: checkpointed
 * with the offsets of the feedback read-back, so each outcome counts exactly once across restarts, and
 * carried through savepoints and rollouts. State is one posterior per segment and live model version,
 * dropped when not updated for the posterior TTL.
 */
public class PriceResponseLearner extends KeyedProcessFunction<String, FeedbackOutcome, SegmentPosterior> {
    private static final long serialVersionUID = 1L;

    private final PolicySettings.PriorSettings prior;
    private final int publishEvery;
    private final long publishIntervalMs;
    private final Duration ttl;

    private transient ValueState<SegmentPosterior> posterior;
    private transient ValueState<Long> publishedObservations;
    private transient ValueState<Long> publishTimer;
    private transient Counter learned;

    public PriceResponseLearner(
            PolicySettings.PriorSettings prior, int publishEvery, Duration publishInterval, Duration ttl) {
        this.prior = prior;
        this.publishEvery = publishEvery;
        this.publishIntervalMs = publishInterval.toMillis();
        this.ttl = ttl;
    }

    /** The learner's key of an outcome; null when the outcome teaches nothing about price response. */
    public static String keyOf(FeedbackOutcome outcome) {
        PriceExperiment e = outcome.experiment();
        if (e == null
                || outcome.fallback()
                || e.segment() == null
                || e.baseLogit() == null
                || e.modelSensitivity() == null
                || outcome.price() == null
                || outcome.listPrice() == null
                || !(outcome.price() > 0)
                || !(outcome.listPrice() > 0)) {
            return null;
        }
        return SegmentPosterior.keyOf(outcome.modelVersion(), e.segment());
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<SegmentPosterior> posteriorDescriptor =
                new ValueStateDescriptor<>("segment-posterior", Types.POJO(SegmentPosterior.class));
        posteriorDescriptor.enableTimeToLive(StateTtl.afterLastWrite(ttl));
        posterior = getRuntimeContext().getState(posteriorDescriptor);
        ValueStateDescriptor<Long> publishedDescriptor =
                new ValueStateDescriptor<>("published-observations", Types.LONG);
        publishedDescriptor.enableTimeToLive(StateTtl.afterLastWrite(ttl));
        publishedObservations = getRuntimeContext().getState(publishedDescriptor);
        publishTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("publish-timer", Types.LONG));
        learned = getRuntimeContext().getMetricGroup().counter("priceResponseOutcomesLearned");
    }

    @Override
    public void processElement(FeedbackOutcome outcome, Context ctx, Collector<SegmentPosterior> out) throws Exception {
        String key = ctx.getCurrentKey();
        SegmentPosterior current = posterior.value();
        if (current == null) {
            current = SegmentPosterior.prior(key, prior);
        }
        PriceExperiment e = outcome.experiment();
        double logPriceRatio = Math.log(outcome.price() / outcome.listPrice());
        SegmentPosterior next = current.updated(
                e.baseLogit(),
                e.modelSensitivity(),
                logPriceRatio,
                e.randomized() ? e.expectedLogPriceRatio(outcome.listPrice()) : logPriceRatio,
                outcome.purchased());
        posterior.update(next);
        learned.inc();
        Long published = publishedObservations.value();
        if (next.observations - (published == null ? 0 : published) >= publishEvery) {
            publish(next, out);
        } else if (publishTimer.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + publishIntervalMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            publishTimer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SegmentPosterior> out) throws Exception {
        publishTimer.clear();
        SegmentPosterior current = posterior.value();
        Long published = publishedObservations.value();
        if (current != null && current.observations > (published == null ? 0 : published)) {
            publish(current, out);
        }
    }

    private void publish(SegmentPosterior current, Collector<SegmentPosterior> out) throws Exception {
        publishedObservations.update(current.observations);
        out.collect(current);
    }
}
