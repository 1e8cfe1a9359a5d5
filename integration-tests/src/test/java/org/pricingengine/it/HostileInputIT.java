package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.audit.DeliveryAudit;
import org.pricingengine.tools.audit.HostileInputCheck;

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
    void everyBadRecordIsDeadLetteredWithItsReasonAndEveryValidRequestIsPriced() throws Exception {
        HostileInputCheck.Report report = HostileInputCheck.run(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--records",
                CORPUS.resolve("behaviour-events.jsonl") + ":behaviour",
                "--records",
                CORPUS.resolve("price-requests.jsonl") + ":requests",
                "--records",
                CORPUS.resolve("catalog-updates.jsonl") + ":catalog",
                "--records",
                CORPUS.resolve("competitor-prices.jsonl") + ":competitors",
                "--fuzz",
                Integer.toString(FUZZ),
                "--seed",
                "46",
                "--rows",
                "2000",
                "--data",
                RepoPaths.cosmetics().toString(),
                "--topic-prefix",
                "it-hostile",
                "--model.dir",
                RepoPaths.models().toString(),
                "--job.parallelism",
                "2");
        HostileInputCheck.Summary s = report.summary();
        System.out.println("hostile: " + Json.toJson(s));
        report.examples().forEach(e -> System.out.println("  " + e));

        assertEquals(List.of(), report.problems(), String.join("\n", report.examples()));
        assertEquals("FINISHED", s.job(), "no record may fail the job, which may not restart");
        assertEquals(0L, s.mismatches());
        assertEquals(0L, s.acceptedButInvalid());
        assertEquals(0L, s.unexplainedDeadLetters());

        Map<String, Map<String, Long>> byOrigin = s.byOrigin();
        assertEquals(56L, byOrigin.get("file:behaviour-events.jsonl").get("sent"));
        assertEquals(19L, byOrigin.get("file:price-requests.jsonl").get("sent"));
        assertEquals(10L, byOrigin.get("file:catalog-updates.jsonl").get("sent"));
        assertEquals(14L, byOrigin.get("file:competitor-prices.jsonl").get("sent"));
        assertEquals(1L, byOrigin.get("file:competitor-prices.jsonl").get("accepted"));
        assertTrue(byOrigin.get("fuzz").get("sent") >= FUZZ, "duplicates are sent twice: " + byOrigin);
        assertTrue(byOrigin.get("fuzz").get("dead_lettered") > FUZZ / 2, "most mutants are invalid: " + byOrigin);
        assertTrue(byOrigin.get("fuzz").get("accepted") > 100, "some mutants stay valid and are priced: " + byOrigin);

        Map<String, Long> verdicts = s.verdicts();
        for (String reason : List.of(
                "MALFORMED_JSON",
                "NOT_A_JSON_OBJECT",
                "MISSING_FIELD",
                "INVALID_FIELD",
                "INVALID_PRICE",
                "UNKNOWN_EVENT_TYPE",
                "TIMESTAMP_OUT_OF_RANGE",
                "RECORD_TOO_LARGE",
                "EMPTY_RECORD",
                "DUPLICATE_EVENT",
                "LATE_EVENT")) {
            assertTrue(verdicts.getOrDefault(reason, 0L) > 0, reason + " among " + verdicts);
        }
        assertEquals(
                s.deadLetters(),
                verdicts.entrySet().stream()
                        .filter(e -> !e.getKey().equals("ACCEPT"))
                        .mapToLong(Map.Entry::getValue)
                        .sum(),
                "every dead letter belongs to exactly one record sent");

        DeliveryAudit.Result delivery = s.delivery();
        assertTrue(delivery.validRequests() > 500, delivery.toString());
        assertEquals(0L, delivery.requestsWithoutDecision(), delivery.toString());
        assertEquals(0L, delivery.nonIdenticalDuplicates(), "a retried request gets the identical decision");
    }
}
