package org.pricingengine.client;

/** The topic names the job was started with (its {@code topic.*} options). */
public record Topics(String behaviourEvents, String catalogUpdates, String priceRequests, String priceDecisions) {

    /** The job's defaults. */
    public static final Topics DEFAULT = withPrefix("pricing");

    /** {@code PREFIX.behaviour-events}, {@code PREFIX.catalog-updates}, ... as deploy/local/kafka.sh creates them. */
    public static Topics withPrefix(String prefix) {
        return new Topics(
                prefix + ".behaviour-events",
                prefix + ".catalog-updates",
                prefix + ".price-requests",
                prefix + ".price-decisions");
    }
}
