package org.pricingengine.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.audit.HostileInputCheck;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile-input check (deploy/hostile-input.sh) in the test suite: the bundled corpus of bad records,
 * each with the verdict it must get, plus 3000 seeded fuzz mutations of valid REES46 records, through
 * the real job on a MiniCluster and a real broker, with no restarts allowed.
 */
class HostileInputIT {
    private static final Path CORPUS = RepoPaths.root().resolve("integration-tests/src/test/resources/hostile-records");
    private static final int FUZZ = 3000;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @Test
    @SuppressWarnings("unchecked")
    void everyBadRecordIsDeadLetteredWithItsReasonAndEveryValidRequestIsPriced() throws Exception {
        HostileInputCheck.Report report = HostileInputCheck.run(
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--records", CORPUS.resolve("behaviour-events.jsonl") + ":behaviour",
                "--records", CORPUS.resolve("price-requests.jsonl") + ":requests",
                "--records", CORPUS.resolve("catalog-updates.jsonl") + ":catalog",
                "--fuzz", Integer.toString(FUZZ), "--seed", "46", "--rows", "2000",
                "--data", RepoPaths.cosmetics().toString(), "--topic-prefix", "it-hostile",
                "--model.dir", RepoPaths.models().toString(), "--job.parallelism", "2");
        Map<String, Object> s = report.summary();
        System.out.println("hostile: " + Json.toJson(s));
        report.examples().forEach(e -> System.out.println("  " + e));

        assertEquals(List.of(), report.problems(), String.join("\n", report.examples()));
        assertEquals("FINISHED", s.get("job"), "no record may fail the job, which may not restart");
        assertEquals(0L, report.count("mismatches"));
        assertEquals(0L, report.count("accepted_but_invalid"));
        assertEquals(0L, report.count("unexplained_dead_letters"));

        Map<String, Map<String, Long>> byOrigin = (Map<String, Map<String, Long>>) s.get("by_origin");
        assertEquals(56L, byOrigin.get("file:behaviour-events.jsonl").get("sent"));
        assertEquals(19L, byOrigin.get("file:price-requests.jsonl").get("sent"));
        assertEquals(10L, byOrigin.get("file:catalog-updates.jsonl").get("sent"));
        assertTrue(byOrigin.get("fuzz").get("sent") >= FUZZ, "duplicates are sent twice: " + byOrigin);
        assertTrue(byOrigin.get("fuzz").get("dead_lettered") > FUZZ / 2, "most mutants are invalid: " + byOrigin);
        assertTrue(byOrigin.get("fuzz").get("accepted") > 100, "some mutants stay valid and are priced: " + byOrigin);

        Map<String, Long> verdicts = (Map<String, Long>) s.get("verdicts");
        for (String reason : List.of("MALFORMED_JSON", "NOT_A_JSON_OBJECT", "MISSING_FIELD", "INVALID_FIELD",
                "INVALID_PRICE", "UNKNOWN_EVENT_TYPE", "TIMESTAMP_OUT_OF_RANGE", "RECORD_TOO_LARGE", "EMPTY_RECORD",
                "DUPLICATE_EVENT", "LATE_EVENT")) {
            assertTrue(verdicts.getOrDefault(reason, 0L) > 0, reason + " among " + verdicts);
        }
        assertEquals(((Number) s.get("dead_letters")).longValue(),
                verdicts.entrySet().stream().filter(e -> !e.getKey().equals("ACCEPT")).mapToLong(Map.Entry::getValue).sum(),
                "every dead letter belongs to exactly one record sent");

        Map<String, Object> delivery = (Map<String, Object>) s.get("delivery");
        assertTrue(((Number) delivery.get("valid_requests")).longValue() > 500, delivery.toString());
        assertEquals(0L, delivery.get("requests_without_decision"), delivery.toString());
        assertEquals(0L, delivery.get("non_identical_duplicates"), "a retried request gets the identical decision");
    }
}
