package org.pricingengine.job.feedback;

import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.job.policy.PriceDecision;

/**
 * What attribution joins, in one keyed stream: exactly one of a price decision or a behaviour event of
 * the same user and item. One keyed input leaves the operator's other input free for the erasures,
 * which must reach every item key of a user (broadcast).
 */
public class AttributionInput {
    public PriceDecision decision;
    public BehaviourEvent event;

    public AttributionInput() {}

    public static AttributionInput of(PriceDecision decision) {
        AttributionInput in = new AttributionInput();
        in.decision = decision;
        return in;
    }

    public static AttributionInput of(BehaviourEvent event) {
        AttributionInput in = new AttributionInput();
        in.event = event;
        return in;
    }

    /** The attribution key: user and item. */
    public String key() {
        return decision != null
                ? FeedbackAttributionFunction.keyOf(decision.userId(), decision.itemId())
                : FeedbackAttributionFunction.keyOf(event.userId(), event.itemId());
    }
}
