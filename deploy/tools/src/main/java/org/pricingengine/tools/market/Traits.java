package org.pricingengine.tools.market;

/**
 * What the simulator knows about a request that the job could know too: computed only from what the
 * simulator has sent with an event time before the request's (see {@link World.Trait} for each definition).
 */
public record Traits(
        double priceLevel, double returning, double pastPurchases, double itemInterest, double bargainHunting) {

    public static final Traits NEUTRAL = new Traits(0, 0, 0, 0, 0);

    public double value(World.Trait trait) {
        return switch (trait) {
            case PRICE_LEVEL -> priceLevel;
            case RETURNING -> returning;
            case PAST_PURCHASES -> pastPurchases;
            case ITEM_INTEREST -> itemInterest;
            case BARGAIN_HUNTING -> bargainHunting;
        };
    }

    /** Traits of a request from the shopper's counts before it. */
    public static Traits of(
            double listPrice,
            double referencePrice,
            long earlierEvents,
            long purchases,
            long itemViews,
            long carts,
            long removes) {
        return new Traits(
                Math.log(listPrice / referencePrice),
                earlierEvents > 0 ? 1 : 0,
                Math.log1p(purchases),
                Math.log1p(itemViews),
                removes / (carts + 1.0));
    }
}
