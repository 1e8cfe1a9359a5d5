package org.pricingengine.job.policy;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The decisions the job already published, readable again after a restore, so that a request replayed
 * since the last checkpoint gets the decision the shopper was given instead of being priced again.
 */
public interface PublishedDecisionLog extends Serializable {
    /**
     * Decisions published since about {@code sinceMs} (wall-clock) for the users {@code ownsUser}
     * accepts, by decision id; the newest wins.
     */
    Map<String, PriceDecision> readSince(long sinceMs, Predicate<String> ownsUser);
}
