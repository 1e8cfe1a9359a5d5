package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pricingengine.tools.local.LocalStack;

class WorldTest {
    static final String VALID = """
            {"name": "t", "seed": 1, "cost_ratio": 0.6, "reference_price": 10,
             "propensity": {"intercept": -3, "weights": {"returning": 0.3}, "shopper_sd": 0.5},
             "sensitivity": {"median": 3, "spread": 0.2, "weights": {"bargain_hunting": 0.5}},
             "shape": {"type": "logistic"},
             "carts": {"cart_before_purchase": 0.5, "abandoned_per_purchase": 1}}
            """;

    @Test
    void everyShippedWorldReadsAndHasTheFourShapes() throws Exception {
        Path dir = LocalStack.repositoryRoot().resolve("deploy/worlds");
        List<World> worlds;
        try (Stream<Path> files = Files.list(dir)) {
            worlds = files.filter(f -> f.toString().endsWith(".json"))
                    .map(f -> {
                        try {
                            return World.read(f);
                        } catch (Exception e) {
                            throw new AssertionError(f + ": " + e.getMessage(), e);
                        }
                    })
                    .toList();
        }
        assertTrue(worlds.size() >= 4);
        for (String name : List.of("elastic", "deep-discount", "inelastic", "kinked", "linear")) {
            World w = worlds.stream()
                    .filter(x -> x.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            assertTrue(w.sensitivity().weights().size() >= 3, name + " weighs at least three traits");
        }
    }

    @Test
    void aValidWorldParses() {
        World w = World.parse(VALID);
        assertEquals("t", w.name());
        assertEquals(World.ShapeType.LOGISTIC, w.shape().kind());
    }

    private static String failure(String json) {
        return assertThrows(IllegalArgumentException.class, () -> World.parse(json))
                .getMessage();
    }

    @Test
    void badFieldsAreNamed() {
        assertTrue(failure(VALID.replace("\"seed\": 1,", "")).startsWith("seed: missing"));
        assertTrue(failure(VALID.replace("\"cost_ratio\": 0.6", "\"cost_ratio\": 1.2"))
                .startsWith("cost_ratio:"));
        assertTrue(failure(VALID.replace("\"median\": 3", "\"median\": -1")).startsWith("sensitivity.median:"));
        assertTrue(failure(VALID.replace("\"spread\": 0.2", "\"spred\": 0.2"))
                .startsWith("sensitivity.spred: unknown field"));
        assertTrue(failure(VALID.replace("\"returning\"", "\"loyalty\""))
                .contains("propensity.weights: unknown trait 'loyalty'"));
        assertTrue(failure(VALID.replace("\"logistic\"", "\"cubic\"")).startsWith("shape.type: unknown shape"));
        assertTrue(failure(VALID.replace("\"type\": \"logistic\"", "\"type\": \"kinked\""))
                .startsWith("shape.threshold: missing"));
        assertTrue(failure(VALID.replace("\"shopper_sd\": 0.5", "\"shopper_sd\": \"x\""))
                .startsWith("propensity.shopper_sd:"));
        assertTrue(failure(VALID.replace("\"abandoned_per_purchase\": 1", "\"abandoned_per_purchase\": -1"))
                .startsWith("carts.abandoned_per_purchase:"));
        assertTrue(failure("{").startsWith("not valid JSON"));
    }

    private static String withStock(String stock) {
        return VALID.replace("\"abandoned_per_purchase\": 1}", "\"abandoned_per_purchase\": 1},\n \"stock\": " + stock);
    }

    private static final String STOCK = """
            {"min_units": 1, "classes": [
              {"name": "scarce", "share": 0.3, "initial_cover_hours": 3, "replenish_every_hours": 6, "replenish_to_cover_hours": 3},
              {"name": "overstocked", "share": 0.5, "initial_cover_hours": 150}]}
            """;

    @Test
    void aWorldWithoutStockHasUnlimitedStockAndOneWithStockParsesItsClasses() {
        assertNull(World.parse(VALID).stock(), "no stock field: unlimited stock, as before");
        World w = World.parse(withStock(STOCK));
        assertEquals(1, w.stock().minUnits());
        assertEquals(2, w.stock().classes().size());
        World.StockClass scarce = w.stock().classes().get(0);
        assertEquals(new World.StockClass("scarce", 0.3, 3.0, 6.0, 3.0), scarce);
        World.StockClass over = w.stock().classes().get(1);
        assertNull(over.replenishEveryHours(), "no replenishment");
        assertEquals(w.stock(), w.withSeed(9).stock(), "another seed keeps the stock");
    }

    @Test
    void theShippedStockWorldHasScarceSteadyAndOverstockedItems() throws Exception {
        World w = World.read(LocalStack.repositoryRoot().resolve("deploy/worlds/stock-limited.json"));
        assertEquals(
                List.of("scarce", "steady", "overstocked"),
                w.stock().classes().stream().map(World.StockClass::name).toList());
        assertNull(World.read(LocalStack.repositoryRoot().resolve("deploy/worlds/elastic.json"))
                .stock());
    }

    @Test
    void badStockFieldsAreNamed() {
        assertTrue(failure(withStock(STOCK.replace("\"min_units\": 1, ", ""))).startsWith("stock.min_units: missing"));
        assertTrue(failure(withStock(STOCK.replace("\"share\": 0.5", "\"share\": 0.8")))
                .startsWith("stock.classes: the shares add up to"));
        assertTrue(failure(withStock(STOCK.replace("\"overstocked\"", "\"scarce\"")))
                .startsWith("stock.classes[1].name: 'scarce' appears twice"));
        assertTrue(failure(withStock(STOCK.replace("\"initial_cover_hours\": 150", "\"initial_cover_hours\": -1")))
                .startsWith("stock.classes[1].initial_cover_hours:"));
        assertTrue(failure(withStock(STOCK.replace(", \"replenish_every_hours\": 6", "")))
                .startsWith("stock.classes[0].replenish_to_cover_hours: only with replenish_every_hours"));
        assertTrue(failure(withStock(STOCK.replace(", \"replenish_to_cover_hours\": 3", "")))
                .startsWith("stock.classes[0].replenish_to_cover_hours: missing"));
        assertTrue(failure(withStock(STOCK.replace("\"share\": 0.3", "\"shares\": 0.3")))
                .contains("shares: unknown field"));
        assertTrue(failure(withStock("{\"min_units\": 1, \"classes\": []}"))
                .startsWith("stock.classes: missing or empty"));
    }

    @Test
    void competitorsAreCheckedLikeEveryOtherField() {
        String feed = "{\"competitors\": 3, \"coverage\": 0.8, \"mean_offset\": 0.01, \"positioning_sd\": 0.03,"
                + " \"price_sd\": 0.02, \"redraw_hours\": 0.25, \"undercut_share\": 0.05, \"undercut_min\": 0.1,"
                + " \"undercut_max\": 0.2}";
        String json = VALID.replace(
                "\"abandoned_per_purchase\": 1}", "\"abandoned_per_purchase\": 1},\n \"competitors\": " + feed);
        assertEquals(3, World.parse(json).competitors().competitors());
        assertTrue(
                failure(json.replace("\"coverage\": 0.8", "\"coverage\": 1.8")).startsWith("competitors.coverage:"));
        assertTrue(failure(json.replace("\"undercut_max\": 0.2", "\"undercut_max\": 0.05"))
                .startsWith("competitors.undercut_max:"));
    }
}
