package org.pricingengine.features.flink;

import java.io.Serializable;
import java.time.Duration;

/**
 * What the item operator works out for the policy beyond the catalog entry, and how.
 *
 * @param demandHalfLife        how fast past purchases fade from an item's expected demand
 * @param competitorPriceTtl    how long a competitor's price counts after it was observed (event time)
 * @param maxCompetitorsPerItem how many competitors' prices an item keeps; the oldest observation goes first
 * @param fairnessWindow        how long an item's fairness window stays open; zero: no windows
 */
public record ItemFacts(
        Duration demandHalfLife, Duration competitorPriceTtl, int maxCompetitorsPerItem, Duration fairnessWindow)
        implements Serializable {

    /** Demand with a week's half-life, competitor prices for a day, 16 of them, one-hour fairness windows. */
    public static ItemFacts defaults() {
        return new ItemFacts(Duration.ofDays(7), Duration.ofHours(24), 16, Duration.ofHours(1));
    }

    public ItemFacts {
        if (maxCompetitorsPerItem < 1) {
            throw new IllegalArgumentException("an item keeps at least one competitor price");
        }
    }
}
