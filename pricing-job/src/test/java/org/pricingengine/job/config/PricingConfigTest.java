package org.pricingengine.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig.Delivery;
import org.pricingengine.job.config.PricingConfig.ModelDevice;
import org.pricingengine.job.config.PricingConfig.Objective;
import org.pricingengine.job.config.PricingConfig.StartingOffsets;

class PricingConfigTest {
    @Test
    void defaultsAreValidAndTyped() {
        PricingConfig c = PricingConfig.defaults();
        assertEquals(Duration.ofHours(1), c.get(PricingConfig.ATTRIBUTION_WINDOW));
        assertEquals(0.3, c.get(PricingConfig.MAX_DISCOUNT));
        assertEquals("v1", c.get(PricingConfig.MODEL_VERSION));
        assertEquals(Duration.ofSeconds(60), c.get(PricingConfig.CHECKPOINT_INTERVAL));
        assertEquals(Duration.ofMillis(2), c.get(PricingConfig.SCORING_MAX_WAIT));
        assertEquals(Duration.ofDays(30), c.get(PricingConfig.USER_TTL));
        assertEquals(65536, c.get(PricingConfig.MAX_RECORD_BYTES));
        assertEquals(true, c.get(PricingConfig.CHECKPOINT_INCREMENTAL));
        assertEquals(StartingOffsets.COMMITTED_OR_EARLIEST, c.get(PricingConfig.STARTING_OFFSETS));
        assertEquals(Delivery.AT_LEAST_ONCE, c.get(PricingConfig.DELIVERY_DECISIONS));
        assertEquals(Delivery.EXACTLY_ONCE, c.get(PricingConfig.DELIVERY_FEEDBACK));
        assertEquals(ModelDevice.AUTO, c.get(PricingConfig.MODEL_DEVICE));
        assertEquals(Objective.MARGIN, c.get(PricingConfig.OBJECTIVE));
    }

    @Test
    void argumentsOverrideAndKafkaClientSettingsPassThrough() {
        PricingConfig c = PricingConfig.fromArgs(
                new String[] {"--pricing.max-discount", "0.1", "--kafka.client.security.protocol", "SASL_SSL"});
        assertEquals(0.1, c.get(PricingConfig.MAX_DISCOUNT));
        assertEquals("SASL_SSL", c.kafkaClientProperties().getProperty("security.protocol"));
        assertTrue(c.toString().contains("kafka.client.security.protocol=<set>\n"), c.toString());
        assertTrue(c.toString().contains("pricing.max-discount=0.1\n"), c.toString());
    }

