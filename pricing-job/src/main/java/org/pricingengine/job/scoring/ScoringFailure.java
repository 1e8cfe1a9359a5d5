package org.pricingengine.job.scoring;

/**
 * Why a request comes out of scoring without a demand curve. A curve the model did return but that is
 * unusable (NaN, absurd values; see {@link DemandEstimate#isUsable}) is not a scoring failure: it
 * reaches the policy as it is, and the policy judges it.
 */
public enum ScoringFailure {
    /** The item is not in the catalog (or the request has no features): nothing to score. */
    UNKNOWN_ITEM,
    /** The circuit breaker is open: the request skipped the model. */
    CIRCUIT_OPEN,
    /** The model call failed, or its queue was full or shut down. */
    MODEL_ERROR,
    /** The model did not answer within the scoring timeout. */
    MODEL_TIMEOUT
}
