package org.pricingengine.tools.market;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
