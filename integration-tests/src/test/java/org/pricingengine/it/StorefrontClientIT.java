package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.client.BehaviourEvent;
import org.pricingengine.client.CatalogUpdate;
import org.pricingengine.client.ClientMetrics;
import org.pricingengine.client.PriceQuery;
import org.pricingengine.client.PricingClient;
import org.pricingengine.client.QuoteCommand;
import org.pricingengine.client.Topics;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.PriceDecision;

/**
 * A storefront against the running job (MiniCluster, real Kafka broker): the Java client with many
 * requests waiting at once, its deadline and list-price fallback, its bound and its close; the quote
 * command; the Node example (kafkajs). Then the job is drained and everything on its topics, what it
 * wrote and what the storefront wrote, is checked against the topics' JSON Schemas.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorefrontClientIT {
    private static final String PREFIX = "it-storefront";
    private static final TestTopics TOPICS = new TestTopics(PREFIX);
    private static final String FEATURES_TOPIC = PREFIX + ".decision-features";
    private static final int ITEMS = 5;
    private static final int USERS = 20;
    private static final List<String> MALFORMED =
            List.of("{not json", "{\"item_id\":\"no-list-price\",\"update_time\":\"2026-01-01T00:00:00Z\"}", "[1,2]");

    @TempDir
    static Path TEMP;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static JobClient job;
    private static boolean drained;

    @BeforeAll
    static void startTheJob() throws Exception {
        List<String> topics = new ArrayList<>(TOPICS.all());
        topics.add(FEATURES_TOPIC);
        KAFKA.createTopics(2, topics);
        Map<String, String> options = new LinkedHashMap<>(TOPICS.asOptions());
        options.put(PricingConfig.TOPIC_DECISION_FEATURES.key(), FEATURES_TOPIC);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), RepoPaths.models().toString());
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "2s");
        options.put(PricingConfig.PARALLELISM.key(), "2");
        options.put(PricingConfig.TRANSACTIONAL_ID_PREFIX.key(), PREFIX);
        PricingConfig config = PricingConfig.of(options);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        job = env.executeAsync("storefront-client-it");
    }

    @AfterAll
    static void stopTheJob() throws Exception {
        if (job != null && !drained) {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    private static PricingClient.Builder client() {
        return PricingClient.builder()
                .bootstrapServers(KAFKA.bootstrapServers())
                .topics(Topics.withPrefix(PREFIX))
                // The first requests wait for the model to load on a busy machine.
                .deadline(Duration.ofSeconds(90));
    }

    @Test
    @Order(1)
    void oneReaderServesManyWaitingRequestsAndTheDeadlineFallsBackToTheListPrice() throws Exception {
        try (PricingClient client = client().build()) {
            for (int i = 0; i < ITEMS; i++) {
                client.publishCatalogUpdate(
                                new CatalogUpdate("it-item-" + i, "cat", "brand", 10.0 + i, 6.0, 50L, Instant.now()))
                        .get(30, TimeUnit.SECONDS);
            }
            assertTrue(
                    client.quote(PriceQuery.of("it-warm-up", "it-item-0", 10.0)).decided());

            List<PriceQuery> queries = new ArrayList<>();
            List<CompletableFuture<org.pricingengine.client.Quote>> answers = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                for (int k = 0; k < 2; k++) {
                    int item = (u + k) % ITEMS;
                    PriceQuery q = PriceQuery.of("it-user-" + u, "it-item-" + item, 10.0 + item)
                            .withContext("web", k == 0 ? "mobile" : null);
                    queries.add(q);
                    answers.add(client.requestPrice(q));
                }
            }
            for (int i = 0; i < queries.size(); i++) {
                PriceQuery q = queries.get(i);
                org.pricingengine.client.Quote quote = answers.get(i).get(2, TimeUnit.MINUTES);
                assertTrue(quote.decided(), "decided: " + quote);
                assertNull(quote.clientFallback());
                assertEquals(q.requestId(), quote.decision().requestId());
                assertEquals(q.userId(), quote.decision().userId());
                assertEquals(q.itemId(), quote.decision().itemId());
                assertEquals(
                        PriceDecision.decisionIdFor(q.requestId(), q.userId(), q.itemId()),
                        quote.decision().decisionId());
                assertTrue(quote.price() > 0 && quote.price() <= q.listPrice() + 1e-9, quote.toJson());
                assertEquals(q.listPrice(), quote.decision().listPrice());
                if (quote.personalized()) {
                    assertTrue(quote.disclosure().contains("ALGORITHM"), quote.toJson());
                }
            }

            // An item the catalog does not know: the job answers without a price, the storefront keeps its own.
            org.pricingengine.client.Quote unknown = client.quote(PriceQuery.of("it-user-0", "it-no-such-item", 7.5));
            assertTrue(unknown.decided());
            assertNull(unknown.decision().price());
            assertTrue(unknown.decision().reasonCodes().contains(org.pricingengine.client.PriceDecision.UNKNOWN_ITEM));
            assertEquals(7.5, unknown.price());
            assertTrue(unknown.fallback());

            // No decision can make it in a millisecond: the list price, marked as the client's fallback.
            org.pricingengine.client.Quote hurried = client.requestPrice(
                            PriceQuery.of("it-user-1", "it-item-1", 11.0), Duration.ofMillis(1))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(org.pricingengine.client.Quote.ClientFallback.TIMEOUT, hurried.clientFallback());
            assertEquals(11.0, hurried.price());
            assertTrue(hurried.fallback());
            assertNull(hurried.decision());
            // Its decision still comes, late: counted, not matched to anything.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (client.metrics().lateDecisions() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }

            // A purchase a minute after the quote: its decision's outcome is a purchase.
            double paid = answers.get(0).get().price();
            client.publishBehaviourEvent(new BehaviourEvent(
                            "it-purchase-1",
                            "it-user-0",
                            "it-item-0",
                            BehaviourEvent.Type.PURCHASE,
                            Instant.now().plusSeconds(60),
                            paid,
                            "it-session",
                            null,
                            null))
                    .get(30, TimeUnit.SECONDS);

            ClientMetrics.Snapshot m = client.metrics();
            System.out.println("storefront client: " + Json.toJson(m));
            int decided = 1 + queries.size() + 1;
            assertEquals(decided + 1, m.requests());
            assertEquals(decided, m.decisions());
            assertEquals(1, m.timeouts());
            assertEquals(1, m.clientFallbacksTotal());
            assertEquals(1, m.lateDecisions(), "the hurried request's decision came after its deadline");
            assertEquals(decided, m.latencySamples());
            assertEquals(0, m.pending());
            assertTrue(m.p50Ms() > 0 && m.p50Ms() <= m.p99Ms() && m.p99Ms() <= m.maxMs(), m.toString());
        }
    }

    @Test
    @Order(2)
    void waitingRequestsAreBoundedAndClosingAnswersThoseStillWaiting() throws Exception {
        try (PricingClient small = client().maxPending(1).build()) {
            CompletableFuture<org.pricingengine.client.Quote> first =
                    small.requestPrice(PriceQuery.of("it-user-2", "it-item-2", 12.0));
            org.pricingengine.client.Quote second = small.quote(PriceQuery.of("it-user-3", "it-item-3", 13.0));
            assertEquals(org.pricingengine.client.Quote.ClientFallback.OVERLOADED, second.clientFallback());
            assertEquals(13.0, second.price());
            assertTrue(first.get(2, TimeUnit.MINUTES).decided());
            // The slot is free again once the first is answered.
            assertTrue(
                    small.quote(PriceQuery.of("it-user-3", "it-item-3", 13.0)).decided());
        }
        PricingClient closing = client().build();
        CompletableFuture<org.pricingengine.client.Quote> waiting =
                closing.requestPrice(PriceQuery.of("it-user-4", "it-item-4", 14.0));
        closing.close();
        org.pricingengine.client.Quote answered = waiting.get(10, TimeUnit.SECONDS);
        assertEquals(org.pricingengine.client.Quote.ClientFallback.CLOSED, answered.clientFallback());
        assertEquals(14.0, answered.price());
    }

    @Test
    @Order(3)
    void theQuoteCommandPrintsTheDecisionWithSettingsFromAPropertiesFile() throws Exception {
        // Every Kafka setting can come from the file, the bootstrap servers included.
        Path config = TEMP.resolve("client.properties");
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", KAFKA.bootstrapServers());
        p.setProperty("client.id", "it-quote-command");
        p.setProperty("security.protocol", "PLAINTEXT");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, null);
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = QuoteCommand.run(
                new String[] {
                    "--user",
                    "it-cli-user",
                    "--item",
                    "it-cli-item",
                    "--list-price",
                    "20",
                    "--publish-catalog",
                    "--config",
                    config.toString(),
                    "--topic-prefix",
                    PREFIX,
                    "--timeout-ms",
                    "90000"
                },
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String printed = stdout.toString(StandardCharsets.UTF_8).strip();
        assertEquals(0, status, printed + "\n" + stderr.toString(StandardCharsets.UTF_8));
        JsonNode decision = Json.mapper().readTree(printed);
        assertEquals("it-cli-user", decision.get("user_id").asText());
        assertEquals("it-cli-item", decision.get("item_id").asText());
        assertTrue(decision.get("request_id").asText().startsWith("quote-"));
        assertEquals(20.0, decision.get("list_price").asDouble());
        assertEquals(List.of(), violations("price-decision", printed));
    }

    @Test
    @Order(4)
    void theNodeExampleGetsADecision() throws Exception {
        Assumptions.assumeTrue(
                onPath("node") && onPath("npm"),
                "node and npm are not on PATH: the Node example (deploy/client/node) is not run");
        Path dir = RepoPaths.root().resolve("deploy/client/node");
        Path log = TEMP.resolve("npm-ci.log");
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(npm.waitFor(5, TimeUnit.MINUTES), "npm ci did not finish in 5 minutes");
        assertEquals(0, npm.exitValue(), "npm ci failed:\n" + Files.readString(log));

        Path out = TEMP.resolve("node-quote.out");
        Path err = TEMP.resolve("node-quote.err");
        Process node = new ProcessBuilder(
                        "node",
                        "quote.js",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--topic-prefix",
                        PREFIX,
                        "--user",
                        "it-node-user",
                        "--item",
                        "it-node-item",
                        "--list-price",
                        "30",
                        "--publish-catalog",
                        "--device",
                        "mobile",
                        "--timeout-ms",
                        "90000")
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertTrue(node.waitFor(3, TimeUnit.MINUTES), "node quote.js did not finish in 3 minutes");
        String printed = Files.readString(out).strip();
        assertEquals(0, node.exitValue(), printed + "\n" + Files.readString(err));
        JsonNode decision = Json.mapper().readTree(printed);
        assertEquals("it-node-user", decision.get("user_id").asText());
        assertEquals("it-node-item", decision.get("item_id").asText());
        assertEquals(30.0, decision.get("list_price").asDouble());
        assertTrue(decision.get("price").asDouble() <= 30.0);
        assertEquals(List.of(), violations("price-decision", printed));
    }

    @Test
    @Order(5)
    void everyRecordOnEveryTopicConformsToItsSchema() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(TOPICS.behaviour(), "u", MALFORMED.get(0)));
            producer.send(new ProducerRecord<>(TOPICS.catalog(), "no-list-price", MALFORMED.get(1)));
            producer.send(new ProducerRecord<>(TOPICS.requests(), "u", MALFORMED.get(2)));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (KAFKA.readAll(TOPICS.deadLetters()).size() < MALFORMED.size()) {
            assertTrue(System.nanoTime() < deadline, "dead letters did not arrive");
            Thread.sleep(200);
        }
        // Draining ends event time: every attribution window closes and its outcome is committed.
        job.stopWithSavepoint(true, TEMP.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(3, TimeUnit.MINUTES);
        drained = true;

        List<String> decisions = KAFKA.readAll(TOPICS.decisions());
        List<String> outcomes = KAFKA.readAll(TOPICS.feedback(), Map.of("isolation.level", "read_committed"));
        List<String> deadLetters = KAFKA.readAll(TOPICS.deadLetters());
        List<String> features = KAFKA.readAll(FEATURES_TOPIC);
        assertAllConform("price-decision", decisions);
        assertAllConform("feedback-outcome", outcomes);
        assertAllConform("dead-letter", deadLetters);
        assertAllConform("decision-features", features);
        assertAllConform("price-request", withoutMalformed(KAFKA.readAll(TOPICS.requests())));
        assertAllConform("catalog-update", withoutMalformed(KAFKA.readAll(TOPICS.catalog())));
        assertAllConform("behaviour-event", withoutMalformed(KAFKA.readAll(TOPICS.behaviour())));

        Set<String> decisionIds = new HashSet<>();
        Set<String> logged = new HashSet<>();
        for (String d : decisions) {
            JsonNode n = Json.mapper().readTree(d);
            decisionIds.add(n.get("decision_id").asText());
            if (n.path("experiment").path("features_logged").asBoolean(false)) {
                logged.add(n.get("decision_id").asText());
            }
        }
        assertTrue(decisionIds.size() >= 2 * USERS + 5, "decisions: " + decisionIds.size());
        assertEquals(MALFORMED.size(), deadLetters.size(), "only the malformed records were refused: " + deadLetters);
        assertEquals(decisionIds.size(), outcomes.size(), "one outcome per decision after the drain");
        assertTrue(outcomes.stream().anyMatch(o -> o.contains("\"outcome\":\"purchase\"")), "the purchase");
        assertTrue(outcomes.stream().anyMatch(o -> o.contains("\"outcome\":\"none\"")));
        assertTrue(decisions.stream().anyMatch(d -> !d.contains("\"price\"")), "the unknown item's decision");
        Set<String> featureIds = new HashSet<>();
        for (String f : features) {
            featureIds.add(Json.mapper().readTree(f).get("decision_id").asText());
        }
        assertEquals(logged, featureIds, "features of every decision that says it logged them");
        System.out.printf(
                "schemas: %d decisions, %d outcomes, %d dead letters, %d feature records conform%n",
                decisions.size(), outcomes.size(), deadLetters.size(), features.size());
    }

    private static List<String> withoutMalformed(List<String> records) {
        return records.stream().filter(r -> !MALFORMED.contains(r)).toList();
    }

    private static void assertAllConform(String schema, List<String> records) {
        assertTrue(!records.isEmpty(), "no records to check against " + schema);
        for (String r : records) {
            assertEquals(List.of(), violations(schema, r), schema + ": " + r);
        }
    }

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Map<String, Schema> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The violations of a record against the schema the client module ships for its topic. */
    private static List<String> violations(String schema, String json) {
        Schema s = LOADED.computeIfAbsent(schema, name -> {
            try (InputStream in = PricingClient.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
                assertNotNull(in, "schema " + name);
                return SCHEMAS.getSchema(new String(in.readAllBytes(), StandardCharsets.UTF_8), InputFormat.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return s.validate(json, InputFormat.JSON).stream().map(Object::toString).toList();
    }

    private static boolean onPath(String command) {
        try {
            Process p = new ProcessBuilder(command, "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
