package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.client.CatalogUpdate;
import org.pricingengine.client.PriceQuery;
import org.pricingengine.client.PricingClient;
import org.pricingengine.client.Quote;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.Rees46Replayer;
import org.pricingengine.tools.local.TopicReading;

/**
 * The pricing topics on a broker that speaks SASL_SSL only (TLS, SCRAM-SHA-512), started by
 * deploy/local/kafka.sh exactly as a user would: the broker refuses a plaintext client, a client with a
 * wrong password and one that does not trust its certificate; the job, the tools' replayer and the
 * tools' topic reader reach it through the client properties file the script writes and nothing else.
 *
 * <p>Each client of the secured broker is one more step in {@link #everyClientReachesTheSecuredBroker}
 * that takes {@link #clientConfig} (the job's and tools' {@code --kafka-config}) or {@link
 * #clientProperties()} (the same file loaded, for a plain Kafka client).
 */
class KafkaSecurityIT {
    /** Below the ephemeral port range; {@code -Dkafka.security.it.port} moves it. */
    private static final int PORT = Integer.getInteger("kafka.security.it.port", 19992);

    private static final String BOOTSTRAP = "127.0.0.1:" + PORT;
    private static final int ROWS = 600;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static Path state;
    private static Path clientConfig;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        state = RepoPaths.root().resolve("integration-tests/target/kafka-security");
        clearKeepingClasspath(state);
        String started = kafkaScript("start", "--security", "sasl_ssl");
        clientConfig = state.resolve("client.properties");
        assertTrue(started.contains("kafka client properties: " + clientConfig), started);
        // The script's own topic command must pass the same door: it creates the pricing topics.
        String topics = kafkaScript("topics");
        assertTrue(topics.contains("pricing.price-decisions"), topics);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (state != null) {
            kafkaScript("stop");
        }
    }

    @Test
    void clientsWithoutTheRightCredentialsAreRefused() throws Exception {
        assertEquals("SASL_SSL", clientProperties().getProperty("security.protocol"));
        assertTrue(listTopics(clientProperties()).contains("pricing.price-requests"), "the right client gets in");

        Properties plaintext = new Properties();
        plaintext.setProperty("security.protocol", "PLAINTEXT");
        // The listener expects a TLS handshake: a plaintext client never gets an answer it can read.
        assertInstanceOf(TimeoutException.class, refusal(plaintext));

        Properties wrongPassword = clientProperties();
        wrongPassword.setProperty(
                "sasl.jaas.config",
                wrongPassword
                        .getProperty("sasl.jaas.config")
                        .replaceFirst("password=\"[^\"]*\"", "password=\"guessed\""));
        assertInstanceOf(SaslAuthenticationException.class, refusal(wrongPassword));

        Properties untrusting = clientProperties();
        untrusting.remove("ssl.truststore.location");
        untrusting.remove("ssl.truststore.password");
        untrusting.remove("ssl.truststore.type");
        // The broker's certificate is signed by the local CA only: without its trust store TLS fails.
        assertInstanceOf(SslAuthenticationException.class, refusal(untrusting));
    }

    @Test
    void everyClientReachesTheSecuredBroker() throws Exception {
        // The tools: their Kafka settings come through the shared option parser's --kafka-config.
        ToolArguments toolArgs = ToolArguments.tool("kafka-security-it", "the tools' options")
                .jobOptions("job options", false)
                .parse("--kafka-config", clientConfig.toString());
        PricingConfig toolConfig = PricingConfig.of(toolArgs.jobOptions());
        assertEquals("SASL_SSL", toolConfig.kafkaClientProperties().getProperty("security.protocol"));

        long requestsSent;
        try (Rees46Replayer replayer = new Rees46Replayer(BOOTSTRAP, toolConfig)) {
            replayer.replay(RepoPaths.cosmetics(), 0, ROWS, 0, Rees46Replayer::sampleMalformed);
            replayer.flush();
            requestsSent = replayer.requestsSent.get();
        }
        assertTrue(requestsSent > 20, "the slice holds views to price, got " + requestsSent);

        // The storefront client: the same file loaded as plain Kafka properties. Its reader is at the
        // decisions' end before it asks; the request must be on the topic before the bounded job starts.
        PricingClient storefront = PricingClient.builder()
                .bootstrapServers(BOOTSTRAP)
                .kafkaProperties(clientProperties())
                .deadline(Duration.ofMinutes(3))
                .build();
        storefront
                .publishCatalogUpdate(CatalogUpdate.listPrice("secured-item", 12.5))
                .get(30, TimeUnit.SECONDS);
        PriceQuery asked = PriceQuery.of("secured-shopper", "secured-item", 12.5);
        CompletableFuture<Quote> storefrontQuote = storefront.requestPrice(asked);
        long sentBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read(toolConfig, toolConfig.get(PricingConfig.TOPIC_REQUESTS)).stream()
                .noneMatch(r -> asked.requestId().equals(r.path("request_id").asText()))) {
            assertTrue(System.nanoTime() < sentBy, "the storefront's request did not reach the topic in 30 s");
            Thread.sleep(200);
        }

        // The job: its own entry point and command line, the broker's settings from the file alone.
        Path checkpoints = state.resolve("checkpoints");
        PricingJob.main(new String[] {
            "--" + PricingConfig.BOOTSTRAP_SERVERS.key(),
            BOOTSTRAP,
            "--" + PricingConfig.KAFKA_CONFIG_ARG,
            clientConfig.toString(),
            "--" + PricingConfig.BOUNDED.key(),
            "true",
            "--" + PricingConfig.STARTING_OFFSETS.key(),
            "earliest",
            "--" + PricingConfig.MODEL_DIR.key(),
            RepoPaths.models().toString(),
            "--" + PricingConfig.CHECKPOINT_DIR.key(),
            checkpoints.toUri().toString(),
            "--" + PricingConfig.CHECKPOINT_INTERVAL.key(),
            "2s"
        });

        // The storefront's reader saw the job's decision come back through the secured broker.
        Quote quote = storefrontQuote.get(3, TimeUnit.MINUTES);
        storefront.close();
        assertTrue(quote.decided(), "the storefront got the job's decision, not its own fallback: " + quote.toJson());
        assertEquals(asked.requestId(), quote.decision().requestId());
        assertEquals(1, storefront.metrics().decisions(), storefront.metrics().toString());

        // The tools' topic reader, with the same settings: one decision per request sent.
        Set<String> requestIds = new HashSet<>();
        read(toolConfig, toolConfig.get(PricingConfig.TOPIC_REQUESTS))
                .forEach(r -> requestIds.add(r.get("request_id").asText()));
        assertEquals(
                requestsSent + 1,
                requestIds.size(),
                "requests on the secured topic: the replay's and the storefront's");
        List<JsonNode> decisions = read(toolConfig, toolConfig.get(PricingConfig.TOPIC_DECISIONS));
        Set<String> decided = new HashSet<>();
        for (JsonNode d : decisions) {
            assertTrue(decided.add(d.get("request_id").asText()), "one decision per request: " + d);
            assertFalse(d.path("model_version").asText().isEmpty(), d.toString());
        }
        assertEquals(requestIds, decided, "every request sent through the secured broker was priced");
        System.out.printf(
                "secured broker: %d requests replayed, %d decisions read back%n", requestsSent, decisions.size());
    }

    /** The client settings kafka.sh wrote, as a plain Kafka client takes them. */
    private static Properties clientProperties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(clientConfig)) {
            p.load(r);
        }
        return p;
    }

    private static Set<String> listTopics(Properties client) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "6000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(p)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    /** Why the broker turned the client away (fails the test when it let it in). */
    private static Throwable refusal(Properties client) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> listTopics(client));
        return e.getCause();
    }

    /** Every record of a topic, through the tools' reader (no group, read_committed). */
    private static List<JsonNode> read(PricingConfig config, String topic) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(BOOTSTRAP, config, true)) {
            Map<TopicPartition, Long> end = TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!TopicReading.caughtUp(consumer, end)) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " did not reach its end in 30 s");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(Json.mapper().readTree(new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }

    /** deploy/local/kafka.sh COMMAND on this test's state dir and port; its output, or a failure with it. */
    private static String kafkaScript(String command, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                RepoPaths.root().resolve("deploy/local/kafka.sh").toString(),
                command,
                "--state-dir",
                state.toString(),
                "--port",
                Integer.toString(PORT)));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd)
                .directory(RepoPaths.root().toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.print(out);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "kafka.sh " + command + " did not finish");
        assertEquals(0, p.exitValue(), "kafka.sh " + command + ":\n" + out);
        return out;
    }

    /** A fresh broker each run; the resolved classpath is kept, so Maven does not resolve it again. */
    private static void clearKeepingClasspath(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                if (!f.equals(dir) && !f.getFileName().toString().equals("classpath.txt")) {
                    Files.delete(f);
                }
            }
        }
    }
}
