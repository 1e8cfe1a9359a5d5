package org.pricingengine.job.policy;

/** The last price quoted to a user for an item (Flink POJO, kept per user and item). */
public class QuoteMemo {
    public double price;
    public double listPrice;
    public long quoteTimeMs;

    public QuoteMemo() {}

    public QuoteMemo(double price, double listPrice, long quoteTimeMs) {
        this.price = price;
        this.listPrice = listPrice;
        this.quoteTimeMs = quoteTimeMs;
    }
}
