package org.pricingengine.job.io;

import org.apache.flink.api.connector.sink2.Sink;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PublishedDecisionLog;
import org.pricingengine.job.scoring.ServingReport;

/**
 * The job's outputs, and how to read back what the decisions sink has published.
 * {@link KafkaEndpoints#sinks} builds them from the configuration; tests and tools may bring their own.
 *
 * @param publishedDecisions where the policy reads back the decisions published since the last snapshot
 *                           after a restore, to send them again rather than price their requests twice;
 *                           null when there is nothing to read back (exactly-once decisions: a restart
 *                           aborts what was not committed)
 * @param decisionFeatures   the model input of randomized decisions, for retraining; null: not written
 * @param servingReports     each scoring subtask's answer to the model-control records; null: not written
 */
public record PricingSinks(
        Sink<PriceDecision> decisions,
        PublishedDecisionLog publishedDecisions,
        Sink<FeedbackOutcome> feedback,
        Sink<DeadLetter> deadLetters,
        Sink<DecisionFeatures> decisionFeatures,
        Sink<ServingReport> servingReports) {

    public PricingSinks(
            Sink<PriceDecision> decisions,
            PublishedDecisionLog publishedDecisions,
            Sink<FeedbackOutcome> feedback,
            Sink<DeadLetter> deadLetters,
            Sink<DecisionFeatures> decisionFeatures) {
        this(decisions, publishedDecisions, feedback, deadLetters, decisionFeatures, null);
    }

    public PricingSinks(
            Sink<PriceDecision> decisions,
            PublishedDecisionLog publishedDecisions,
            Sink<FeedbackOutcome> feedback,
            Sink<DeadLetter> deadLetters) {
        this(decisions, publishedDecisions, feedback, deadLetters, null, null);
    }

    /** Sinks whose decisions are not read back after a restore: replayed requests are priced again. */
    public PricingSinks(Sink<PriceDecision> decisions, Sink<FeedbackOutcome> feedback, Sink<DeadLetter> deadLetters) {
        this(decisions, null, feedback, deadLetters, null, null);
    }
}
