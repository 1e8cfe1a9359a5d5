package org.pricingengine.tools.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {
    /** Eight decisions as the decisions topic carries them; the last was made during the warm-up. */
    private static final List<String> DECISIONS = List.of(
            decision(
                    "2019-10-01T00:00:00Z",
                    "10.0",
                    "10.0",
                    false,
                    "policy",
                    true,
                    false,
                    3,
                    "THOMPSON_DRAW",
                    "OBJECTIVE_MARGIN",
                    "AT_LIST_PRICE"),
            decision(
                    "2019-10-01T06:00:00Z",
                    "10.0",
                    "9.5",
                    false,
                    "policy",
                    true,
                    false,
                    7,
                    "THOMPSON_DRAW",
                    "OBJECTIVE_MARGIN",
                    "DISCOUNTED"),
            decision(
                    "2019-10-02T00:00:00Z",
                    "20.0",
                    "17.0",
                    false,
                    "policy",
                    true,
                    true,
                    12,
                    "UNIFORM_EXPLORATION",
                    "OBJECTIVE_MARGIN",
                    "DISCOUNTED"),
            decision(
                    "2019-10-02T06:00:00Z",
                    "20.0",
                    "20.0",
                    false,
                    "holdout",
                    false,
                    false,
                    1,
                    "HOLDOUT_LIST_PRICE",
                    "AT_LIST_PRICE"),
            decision(
                    "2019-10-03T00:00:00Z",
                    "8.0",
                    "8.0",
                    true,
                    "policy",
                    false,
                    false,
                    510,
                    "FALLBACK_MODEL_TIMEOUT",
                    "AT_LIST_PRICE"),
            // An item the catalog does not know: no price, no experiment.
            "{\"decision_id\":\"d6\",\"request_time\":\"2019-10-03T06:00:00Z\",\"fallback\":true,"
                    + "\"reason_codes\":[\"FALLBACK_UNKNOWN_ITEM\"],\"latency_ms\":2}",
            decision(
                    "2019-10-03T12:00:00Z",
                    "10.0",
                    "9.5",
                    false,
                    "policy",
                    false,
                    false,
                    4,
                    "STABLE_QUOTE",
                    "DISCOUNTED"),
            decision(
                    "2019-10-01T01:00:00Z",
                    "10.0",
                    "9.1",
                    false,
                    "policy",
                    true,
                    false,
                    900,
                    "THOMPSON_DRAW",
                    "OBJECTIVE_MARGIN",
                    "DISCOUNTED"));

    private static String decision(
            String requestTime,
            String list,
            String price,
            boolean fallback,
            String group,
            boolean randomized,
            boolean uniform,
            long latencyMs,
            String... reasons) {
        return "{\"decision_id\":\"" + requestTime + "\",\"request_time\":\"" + requestTime + "\",\"list_price\":"
                + list + ",\"price\":" + price + ",\"fallback\":" + fallback + ",\"reason_codes\":[\""
                + String.join("\",\"", reasons) + "\"],\"latency_ms\":" + latencyMs + ",\"experiment\":{\"group\":\""
                + group + "\",\"randomized\":" + randomized + ",\"uniform_pick\":" + uniform + "}}";
    }

    private static List<DemoReport.Decision> decisions() throws Exception {
        List<DemoReport.Decision> out = new ArrayList<>();
        for (int i = 0; i < DECISIONS.size(); i++) {
            // The last one was made before latency was counted.
            out.add(DemoReport.parse(DECISIONS.get(i), i < DECISIONS.size() - 1));
        }
        return out;
    }

    @Test
    void reportHoldsTheFiguresOfTheDecisions(@TempDir Path dir) throws Exception {
        Map<String, String> run = new LinkedHashMap<>();
        run.put("data", "fixed.csv");
        run.put("model", "v1 (feature spec fs-1)");
        DemoReport.Figures f = DemoReport.write(dir, run, decisions(), new DemoReport.Outcomes(7, 1, 2, 9.5));

        assertEquals(8, f.decisions());
        assertEquals(7, f.priced());
        assertEquals(2, f.fallbacks());
        assertEquals(3, f.atList());
        assertEquals(4, f.discounted());
        assertEquals(0, f.aboveList());
        assertEquals(6.66 / 7, f.meanPriceToList(), 1e-12);
        assertEquals(0.085, f.meanDiscountWhereDiscounted(), 1e-12);
        assertEquals(0.15, f.deepestDiscount(), 1e-12);
        assertEquals(0.5, f.discountedShare());
        assertEquals(0.5, f.randomizedShare());
        assertEquals(0.125, f.uniformShare());
        assertEquals(0.125, f.holdoutShare());
        assertEquals(0.125, f.stableQuoteShare());
        assertEquals(
                List.of(
                        "DISCOUNTED",
                        "OBJECTIVE_MARGIN",
                        "AT_LIST_PRICE",
                        "THOMPSON_DRAW",
                        "FALLBACK_MODEL_TIMEOUT",
                        "FALLBACK_UNKNOWN_ITEM",
                        "HOLDOUT_LIST_PRICE",
                        "STABLE_QUOTE",
                        "UNIFORM_EXPLORATION"),
                List.copyOf(f.reasonCodes().keySet()));
        assertEquals(4L, f.reasonCodes().get("DISCOUNTED"));
        assertEquals(3L, f.reasonCodes().get("THOMPSON_DRAW"));
        // The warm-up decision's 900 ms is not counted: 1, 2, 3, 4, 7, 12, 510.
        assertEquals(7, f.latencySamples());
        assertEquals(Map.of("p50", 4L, "p90", 510L, "p99", 510L, "p99.9", 510L, "max", 510L), f.latencyPercentilesMs());

        String md = Files.readString(dir.resolve("report.md"));
        for (String line : List.of(
                "| data | fixed.csv |",
                "| decisions | 8 (2 fallbacks, 1 without a price: item not in the catalog) |",
                "| request times | 2019-10-01T00:00:00Z to 2019-10-03T12:00:00Z (the shop's clock) |",
                "| priced (has a price) | 7 | 100.0% |",
                "| at list price | 3 | 42.9% |",
                "| discounted | 4 | 57.1% |",
                "| above list price | 0 | 0.0% |",
                "| mean price / list price | 0.951 |",
                "| mean discount where discounted | 8.5% |",
                "| deepest discount | 15.0% |",
                "| discounted | 50.0% |",
                "| randomized (Thompson draw or uniform pick) | 50.0% |",
                "| uniform exploration | 12.5% |",
                "| holdout (list price) | 12.5% |",
                "| fallback (list price where the model failed or timed out; no price for an unknown item) | 25.0% |",
                "| stable quote (same price as the shopper's last quote) | 12.5% |",
                "| `DISCOUNTED` | 4 | 50.0% |",
                "| `FALLBACK_UNKNOWN_ITEM` | 1 | 12.5% |",
                "over 7 decisions after the warm-up",
                "| p50 | p90 | p99 | p99.9 | max |",
                "| 4 ms | 510 ms | 510 ms | 510 ms | 510 ms |",
                "| 7 | 1 | 2 | 9.50 |")) {
            assertTrue(md.contains(line + "\n") || md.contains(line), () -> "report.md lacks '" + line + "':\n" + md);
        }
        assertTrue(md.indexOf("`DISCOUNTED`") < md.indexOf("`UNIFORM_EXPLORATION`"), "most frequent code first");

        assertEquals(
                List.of(
                        DemoReport.PRICE_TO_LIST_PNG,
                        DemoReport.SHARES_OVER_TIME_PNG,
                        DemoReport.REASON_CODES_PNG,
                        DemoReport.LATENCY_PNG),
                f.charts());
        for (String png : f.charts()) {
            assertTrue(md.contains("![" + png + "](" + png + ")"), png + " is not shown in report.md");
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertNotNull(image, png + " does not decode as an image");
            assertEquals(960, image.getWidth(), png);
        }
        // The list-price bar is drawn in the palette's orange, the discounts in its blue.
        BufferedImage priceToList =
                ImageIO.read(dir.resolve(DemoReport.PRICE_TO_LIST_PNG).toFile());
        assertTrue(hasColour(priceToList, 0xff7f0e), "list-price bar");
        assertTrue(hasColour(priceToList, 0x1f77b4), "discount bars");
        // Fallback reason codes are red among the blue ones.
        BufferedImage reasons =
                ImageIO.read(dir.resolve(DemoReport.REASON_CODES_PNG).toFile());
        assertTrue(hasColour(reasons, 0xd62728), "fallback codes");
        assertEquals(50 + 9 * 26 + 60, reasons.getHeight(), "one row per reason code");
    }

    @Test
    void emptyRunWritesTheTablesWithoutCharts(@TempDir Path dir) throws Exception {
        DemoReport.Figures f =
                DemoReport.write(dir, Map.of("data", "none"), List.of(), new DemoReport.Outcomes(0, 0, 0, 0));
        assertEquals(List.of(), f.charts());
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| decisions | 0 (0 fallbacks, 0 without a price: item not in the catalog) |"), md);
        assertTrue(md.contains("over 0 decisions after the warm-up"), md);
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".png")));
        }
    }

    private static boolean hasColour(BufferedImage image, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }
}