    @Test
    void argumentsWinOverTheConfigFile() throws Exception {
        Path file = Files.createTempFile("pricing", ".properties");
        try {
            Files.writeString(file, "pricing.max-discount = 0.2\nuser.ttl = 7d\n");
            PricingConfig c =
                    PricingConfig.fromArgs(new String[] {"--config", file.toString(), "--pricing.max-discount", "0.1"});
            assertEquals(0.1, c.get(PricingConfig.MAX_DISCOUNT));
            assertEquals(Duration.ofDays(7), c.get(PricingConfig.USER_TTL));
            assertEquals(Set.of("pricing.max-discount", "user.ttl"), c.explicitKeys());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void kafkaConfigFileGivesEveryKafkaClientItsSettingsAndArgumentsWin() throws Exception {
        Path file = Files.createTempFile("client", ".properties");
        try {
            // Kafka's own client format, as deploy/local/kafka.sh writes it: no prefix.
            Files.writeString(
                    file,
                    "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                            + "ssl.truststore.location=/state/security/client.truststore.p12\n");
            PricingConfig c = PricingConfig.fromArgs(
                    new String[] {"--kafka-config", file.toString(), "--kafka.client.sasl.mechanism", "SCRAM-SHA-256"});
            assertEquals("SASL_SSL", c.kafkaClientProperties().getProperty("security.protocol"));
            assertEquals("SCRAM-SHA-256", c.kafkaClientProperties().getProperty("sasl.mechanism"));
            assertEquals(
                    "/state/security/client.truststore.p12",
                    c.kafkaClientProperties().getProperty("ssl.truststore.location"));
            assertTrue(c.toString().contains("kafka.client.security.protocol=<set>\n"), c.toString());
        } finally {
            Files.delete(file);
        }
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--kafka-config", "/no/such/client.properties"}));
        assertTrue(missing.getMessage().contains("/no/such/client.properties"), missing.getMessage());
    }

    @Test
    void unknownOrMalformedOptionsFailWithTheOptionName() {
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--pricing.max-discunt", "0.1"}));
        assertTrue(unknown.getMessage().contains("pricing.max-discunt"), unknown.getMessage());
        IllegalArgumentException badDuration = assertThrows(
                IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--feedback.attribution-window", "an hour"}));
        assertTrue(badDuration.getMessage().contains("feedback.attribution-window"), badDuration.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--pricing.max-discount", "1.5"}));
        assertThrows(
                IllegalArgumentException.class, () -> PricingConfig.fromArgs(new String[] {"--model.device", "tpu"}));
        assertThrows(
                IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--user.sequence-capacity", "8"}));
        for (String[] bad : List.of(
                new String[] {"scoring.capacity", "many"},
                new String[] {"scoring.capacity", "3000000000"},
                new String[] {"pricing.cost-ratio", "NaN"},
                new String[] {"kafka.bounded", "yes"},
                new String[] {"checkpoint.interval", "60"},
                new String[] {"validation.earliest-event-time", "2000-01-01"})) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> PricingConfig.fromArgs(new String[] {"--" + bad[0], bad[1]}),
                    bad[0] + " " + bad[1]);
            assertTrue(e.getMessage().contains("'" + bad[0] + "'"), e.getMessage());
        }
    }

    @Test
    void crossFieldRulesStillHold() {
        IllegalArgumentException shortTimeout = assertThrows(
                IllegalArgumentException.class, () -> PricingConfig.of(Map.of("delivery.transaction-timeout", "30s")));
        assertTrue(
                shortTimeout.getMessage().contains("'delivery.transaction-timeout' (30s)")
                        && shortTimeout.getMessage().contains("'checkpoint.interval' (60s)"),
                shortTimeout.getMessage());
        // Without exactly-once sinks there is no transaction to outlive a checkpoint interval.
        PricingConfig.of(Map.of("delivery.transaction-timeout", "30s", "delivery.feedback", "at-least-once"));
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.of(Map.of("canary.model-version", "v1")));
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.of(Map.of("kafka.bootstrap-servers", " ")));
    }

    @Test
    void enumOptionsTakeTheUserSpellingsAndNameTheOptionOnAnythingElse() {
        Map<ConfigOption<?>, Map<String, Object>> spellings = Map.of(
                PricingConfig.STARTING_OFFSETS,
                        Map.of(
                                "committed-or-earliest",
                                StartingOffsets.COMMITTED_OR_EARLIEST,
                                "earliest",
                                StartingOffsets.EARLIEST,
                                "latest",
                                StartingOffsets.LATEST),
                PricingConfig.MODEL_DEVICE,
                        Map.of("auto", ModelDevice.AUTO, "cpu", ModelDevice.CPU, "cuda", ModelDevice.CUDA),
                PricingConfig.OBJECTIVE, Map.of("margin", Objective.MARGIN, "revenue", Objective.REVENUE),
                PricingConfig.DELIVERY_DECISIONS,
                        Map.of("at-least-once", Delivery.AT_LEAST_ONCE, "exactly-once", Delivery.EXACTLY_ONCE),
                PricingConfig.DELIVERY_FEEDBACK,
                        Map.of("at-least-once", Delivery.AT_LEAST_ONCE, "exactly-once", Delivery.EXACTLY_ONCE));
        spellings.forEach((option, values) -> {
            values.forEach((text, value) -> {
                PricingConfig c = PricingConfig.fromArgs(new String[] {"--" + option.key(), text});
                assertEquals(value, c.get(option), option.key() + " " + text);
                assertEquals(text, value.toString());
                assertTrue(c.toString().contains(option.key() + "=" + text + "\n"), c.toString());
            });
            // Flink's own DeliveryGuarantee would also take "none"; the job offers no such delivery.
            for (String bad : List.of("none", "at_least_once", "")) {
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class,
                        () -> PricingConfig.fromArgs(new String[] {"--" + option.key(), bad}),
                        option.key() + " " + bad);
                assertTrue(e.getMessage().contains("'" + option.key() + "'"), e.getMessage());
                assertTrue(e.getMessage().contains("expected one of ["), e.getMessage());
            }
        });
    }

    @Test
    void durationsParseAsTheReadmeWritesThem() {
        for (String text : List.of("500ms", "5s", "15min", "2h", "30d", "60s", "1min")) {
            assertEquals(
                    PricingConfig.parseDuration(text),
                    PricingConfig.fromArgs(new String[] {"--item.catalog-wait", text})
                            .get(PricingConfig.CATALOG_WAIT),
                    text);
        }
        assertEquals(Duration.ofMinutes(15), PricingConfig.parseDuration("15min"));
        assertEquals("15min", PricingConfig.formatDuration(Duration.ofMinutes(15)));
        assertEquals("1500ms", PricingConfig.formatDuration(Duration.ofMillis(1500)));
        assertEquals("30d", PricingConfig.formatDuration(Duration.ofDays(30)));
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        PricingConfig c =
                PricingConfig.fromArgs(new String[] {"--delivery.decisions", "exactly-once", "--user.ttl", "7d"});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        PricingConfig back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (PricingConfig) in.readObject();
        }
        assertEquals(Delivery.EXACTLY_ONCE, back.get(PricingConfig.DELIVERY_DECISIONS));
        assertEquals(Duration.ofDays(7), back.get(PricingConfig.USER_TTL));
        assertEquals(c.toString(), back.toString());
    }

