package org.pricingengine.job.feedback;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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
import org.pricingengine.job.policy.PriceResponsePosterior;
import org.pricingengine.job.policy.PriceSegments;
import org.pricingengine.job.policy.PriceTraits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keyed by model version ({@link #keyOf}): learns the price response from the job's own feedback outcomes,
 * one Bayesian update per outcome of a model-priced decision ({@link PriceResponsePosterior#update}), and
 * publishes the posterior to the policy after {@code publishEvery} new outcomes or {@code publishInterval},
 * whichever comes first. The posterior is keyed state: checkpointed with the offsets of the feedback
 * read-back, so each outcome counts exactly once across restarts, and carried through savepoints and
 * rollouts. State is one posterior per live model version (its size grows with the number of segments
 * only), dropped when not updated for the posterior TTL.
 */
public class PriceResponseLearner extends KeyedProcessFunction<String, FeedbackOutcome, PriceResponsePosterior> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PriceResponseLearner.class);
    /** The learned coefficients go to the log each time this many more outcomes have been learned. */
    private static final long LOG_EVERY = 50_000;

    private final PolicySettings.PriorSettings prior;
    private final double[] segmentPriceBands;
    /** Learn the shift from all price variation (learning.price-variation=all), or the randomized part only. */
    private final boolean allPriceVariation;

    private final int publishEvery;
    private final long publishIntervalMs;
    private final Duration ttl;

    private transient ValueState<PriceResponsePosterior> posterior;
    private transient ValueState<Long> publishedObservations;
    private transient ValueState<Long> publishTimer;
    private transient Counter learned;
    private transient Counter unlearnable;
    /** Outcomes learned per model version (metric variable model_version), created on a version's first. */
    private transient Map<String, Counter> learnedByVersion;

    public PriceResponseLearner(
            PolicySettings.PriorSettings prior,
            double[] segmentPriceBands,
            boolean allPriceVariation,
            int publishEvery,
            Duration publishInterval,
            Duration ttl) {
        this.prior = prior;
        this.segmentPriceBands = segmentPriceBands;
        this.allPriceVariation = allPriceVariation;
        this.publishEvery = publishEvery;
        this.publishIntervalMs = publishInterval.toMillis();
        this.ttl = ttl;
    }

    /**
     * The learner's key of an outcome (its model version); null when the outcome teaches nothing about
     * price response.
     */
    public static String keyOf(FeedbackOutcome outcome) {
        PriceExperiment e = outcome.experiment();
        if (e == null
                || outcome.fallback()
                || e.segment() == null
                || e.baseLogit() == null
                || e.modelSensitivity() == null
                || e.traits() == null
                || e.traits().length != PriceTraits.COUNT
                || outcome.modelVersion() == null
                || outcome.price() == null
                || outcome.listPrice() == null
                || !(outcome.price() > 0)
                || !(outcome.listPrice() > 0)) {
            return null;
        }
        return outcome.modelVersion();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<PriceResponsePosterior> posteriorDescriptor =
                new ValueStateDescriptor<>("price-response-posterior", Types.POJO(PriceResponsePosterior.class));
        posteriorDescriptor.enableTimeToLive(StateTtl.afterLastWrite(ttl));
        posterior = getRuntimeContext().getState(posteriorDescriptor);
        ValueStateDescriptor<Long> publishedDescriptor =
                new ValueStateDescriptor<>("published-observations", Types.LONG);
        publishedDescriptor.enableTimeToLive(StateTtl.afterLastWrite(ttl));
        publishedObservations = getRuntimeContext().getState(publishedDescriptor);
        publishTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("publish-timer", Types.LONG));
        learned = getRuntimeContext().getMetricGroup().counter("priceResponseOutcomesLearned");
        // Outcomes of a segment this job does not know (decisions made under other band settings).
        unlearnable = getRuntimeContext().getMetricGroup().counter("priceResponseOutcomesUnlearnable");
        learnedByVersion = new HashMap<>();
    }

    @Override
    public void processElement(FeedbackOutcome outcome, Context ctx, Collector<PriceResponsePosterior> out)
            throws Exception {
        PriceExperiment e = outcome.experiment();
        int segment = PriceSegments.index(e.segment(), segmentPriceBands);
        if (segment < 0) {
            unlearnable.inc();
            return;
        }
        PriceResponsePosterior next = posterior.value();
        if (next == null || !next.fits(PriceSegments.count(segmentPriceBands))) {
            // None yet, or one restored from a version of the job that laid its parameters out otherwise.
            next = PriceResponsePosterior.prior(ctx.getCurrentKey(), PriceSegments.count(segmentPriceBands), prior);
        }
        double logPriceRatio = Math.log(outcome.price() / outcome.listPrice());
        // All variation: nothing of the price is held back from the regressor. Randomized only: the
        // policy's expected price is, and a price that was not randomized teaches the level alone.
        double expectedLogPriceRatio =
                allPriceVariation ? 0 : e.randomized() ? e.expectedLogPriceRatio(outcome.listPrice()) : logPriceRatio;
        if (!next.update(
                segment,
                e.traits(),
                e.baseLogit(),
                e.modelSensitivity(),
                logPriceRatio,
                expectedLogPriceRatio,
                outcome.purchased())) {
            unlearnable.inc();
            return;
        }
        posterior.update(next);
        learned.inc();
        learnedByVersion
                .computeIfAbsent(ctx.getCurrentKey(), v -> getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("priceResponse")
                        .addGroup("model_version", v)
                        .counter("outcomesLearned"))
                .inc();
        Long published = publishedObservations.value();
        if (next.observations - (published == null ? 0 : published) >= publishEvery) {
            publish(next, published, out);
        } else if (publishTimer.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + publishIntervalMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            publishTimer.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PriceResponsePosterior> out) throws Exception {
        publishTimer.clear();
        PriceResponsePosterior current = posterior.value();
        Long published = publishedObservations.value();
        if (current != null && current.observations > (published == null ? 0 : published)) {
            publish(current, published, out);
        }
    }

    private void publish(PriceResponsePosterior current, Long published, Collector<PriceResponsePosterior> out)
            throws Exception {
        if (published == null || current.observations / LOG_EVERY > published / LOG_EVERY) {
            // What the job believes about price response, traceable in the TaskManager log.
            LOG.info("Price response learned for model {}", current);
        }
        publishedObservations.update(current.observations);
        // A copy: with state on the heap, the next update must not change what was published.
        out.collect(current.copy());
    }
}
