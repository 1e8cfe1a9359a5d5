package org.pricingengine.job.policy;

import java.io.Serializable;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig;

/**
 * What the item itself asks of every price, whoever the shopper: its stock against its expected demand,
 * the lowest live competitor price, and the fairness window that keeps shoppers' quotes close together.
 * The formulas are the options' descriptions in {@link PricingConfig} (CONFIGURATION.md).
 *
 * @param stockEnabled             false: stock changes nothing
 * @param lowCoverDays             below this many days of cover the item is scarce
 * @param highCoverDays            above this many days of cover the item is overstocked
 * @param clearanceMaxDiscount     the deepest discount a fully overstocked item may get
 * @param overstockCostRelief      the share of unit cost a fully overstocked item's objective forgets
 * @param minPurchases             purchases seen before an item can be called overstocked
 * @param competitorGuardrail      false: competitor prices bound nothing
 * @param competitorMaxAboveLowest the ceiling's share above the lowest live competitor price
 * @param competitorMatch          ceiling at the lowest live competitor price when the margin floor allows
 * @param fairnessMaxSpread        quotes for one item in one window stay within this share of list; 0: off
 *                                 (without fairness windows, fairness.window 0, the item brings none)
 */
public record ItemRules(
        boolean stockEnabled,
        double lowCoverDays,
        double highCoverDays,
        double clearanceMaxDiscount,
        double overstockCostRelief,
        int minPurchases,
        boolean competitorGuardrail,
        double competitorMaxAboveLowest,
        boolean competitorMatch,
        double fairnessMaxSpread)
        implements Serializable {

    private static final double DAY_MS = 24.0 * 3600 * 1000;

    public static ItemRules from(PricingConfig c) {
        return new ItemRules(
                c.get(PricingConfig.STOCK_ENABLED),
                c.get(PricingConfig.STOCK_LOW_COVER).toMillis() / DAY_MS,
                c.get(PricingConfig.STOCK_HIGH_COVER).toMillis() / DAY_MS,
                c.get(PricingConfig.STOCK_CLEARANCE_MAX_DISCOUNT),
                c.get(PricingConfig.STOCK_OVERSTOCK_COST_RELIEF),
                c.get(PricingConfig.STOCK_MIN_PURCHASES),
                c.get(PricingConfig.COMPETITOR_GUARDRAIL),
                c.get(PricingConfig.COMPETITOR_MAX_ABOVE_LOWEST),
                c.get(PricingConfig.COMPETITOR_MATCH),
                c.get(PricingConfig.FAIRNESS_MAX_SPREAD));
    }

    /**
     * The item's stock against its expected demand. Without inventory the item is neither scarce nor
     * overstocked; without a demand estimate only an empty shelf counts (as fully scarce).
     */
    public StockPosition stockOf(ItemSnapshot item) {
        if (!stockEnabled || item.inventory() == null) {
            return StockPosition.NONE;
        }
        long inventory = item.inventory();
        Double demand = item.dailyDemand();
        if (inventory == 0) {
            return new StockPosition(inventory, demand, 0.0, 1.0, 0.0);
        }
        if (demand == null || !(demand > 0)) {
            return new StockPosition(inventory, demand, null, 0.0, 0.0);
        }
        double cover = inventory / demand;
        double scarcity = lowCoverDays > 0 ? clamp01(1 - cover / lowCoverDays) : 0;
        double glut = item.purchases() >= minPurchases && highCoverDays > 0
                ? clamp01((cover - highCoverDays) / highCoverDays)
                : 0;
        return new StockPosition(inventory, demand, cover, scarcity, glut);
    }

    /** The competitor ceiling for the lowest live competitor price; null without one or with the guardrail off. */
    public Double competitorCeiling(Double lowestCompetitorPrice, double marginFloor) {
        if (!competitorGuardrail || lowestCompetitorPrice == null) {
            return null;
        }
        if (competitorMatch && lowestCompetitorPrice >= marginFloor) {
            return lowestCompetitorPrice;
        }
        return lowestCompetitorPrice * (1 + competitorMaxAboveLowest);
    }

    private static double clamp01(double x) {
        return Math.max(0, Math.min(1, x));
    }

    /**
     * An item's stock against its expected demand.
     *
     * @param coverDays days the inventory lasts at the expected demand; null: unknown
     * @param scarcity  in [0, 1]: 0 plenty, 1 an empty shelf or no cover left
     * @param glut      in [0, 1]: 0 not overstocked, 1 twice the high cover or more
     */
    public record StockPosition(Long inventory, Double dailyDemand, Double coverDays, double scarcity, double glut)
            implements Serializable {
        public static final StockPosition NONE = new StockPosition(null, null, null, 0, 0);

        public boolean scarce() {
            return scarcity > 0;
        }

        public boolean overstocked() {
            return glut > 0;
        }
    }
}