    /** Rewrite CONFIGURATION.md's tables instead of failing with {@code -Dconfig.docs.write=true}. */
    @Test
    void configurationReferenceIsTheGeneratedOne() throws Exception {
        // Tests run in the module directory.
        Path reference = Path.of("..", "CONFIGURATION.md");
        String text = Files.readString(reference, StandardCharsets.UTF_8);
        String generated = ConfigurationDocs.withGeneratedTables(text);
        if (Boolean.getBoolean("config.docs.write")) {
            Files.writeString(reference, generated, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(
                generated(generated),
                generated(text),
                "CONFIGURATION.md's options tables differ from PricingConfig's options; regenerate them with "
                        + "mvn -B -o -q -pl pricing-job -am test -Dtest=PricingConfigTest -Dsurefire.failIfNoSpecifiedTests=false "
                        + "-Dconfig.docs.write=true");
    }

    @Test
    void everyOptionIsListedOnceUnderItsSection() {
        String tables = ConfigurationDocs.markdownTables();
        for (ConfigOption<?> o : PricingConfig.options()) {
            String row = "| `" + o.key() + "` |";
            assertEquals(tables.indexOf(row), tables.lastIndexOf(row), o.key() + " is listed more than once");
            assertTrue(tables.contains(row), o.key() + " is missing");
            int section = tables.lastIndexOf("\n### ", tables.indexOf(row));
            assertEquals(
                    ConfigurationDocs.section(o),
                    tables.substring(section + 5, tables.indexOf('\n', section + 1)),
                    o.key() + " sits under the wrong section");
        }
        assertEquals("Model and canary", ConfigurationDocs.section(PricingConfig.CANARY_SHARE));
        assertEquals("Topics", ConfigurationDocs.section(PricingConfig.TOPIC_DECISIONS));
    }

    private static String generated(String document) {
        return document.substring(document.indexOf(ConfigurationDocs.BEGIN), document.indexOf(ConfigurationDocs.END));
    }
}
