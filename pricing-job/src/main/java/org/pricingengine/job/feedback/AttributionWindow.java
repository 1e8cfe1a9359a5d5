package org.pricingengine.job.feedback;

import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.job.policy.PriceDecision;

/**
 * What is open for one user and item (Flink POJO, keyed state of {@link FeedbackAttributionFunction}):
 * the decisions whose attribution window has not closed, and the carts and purchases a window that is
 * still open could claim. Usually one decision and no event.
 */
public class AttributionWindow {
    public List<PriceDecision> decisions = new ArrayList<>();
    public List<BehaviourEvent> events = new ArrayList<>();

    public AttributionWindow() {}

    /** Whether this is the given user's window (every decision and event of one key has the same user). */
    boolean belongsTo(String userId) {
        if (!decisions.isEmpty()) {
            return userId.equals(decisions.get(0).userId());
        }
        return !events.isEmpty() && userId.equals(events.get(0).userId());
    }
}
