package org.pricingengine.tools.market;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.features.state.Hashing;

/**
 * The market's true stock and what it sold: a purchase takes a unit; a shopper who would buy an item
 * that is out of stock does not (a lost sale, counted with the margin and revenue it would have
 * brought). Items outside every class of the world's {@code stock} (or every item, in a world without
 * one) have unlimited stock; their sales are counted too, as the class {@value #UNLIMITED}. Event time
 * only moves replenishment: an item is topped up at its first appearance plus every {@code
 * replenish_every_hours}, applied when a record of the item at or after that time comes by. Thread-safe.
 */
public final class StockLedger {
    public static final String UNLIMITED = "(unlimited)";

    /** What one class of items (or all of them) sold, lost and kept. */
    @JsonPropertyOrder({
        "name",
        "items",
        "initial_units",
        "replenished_units",
        "units_sold",
        "revenue",
        "margin",
        "lost_sales",
        "lost_revenue",
        "lost_margin",
        "sellouts",
        "items_out_of_stock_at_end",
        "units_left"
    })
    public record ClassResult(
            @JsonProperty("name") String name,
            @JsonProperty("items") long items,
            @JsonProperty("initial_units") long initialUnits,
            @JsonProperty("replenished_units") long replenishedUnits,
            @JsonProperty("units_sold") long unitsSold,
            @JsonProperty("revenue") double revenue,
            @JsonProperty("margin") double margin,
            @JsonProperty("lost_sales") long lostSales,
            @JsonProperty("lost_revenue") double lostRevenue,
            @JsonProperty("lost_margin") double lostMargin,
            @JsonProperty("sellouts") long sellouts,
            @JsonProperty("items_out_of_stock_at_end") long itemsOutOfStockAtEnd,
            @JsonProperty("units_left") long unitsLeft) {}

    /** The whole market ({@code total}, limited and unlimited items together) and each class. */
    @JsonPropertyOrder({"total", "classes"})
    public record Result(
            @JsonProperty("total") ClassResult total,
            @JsonProperty("classes") List<ClassResult> classes) {}

    /** What a shopper's purchase came to. */
    enum Sale {
        /** A unit was taken. */
        SOLD,
        /** The item has unlimited stock. */
        UNLIMITED,
        /** Out of stock: the shopper leaves without it. */
        LOST
    }

    private static final class Item {
        final String className;
        final long replenishTo;
        final long everyMs;
        final long firstSeenMs;
        long units;
        long nextReplenishMs;

        Item(String className, long units, long replenishTo, long everyMs, long firstSeenMs) {
            this.className = className;
            this.units = units;
            this.replenishTo = replenishTo;
            this.everyMs = everyMs;
            this.firstSeenMs = firstSeenMs;
            this.nextReplenishMs = everyMs > 0 ? firstSeenMs + everyMs : Long.MAX_VALUE;
        }
    }

    private static final class Tally {
        long items;
        long initialUnits;
        long replenishedUnits;
        long unitsSold;
        double revenue;
        double margin;
        long lostSales;
        double lostRevenue;
        double lostMargin;
        long sellouts;
    }

    private final World.Stock stock;
    private final long seed;
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, Tally> tallies = new LinkedHashMap<>();

    /** @param stock the world's stock, or null for unlimited stock everywhere */
    StockLedger(World.Stock stock, long seed) {
        this.stock = stock;
        this.seed = seed;
        if (stock != null) {
            stock.classes().forEach(c -> tallies.put(c.name(), new Tally()));
        }
        tallies.put(UNLIMITED, new Tally());
    }

    /** The item's class by a hash of the seed and the item id, or null for unlimited stock. */
    World.StockClass classOf(String itemId) {
        if (stock == null) {
            return null;
        }
        double u = (Hashing.mixed(seed + ":" + itemId) >>> 11) * 0x1.0p-53;
        double upTo = 0;
        for (World.StockClass c : stock.classes()) {
            upTo += c.share();
            if (u < upTo) {
                return c;
            }
        }
        return null;
    }

