package org.pricingengine.job.io;

import org.apache.flink.api.connector.sink2.Sink;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PublishedDecisionLog;

/**
 * The job's three outputs, and how to read back what the decisions sink has published.
 * {@link KafkaEndpoints#sinks} builds them from the configuration; tests and tools may bring their own.
 *
 * @param publishedDecisions where the policy reads back the decisions published since the last snapshot
 *                           after a restore, to send them again rather than price their requests twice;
 *                           null when there is nothing to read back (exactly-once decisions: a restart
 *                           aborts what was not committed)
 */
public record PricingSinks(
        Sink<PriceDecision> decisions,
        PublishedDecisionLog publishedDecisions,
        Sink<FeedbackOutcome> feedback,
        Sink<DeadLetter> deadLetters) {

    /** Sinks whose decisions are not read back after a restore: replayed requests are priced again. */
    public PricingSinks(Sink<PriceDecision> decisions, Sink<FeedbackOutcome> feedback, Sink<DeadLetter> deadLetters) {
        this(decisions, null, feedback, deadLetters);
    }
}
