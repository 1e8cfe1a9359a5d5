package org.pricingengine.job.scoring;

/**
 * The model's demand curve for one request:
 * {@code P(purchase | price) = sigmoid(baseLogit - priceSensitivity * ln(price / listPrice))}.
 */
public record DemandEstimate(double baseLogit, double priceSensitivity) {
    public double conversionAt(double price, double listPrice) {
        double z = baseLogit - priceSensitivity * Math.log(price / listPrice);
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** NaN, infinite or negative-sensitivity outputs are not a usable demand curve. */
    public boolean isUsable() {
        return Double.isFinite(baseLogit)
                && Double.isFinite(priceSensitivity)
                && priceSensitivity >= 0
                && Math.abs(baseLogit) < 50
                && priceSensitivity < 100;
    }
}
