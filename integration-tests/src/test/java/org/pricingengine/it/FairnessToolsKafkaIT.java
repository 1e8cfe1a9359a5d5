package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.fairness.ExplainDecision;
import org.pricingengine.tools.fairness.FairnessFigures;
import org.pricingengine.tools.fairness.FairnessReport;
import org.pricingengine.tools.fairness.LoggedDecision;

/**
 * The fairness report and {@code explain} read the job's topics as the job writes them: keyed by user over
 * several partitions, transactional (an aborted record is never read), a decision published twice counted
 * once. Item A is quoted 9, 10 and 8 (list 10) to three shoppers in one hour; one fallback has no price.
 */
class FairnessToolsKafkaIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    private static final String DECISIONS = "fair.price-decisions";
    private static final String FEEDBACK = "fair.feedback-outcomes";
    private static final String D1 = "0b6d2f0e-1c53-4a3e-9b7e-2f1d8e7c6a51";
    private static final String D2 = "5c0f5d9a-73f4-4e0b-8a35-6a5d3c1b2e90";
    private static final String D3 = "9e1a4b7c-2d8f-4c6e-a1b3-7f9d0e5c4a28";
    private static final String FALLBACK = "c3d2e1f0-4b5a-4978-8a6b-1c2d3e4f5a6b";
    private static final String ABORTED = "e4f5a6b7-c8d9-4e0f-9a1b-2c3d4e5f6a7b";
    private static final PricingConfig CONFIG = PricingConfig.of(Map.of());

    @BeforeAll
    static void publish() throws Exception {
        KAFKA.createTopics(3, List.of(DECISIONS, FEEDBACK));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, DECISIONS, "u1", decision(D1, "u1", 9.0, 0, 5));
            send(producer, DECISIONS, "u2", decision(D2, "u2", 10.0, 4, 20));
            send(producer, DECISIONS, "u3", decision(D3, "u3", 8.0, 2, 40));
            send(producer, DECISIONS, "u2", decision(D2, "u2", 10.0, 4, 20));
            send(
                    producer,
                    DECISIONS,
                    "u4",
                    "{\"decision_id\":\"" + FALLBACK + "\",\"user_id\":\"u4\",\"item_id\":\"C\","
                            + "\"reason_codes\":[\"FALLBACK_UNKNOWN_ITEM\"],\"guardrails\":[],\"fallback\":true,"
                            + "\"personalized\":false,\"request_time\":\"2019-10-01T10:30:00Z\",\"user_history_events\":0}");
            send(producer, FEEDBACK, "u1", outcome(D1, "u1", "purchase", 9.0));
            send(producer, FEEDBACK, "u3", outcome(D3, "u3", "none", 0.0));
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, DECISIONS, "u5", decision(ABORTED, "u5", 5.0, 1, 10));
            producer.flush();
            producer.abortTransaction();
        }
    }

    @Test
    void theReportCountsCommittedDecisionsOnceEach() {
        List<LoggedDecision> decisions = FairnessReport.decisionsFromTopic(KAFKA.bootstrapServers(), CONFIG, DECISIONS);
        Map<String, String> outcomes = FairnessReport.outcomesFromTopic(KAFKA.bootstrapServers(), CONFIG, FEEDBACK);
        FairnessFigures.Figures f = FairnessFigures.compute(decisions, outcomes, Map.of("u1", "vip"), 10);

        assertEquals(4, f.decisions(), "the re-issued decision counts once, the aborted one not at all");
        assertEquals(3, f.priced());
        assertEquals(1, f.fallbacks());
        assertEquals(2, f.withOutcome());
        assertEquals(0.2, f.maxSpread());
        assertEquals(new FairnessFigures.HigherPrice(1, 3, 2, 0.666667, 15.0, 10.0), f.higherPrice());
        FairnessFigures.SegmentPrices returning = f.dimension("new_vs_returning").stream()
                .filter(s -> s.segment().equals("returning"))
                .findFirst()
                .orElseThrow();
        // u2 (10) and u3 (8): mean 0.9 of list; u3's outcome is none.
        assertEquals(2, returning.decisions());
        assertEquals(0.9, returning.meanPriceToList());
        assertEquals(0.0, returning.conversion());
        assertEquals(
                List.of("mobile", "unknown"),
                f.dimension("device").stream()
                        .map(FairnessFigures.SegmentPrices::segment)
                        .toList());
    }

    @Test
    void explainFindsADecisionAndItsOutcomeInTheShoppersPartition() throws Exception {
        ExplainDecision.Search search = ExplainDecision.find(KAFKA.bootstrapServers(), CONFIG, DECISIONS, D1, "u1", 0);
        assertEquals(1, search.extent().partitions());
        assertEquals(D1, search.decision().decisionId());

        String text = run(0, "--decision", D1, "--user", "u1");
        assertTrue(text.contains("Quoted 9.00, 10.0% below the list price of 10.00."), text);
        assertTrue(text.contains("exploration price: yes"), text);
        assertTrue(text.contains("Price set by an algorithm"), text);
        assertTrue(text.contains("purchase, revenue 9.00"), text);

        JsonNode json = Json.mapper().readTree(run(0, "--decision", D3, "--json"));
        assertEquals(8.0, json.path("price").asDouble());
        assertEquals("reason_codes", json.path("explained_from").asText());
        assertEquals("none", json.path("outcome").path("outcome").asText());
        assertEquals("GUARDRAIL", json.path("factors").get(3).path("factor").asText());

        JsonNode withoutOutcome = Json.mapper().readTree(run(0, "--decision", D2, "--json"));
        assertTrue(withoutOutcome.path("outcome").isMissingNode());
    }

    @Test
    void explainSaysSoWhenTheDecisionIsNotThere() throws Exception {
        String err = run(1, "--decision", ABORTED);
        assertTrue(err.contains("no decision " + ABORTED) && err.contains("all 3 partitions"), err);
        ExplainDecision.Search narrowed =
                ExplainDecision.find(KAFKA.bootstrapServers(), CONFIG, DECISIONS, ABORTED, "u5", 0);
        assertNull(narrowed.decision());
        assertEquals(1, narrowed.extent().partitions());
    }

    /** Runs the command, checks its exit status and returns what it printed (stdout, or stderr on failure). */
    private static String run(int expectedStatus, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--decisions-topic",
                DECISIONS,
                "--feedback-topic",
                FEEDBACK));
        int status = ExplainDecision.run(
                all.toArray(String[]::new),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = (status == 0 ? out : err).toString(StandardCharsets.UTF_8);
        assertEquals(
                expectedStatus, status, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        return printed;
    }

    private static String decision(String id, String user, double price, int history, int minute) {
        return String.format(
                Locale.ROOT,
                "{\"decision_id\":\"%s\",\"request_id\":\"r-%s\",\"user_id\":\"%s\",\"item_id\":\"A\",\"list_price\":10.0,"
                        + "\"price\":%.2f,\"model_version\":\"v1\",\"arm\":\"control\",\"reason_codes\":[\"THOMPSON_DRAW\","
                        + "\"OBJECTIVE_MARGIN\",\"%s\"],\"guardrails\":[\"FLOOR_MAX_DISCOUNT\"],\"fallback\":false,"
                        + "\"personalized\":true,\"disclosure\":\"Price set by an algorithm\","
                        + "\"request_time\":\"2019-10-01T10:%02d:00Z\",\"user_history_events\":%d,\"device\":\"mobile\","
                        + "\"experiment\":{\"group\":\"policy\",\"segment\":\"s1\",\"randomized\":true,"
                        + "\"uniform_pick\":false,\"propensity\":0.5}}",
                id,
                id,
                user,
                price,
                price < 10 ? "DISCOUNTED" : "AT_LIST_PRICE",
                minute,
                history);
    }

    private static String outcome(String id, String user, String outcome, double revenue) {
        return String.format(
                Locale.ROOT,
                "{\"decision_id\":\"%s\",\"user_id\":\"%s\",\"item_id\":\"A\",\"outcome\":\"%s\",\"revenue\":%.2f,"
                        + "\"seconds_to_outcome\":60.0}",
                id,
                user,
                outcome,
                revenue);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String user, String value) {
        producer.send(new ProducerRecord<>(
                topic, user.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fairness-tools-it");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
