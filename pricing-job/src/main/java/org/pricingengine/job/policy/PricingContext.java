package org.pricingengine.job.policy;

/**
 * Who asks, and what the job has learned about requests like this one: what the exploring policy needs
 * beyond the item and the model's curve.
 *
 * @param decisionId     seeds the request's random draws, so the same request always gets the same price
 * @param userId         decides the holdout group
 * @param segment        the request's learning segment ({@link PriceSegments})
 * @param traits         the request's {@link PriceTraits}; null: unknown (logged as such, learned from not)
 * @param posterior      the request's posterior for the model that scored it; null: the prior
 * @param featuresLogged whether the request's model input goes to the decision-features topic if randomized
 */
public record PricingContext(
        String decisionId,
        String userId,
        String segment,
        double[] traits,
        SegmentPosterior posterior,
        boolean featuresLogged) {}
