package org.pricingengine.tools.market;

import java.util.Random;
import org.pricingengine.features.state.Hashing;

/**
 * The truth of a {@link World}: for a shopper and the traits of a request, the probability of a purchase
 * at any price. Shopper effects are drawn from the world's seed and the shopper id alone, so the same
 * shopper has the same hidden taste in every run of the same world.
 */
public final class TrueDemand {
    private final World world;
    private final World.ShapeType shape;
    private final double threshold;
    private final double[] propensityWeights;
    private final double[] sensitivityWeights;

    public TrueDemand(World world) {
        world.validate();
        this.world = world;
        this.shape = world.shape().kind();
        this.threshold = world.shape().threshold() == null ? 0 : world.shape().threshold();
        this.propensityWeights = World.weightsByTrait(world.propensity().weights());
        this.sensitivityWeights = World.weightsByTrait(world.sensitivity().weights());
    }

    public World world() {
        return world;
    }

    /** What a shopper brings that no trait shows: a propensity effect and a sensitivity factor. */
    public record Shopper(double propensityEffect, double sensitivityFactor) {}

    public Shopper shopper(String shopperId) {
        Random r = new Random(world.seed() * 0x9E3779B97F4A7C15L ^ Hashing.hash(shopperId));
        return new Shopper(world.propensity().shopperSd() * r.nextGaussian(), r.nextGaussian());
    }

    /** The true curve of one request. */
    public Curve curve(Traits traits, Shopper shopper) {
        double a = world.propensity().intercept() + shopper.propensityEffect();
        double s = world.sensitivity().spread() * shopper.sensitivityFactor();
        for (World.Trait t : World.Trait.values()) {
            a += propensityWeights[t.ordinal()] * traits.value(t);
            s += sensitivityWeights[t.ordinal()] * traits.value(t);
        }
        return new Curve(shape, threshold, a, world.sensitivity().median() * Math.exp(s));
    }

    /**
     * A request's purchase probability as a function of the price: {@code a} is the log-odds at list
     * price, {@code b} the price sensitivity (for every shape, minus the elasticity of the purchase odds
     * at list price, as in the job's logistic curve).
     */
    public record Curve(World.ShapeType shape, double threshold, double a, double b) {
        public double probability(double price, double listPrice) {
            double r = price / listPrice;
            return switch (shape) {
                case LOGISTIC -> sigmoid(a - b * Math.log(r));
                case LINEAR -> Math.max(0, Math.min(1, sigmoid(a) * (1 + b * (1 - r))));
                case KINKED ->
                    r >= 1 ? sigmoid(a - b * Math.log(r)) : sigmoid(a - b * Math.log(Math.min(1, r / (1 - threshold))));
            };
        }

        /** Expected margin of one request at {@code price}. */
        public double margin(double price, double listPrice, double unitCost) {
            return (price - unitCost) * probability(price, listPrice);
        }
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
