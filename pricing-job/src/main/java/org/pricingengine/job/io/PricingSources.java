package org.pricingengine.job.io;

import org.apache.flink.api.connector.source.Source;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.scoring.ServingControl;

/**
 * The job's inputs, already parsed: a record that fails validation arrives as a dead letter.
 * {@link KafkaEndpoints#sources} builds them from the configuration; tests and tools may bring their own.
 *
 * @param feedbackOutcomes the job's own feedback outcomes read back (committed ones only), which the
 *                         price-response learner learns from; null: no learning, the policy uses its prior
 * @param servingControl   the model-control records (hot swap of models); null: the job serves the versions
 *                         it was started with
 * @param competitorPrices competitors' observed prices; null: no competitor input, no competitor guardrail
 * @param erasureRequests  shoppers to forget, parsed like the other inputs (an erasure or a dead letter);
 *                         null: no erasures are read
 */
public record PricingSources(
        Source<InboundRecord, ?, ?> behaviourEvents,
        Source<InboundRecord, ?, ?> catalogUpdates,
        Source<InboundRecord, ?, ?> priceRequests,
        Source<FeedbackOutcome, ?, ?> feedbackOutcomes,
        Source<ServingControl, ?, ?> servingControl,
        Source<InboundRecord, ?, ?> competitorPrices,
        Source<InboundRecord, ?, ?> erasureRequests) {

    public PricingSources(
            Source<InboundRecord, ?, ?> behaviourEvents,
            Source<InboundRecord, ?, ?> catalogUpdates,
            Source<InboundRecord, ?, ?> priceRequests,
            Source<FeedbackOutcome, ?, ?> feedbackOutcomes,
            Source<ServingControl, ?, ?> servingControl) {
        this(behaviourEvents, catalogUpdates, priceRequests, feedbackOutcomes, servingControl, null, null);
    }

    public PricingSources(
            Source<InboundRecord, ?, ?> behaviourEvents,
            Source<InboundRecord, ?, ?> catalogUpdates,
            Source<InboundRecord, ?, ?> priceRequests,
            Source<FeedbackOutcome, ?, ?> feedbackOutcomes) {
        this(behaviourEvents, catalogUpdates, priceRequests, feedbackOutcomes, null);
    }

    /** Sources without the feedback read-back: nothing is learned while the job runs. */
    public PricingSources(
            Source<InboundRecord, ?, ?> behaviourEvents,
            Source<InboundRecord, ?, ?> catalogUpdates,
            Source<InboundRecord, ?, ?> priceRequests) {
        this(behaviourEvents, catalogUpdates, priceRequests, null, null);
    }

    /** The same sources with competitor prices read from {@code prices} (null: none). */
    public PricingSources withCompetitorPrices(Source<InboundRecord, ?, ?> prices) {
        return new PricingSources(
                behaviourEvents,
                catalogUpdates,
                priceRequests,
                feedbackOutcomes,
                servingControl,
                prices,
                erasureRequests);
    }

    /** The same sources with erasure requests read from {@code erasures} (null: none). */
    public PricingSources withErasureRequests(Source<InboundRecord, ?, ?> erasures) {
        return new PricingSources(
                behaviourEvents,
                catalogUpdates,
                priceRequests,
                feedbackOutcomes,
                servingControl,
                competitorPrices,
                erasures);
    }
}
