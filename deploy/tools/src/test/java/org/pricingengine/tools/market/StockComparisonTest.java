package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;

class StockComparisonTest {
    private static final long HOUR = 3_600_000;

    /** A round with the stock rule on or off: a scarce item bought five times, an unlimited one twice. */
    private static StockComparison.Run run(boolean enabled, double price, long lowStock, long overstock) {
        World.Stock stock = new World.Stock(1, List.of(new World.StockClass("scarce", 1.0, 2.0, null, null)));
        StockLedger ledger = new StockLedger(stock, 3);
        ledger.open("a", 1.0, 0); // 2 units
        for (int k = 0; k < 5; k++) {
            ledger.buy("a", HOUR, price, 6.0);
        }
        ledger.buy("unseen", HOUR, 4.0, 3.0);
        ledger.buy("unseen", HOUR, 4.0, 3.0);
        LoopReport.Counts counts = new LoopReport.Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        LoopResult result = LoopReport.summarise("w", "v1", 1, List.of(), counts, new double[] {0})
                .result();
        Map<String, Long> codes = Map.of(
                org.pricingengine.job.policy.ReasonCode.LOW_STOCK.code(),
                lowStock,
                org.pricingengine.job.policy.ReasonCode.OVERSTOCK.code(),
                overstock,
                "at_list_price",
                100L);
        return new StockComparison.Run(
                enabled ? "stock-on" : "stock-off",
                enabled,
                result,
                new LoopReport.StockReport(200, codes, ledger.result()));
    }

    @Test
    void theComparisonPutsBothRunsSideBySideWithTheirDifference(@TempDir Path dir) throws Exception {
        World w = World.parse(WorldTest.VALID);
        StockComparison.Result r = StockComparison.of(
                w, 1000, Map.of("stock.low-cover", "1050s"), List.of(run(true, 12.0, 50, 20), run(false, 10.0, 0, 0)));
        StockComparison.Row on = r.runs().get(0);
        assertEquals(4, on.unitsSold(), "two units of the scarce item and two unlimited");
        assertEquals(32.0, on.revenue(), 1e-9);
        assertEquals(14.0, on.margin(), 1e-9);
        assertEquals(3, on.lostSales());
        assertEquals(18.0, on.lostMargin(), 1e-9);
        assertEquals(0, on.unitsLeft());
        assertEquals(1, on.itemsOutOfStockAtEnd());
        assertEquals(Map.of("scarce", 0L), on.unitsLeftByClass());
        assertEquals(0.25, on.lowStockShare(), 1e-9);
        assertEquals(0.1, on.overstockShare(), 1e-9);

        StockComparison.write(dir, r);
        String md = Files.readString(dir.resolve("stock-comparison.md"));
        assertTrue(md.contains("| realized margin | 14.00 | 10.00 | +4.00 |"), md);
        assertTrue(md.contains("| lost margin | 18.00 | 12.00 | +6.00 |"), md);
        assertTrue(md.contains("`stock.low-cover=1050s`"), md);
        JsonNode json = Json.mapper().readTree(Files.readString(dir.resolve("stock-comparison.json")));
        assertEquals("stock-off", json.get("runs").get(1).get("variant").asText());
        assertEquals(3, json.get("runs").get(1).get("lost_sales").asInt());
        assertTrue(Files.size(dir.resolve("stock-comparison.png")) > 1000);
    }
}
