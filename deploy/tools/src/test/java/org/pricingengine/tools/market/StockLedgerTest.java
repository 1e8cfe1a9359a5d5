package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StockLedgerTest {
    private static final long HOUR = 3_600_000;

    private static World.Stock oneClass(Double every, Double to) {
        return new World.Stock(1, List.of(new World.StockClass("c", 1.0, 2.0, every, to)));
    }

    @Test
    void purchasesTakeUnitsAnEmptyItemLosesTheSaleAndDeliveriesTopUp() {
        StockLedger ledger = new StockLedger(oneClass(6.0, 4.0), 7);
        // 2 hours of 1.5 units an hour.
        assertEquals(3L, ledger.open("i", 1.5, 0));
        assertEquals(3L, ledger.open("i", 99, HOUR), "a second open changes nothing");
        for (int k = 0; k < 3; k++) {
            assertEquals(StockLedger.Sale.SOLD, ledger.buy("i", HOUR, 10.0, 6.0));
        }
        assertEquals(0L, ledger.units("i"));
        assertEquals(StockLedger.Sale.LOST, ledger.buy("i", 2 * HOUR, 10.0, 6.0));
        assertFalse(ledger.replenish("i", 5 * HOUR), "the first delivery is 6 hours after the first sight");
        // At 6 h the delivery tops up to 4 hours of demand (6 units), then the sale takes one.
        assertEquals(StockLedger.Sale.SOLD, ledger.buy("i", 6 * HOUR, 12.0, 6.0));
        assertEquals(5L, ledger.units("i"));
        assertTrue(ledger.replenish("i", 13 * HOUR), "the 12 h delivery tops up from 5 to 6");
        assertEquals(6L, ledger.units("i"));
        assertFalse(ledger.replenish("i", 17 * HOUR));

        StockLedger.ClassResult c = ledger.result().classes().get(0);
        assertEquals(new StockLedger.ClassResult("c", 1, 3, 7, 4, 42.0, 18.0, 1, 10.0, 4.0, 1, 0, 6), c);
        assertEquals(
                new StockLedger.ClassResult("total", 1, 3, 7, 4, 42.0, 18.0, 1, 10.0, 4.0, 1, 0, 6),
                ledger.result().total());
    }

    @Test
    void withoutDeliveriesAnItemStaysEmptyAndCountsAsOutOfStockAtTheEnd() {
        StockLedger ledger = new StockLedger(oneClass(null, null), 7);
        assertEquals(1L, ledger.open("rare", 0.01, 0), "min_units: never below one unit");
        assertEquals(StockLedger.Sale.SOLD, ledger.buy("rare", HOUR, 5.0, 3.0));
        assertFalse(ledger.replenish("rare", 1000 * HOUR));
        assertEquals(StockLedger.Sale.LOST, ledger.buy("rare", 1000 * HOUR, 5.5, 3.0));
        StockLedger.ClassResult c = ledger.result().classes().get(0);
        assertEquals(1, c.itemsOutOfStockAtEnd());
        assertEquals(1, c.sellouts());
        assertEquals(1, c.lostSales());
        assertEquals(2.5, c.lostMargin(), 1e-9);
        assertEquals(0, c.unitsLeft());
    }

    @Test
    void aWorldWithoutStockSellsWithoutLimitAndStillCountsTheSales() {
        StockLedger ledger = new StockLedger(null, 7);
        assertNull(ledger.open("i", 5, 0));
        for (int k = 0; k < 100; k++) {
            assertEquals(StockLedger.Sale.UNLIMITED, ledger.buy("i", k, 2.0, 1.5));
        }
        assertEquals(StockLedger.Sale.UNLIMITED, ledger.buy("never-opened", 0, 2.0, 1.5));
        assertNull(ledger.units("i"));
        StockLedger.ClassResult u = ledger.result().classes().get(0);
        assertEquals(StockLedger.UNLIMITED, u.name());
        assertEquals(101, u.unitsSold());
        assertEquals(202.0, u.revenue(), 1e-9);
        assertEquals(50.5, u.margin(), 1e-9);
        assertEquals(0, u.lostSales());
    }

    @Test
    void itemsFallIntoClassesByTheirSharesAndTheSeedAloneDecides() {
        World.Stock stock = new World.Stock(
                1,
                List.of(
                        new World.StockClass("a", 0.2, 1.0, null, null),
                        new World.StockClass("b", 0.5, 1.0, null, null)));
        StockLedger one = new StockLedger(stock, 11);
        StockLedger again = new StockLedger(stock, 11);
        StockLedger other = new StockLedger(stock, 12);
        int a = 0;
        int b = 0;
        int unlimited = 0;
        int differs = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            World.StockClass c = one.classOf("item-" + i);
            World.StockClass c2 = again.classOf("item-" + i);
            assertEquals(c == null ? null : c.name(), c2 == null ? null : c2.name());
            if (c == null) {
                unlimited++;
            } else if (c.name().equals("a")) {
                a++;
            } else {
                b++;
            }
            World.StockClass o = other.classOf("item-" + i);
            if ((o == null ? "-" : o.name()).equals(c == null ? "-" : c.name()) == false) {
                differs++;
            }
        }
        // Binomial sd at n = 20,000 is at most 0.0035: 0.015 is over four of them.
        assertEquals(0.2, (double) a / n, 0.015);
        assertEquals(0.5, (double) b / n, 0.015);
        assertEquals(0.3, (double) unlimited / n, 0.015);
        assertTrue(differs > n / 4, "another seed deals the items out anew: " + differs);
    }
}
