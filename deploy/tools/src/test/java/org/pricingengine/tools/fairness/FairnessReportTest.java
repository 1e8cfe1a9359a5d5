package org.pricingengine.tools.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pricingengine.tools.fairness.DecisionJson.priced;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;

/** The command on JSONL logs: what it reads, and the report it writes. */
class FairnessReportTest {
    @Test
    void writesTheReportFromLogs(@TempDir Path dir) throws Exception {
        Path decisions = dir.resolve("decisions.jsonl");
        Files.write(
                decisions,
                List.of(
                        new String(
                                priced("d1", "u1", "A", 10, 9, 5, 0)
                                        .segment("s1")
                                        .bytes(),
                                StandardCharsets.UTF_8),
                        new String(
                                priced("d2", "u2", "A", 10, 10, 20, 4)
                                        .segment("s1")
                                        .bytes(),
                                StandardCharsets.UTF_8),
                        // The same decision again (a re-issue): counted once.
                        new String(
                                priced("d2", "u2", "A", 10, 10, 20, 4)
                                        .segment("s1")
                                        .bytes(),
                                StandardCharsets.UTF_8),
                        new String(
                                priced("d3", "u3", "A", 10, 8, 40, 4)
                                        .segment("s2")
                                        .bytes(),
                                StandardCharsets.UTF_8)));
        Path outcomes = dir.resolve("outcomes.jsonl");
        Files.write(
                outcomes,
                List.of(
                        "{\"decision_id\":\"d1\",\"user_id\":\"u1\",\"outcome\":\"purchase\",\"revenue\":9.0}",
                        "{\"decision_id\":\"d3\",\"user_id\":\"u3\",\"outcome\":\"none\",\"revenue\":0.0}"));
        Path segments = dir.resolve("segments.csv");
        Files.writeString(segments, "user_id,segment\nu1,loyalty\nu3,loyalty\n");
        Path out = dir.resolve("report");

        FairnessReport.Result r = FairnessReport.run(FairnessReport.OPTIONS.parse(
                "--decisions-log", decisions.toString(),
                "--feedback-log", outcomes.toString(),
                "--segments", segments.toString(),
                "--out-dir", out.toString()));

        assertEquals(3, r.figures().decisions());
        assertEquals(2, r.figures().withOutcome());
        // 9, 10, 8 at list 10 in one hour to three shoppers.
        assertEquals(0.2, r.figures().maxSpread());
        assertEquals(
                new FairnessFigures.HigherPrice(1, 3, 2, 0.666667, 15.0, 10.0),
                r.figures().higherPrice());
        FairnessFigures.SegmentPrices loyalty =
                r.figures().dimension("retailer_segment").get(0);
        assertEquals("loyalty", loyalty.segment());
        assertEquals(2, loyalty.decisions());
        assertEquals(0.85, loyalty.meanPriceToList());
        assertEquals(0.5, loyalty.conversion());

        String md = Files.readString(out.resolve(FairnessReport.MARKDOWN));
        assertTrue(md.contains("| 1 | 3 | 2 | 66.7% | 15.00% | 10.00% |"), md);
        assertTrue(md.contains("| A | 2019-10-01T10:00:00Z | 3 | 3 | 10.00 | 8.00 | 10.00 | 20.0% |"), md);
        assertTrue(md.contains("| retailer_segment | loyalty | 2 | 0 | 2 | 0.850 |"), md);
        assertTrue(md.contains("![spread across items per hour](" + FairnessReport.SPREAD_PNG + ")"), md);
        JsonNode json = Json.mapper().readTree(out.resolve(FairnessReport.JSON).toFile());
        assertEquals(3, json.path("decisions").asInt());
        assertEquals(
                0.666667, json.path("higher_price").path("share_above_lowest").asDouble());
        for (String png : List.of(FairnessReport.SEGMENTS_PNG, FairnessReport.SPREAD_PNG)) {
            byte[] head = Files.readAllBytes(out.resolve(png));
            assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', png + " is a PNG");
        }
    }

    @Test
    void needsATopicOrBothLogs(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FairnessReport.run(FairnessReport.OPTIONS.parse(
                        "--decisions-log", dir.resolve("d").toString())));
        assertTrue(e.getMessage().contains("--bootstrap-servers"), e.getMessage());
    }

    @Test
    void readsTheRetailersSegments(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("s.csv");
        Files.writeString(csv, "user_id,segment\n# staff accounts\nu1, staff\n\nu2,public\n");
        assertEquals(Map.of("u1", "staff", "u2", "public"), FairnessReport.readSegments(csv));
        Files.writeString(csv, "u1\n");
        assertThrows(IllegalArgumentException.class, () -> FairnessReport.readSegments(csv));
    }
}