    /**
     * Opens the item's stock at its first appearance from its expected demand ({@code unitsPerHour} at
     * list price); returns its units, or null when the item has unlimited stock. Later calls change
     * nothing and return the current units.
     */
    synchronized Long open(String itemId, double unitsPerHour, long timeMs) {
        Item known = items.get(itemId);
        if (known != null) {
            return known.className.equals(UNLIMITED) ? null : known.units;
        }
        World.StockClass c = classOf(itemId);
        if (c == null) {
            items.put(itemId, new Item(UNLIMITED, 0, 0, 0, timeMs));
            tallies.get(UNLIMITED).items++;
            return null;
        }
        long initial = units(c.initialCoverHours(), unitsPerHour);
        boolean replenished = c.replenishEveryHours() != null;
        Item item = new Item(
                c.name(),
                initial,
                replenished ? units(c.replenishToCoverHours(), unitsPerHour) : 0,
                replenished ? Math.max(1, Math.round(c.replenishEveryHours() * 3_600_000)) : 0,
                timeMs);
        items.put(itemId, item);
        Tally t = tallies.get(c.name());
        t.items++;
        t.initialUnits += initial;
        return initial;
    }

    private long units(double coverHours, double unitsPerHour) {
        return Math.max(stock.minUnits(), Math.round(coverHours * unitsPerHour));
    }

    /** Tops the item up for every replenishment due at or before {@code timeMs}; true if its units changed. */
    synchronized boolean replenish(String itemId, long timeMs) {
        Item item = items.get(itemId);
        if (item == null || item.everyMs == 0 || timeMs < item.nextReplenishMs) {
            return false;
        }
        long before = item.units;
        while (item.nextReplenishMs <= timeMs) {
            item.units = Math.max(item.units, item.replenishTo);
            item.nextReplenishMs += item.everyMs;
        }
        tallies.get(item.className).replenishedUnits += item.units - before;
        return item.units != before;
    }

    /**
     * A shopper buys one unit at {@code price} (unit cost {@code cost}) at {@code timeMs}: takes it if the
     * item has one (after any replenishment due by then), else counts a lost sale.
     */
    synchronized Sale buy(String itemId, long timeMs, double price, double cost) {
        replenish(itemId, timeMs);
        Item item = items.get(itemId);
        String name = item == null ? UNLIMITED : item.className;
        Tally t = tallies.get(name);
        if (item != null && !name.equals(UNLIMITED)) {
            if (item.units == 0) {
                t.lostSales++;
                t.lostRevenue += price;
                t.lostMargin += price - cost;
                return Sale.LOST;
            }
            item.units--;
            if (item.units == 0) {
                t.sellouts++;
            }
        }
        t.unitsSold++;
        t.revenue += price;
        t.margin += price - cost;
        return name.equals(UNLIMITED) ? Sale.UNLIMITED : Sale.SOLD;
    }

    /** The item's units now, or null for unlimited stock or an item not seen yet. */
    synchronized Long units(String itemId) {
        Item item = items.get(itemId);
        return item == null || item.className.equals(UNLIMITED) ? null : item.units;
    }

    /** Totals by class (in the world's order, unlimited last) and over all items; money rounded to cents. */
    synchronized Result result() {
        Map<String, long[]> left = new LinkedHashMap<>();
        for (Item item : items.values()) {
            long[] l = left.computeIfAbsent(item.className, k -> new long[2]);
            l[0] += item.units;
            if (item.units == 0 && !item.className.equals(UNLIMITED)) {
                l[1]++;
            }
        }
        List<ClassResult> classes = new ArrayList<>();
        Tally all = new Tally();
        long[] allLeft = new long[2];
        tallies.forEach((name, t) -> {
            long[] l = left.getOrDefault(name, new long[2]);
            classes.add(row(name, t, l));
            all.items += t.items;
            all.initialUnits += t.initialUnits;
            all.replenishedUnits += t.replenishedUnits;
            all.unitsSold += t.unitsSold;
            all.revenue += t.revenue;
            all.margin += t.margin;
            all.lostSales += t.lostSales;
            all.lostRevenue += t.lostRevenue;
            all.lostMargin += t.lostMargin;
            all.sellouts += t.sellouts;
            allLeft[0] += l[0];
            allLeft[1] += l[1];
        });
        return new Result(row("total", all, allLeft), classes);
    }

    private static ClassResult row(String name, Tally t, long[] left) {
        return new ClassResult(
                name,
                t.items,
                t.initialUnits,
                t.replenishedUnits,
                t.unitsSold,
                cents(t.revenue),
                cents(t.margin),
                t.lostSales,
                cents(t.lostRevenue),
                cents(t.lostMargin),
                t.sellouts,
                left[1],
                left[0]);
    }

    private static double cents(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
