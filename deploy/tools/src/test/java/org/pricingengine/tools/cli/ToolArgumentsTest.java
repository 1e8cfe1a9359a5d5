package org.pricingengine.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolArgumentsTest {
    private static final ToolArguments.Spec SPEC = ToolArguments.tool("tool", "does things")
            .required("bootstrap-servers", "the broker")
            .option("rate", "800", "rows per second")
            .option("idle-wait", "0s", "idle time")
            .option("work-dir", ".work/x", "work directory")
            .option("from", null, "start time")
            .flag("quick", "shorter")
            .repeatable("records", "FILE:ROLE")
            .jobOptions("a job option", true);

    @Test
    void defaultsGivenValuesAndTypes() {
        ToolArguments a = SPEC.parse("--bootstrap-servers", "h:1", "--idle-wait", "90s");
        assertEquals("h:1", a.string("bootstrap-servers"));
        assertEquals(800, a.integer("rate"));
        assertEquals(800L, a.longValue("rate"));
        assertEquals(800.0, a.decimal("rate"));
        assertEquals(Duration.ofSeconds(90), a.duration("idle-wait"));
        assertEquals(Path.of(".work/x"), a.path("work-dir"));
        assertTrue(a.optional("from").isEmpty());
        assertFalse(a.bool("quick"));
        assertFalse(a.given("rate"));
        assertTrue(a.given("idle-wait"));
        assertEquals(List.of(), a.all("records"));
    }

    @Test
    void flagsTakeAnOptionalTrueOrFalse() {
        assertTrue(SPEC.parse("--bootstrap-servers", "h", "--quick").bool("quick"));
        assertTrue(SPEC.parse("--quick", "--bootstrap-servers", "h").bool("quick"));
        assertTrue(SPEC.parse("--bootstrap-servers", "h", "--quick", "true").bool("quick"));
        assertFalse(SPEC.parse("--bootstrap-servers", "h", "--quick", "false").bool("quick"));
    }

    @Test
    void repeatableOptionsKeepEveryValueInOrder() {
        ToolArguments a = SPEC.parse("--records", "a:requests", "--bootstrap-servers", "h", "--records", "b:catalog");
        assertEquals(List.of("a:requests", "b:catalog"), a.all("records"));
    }

    @Test
    void jobOptionsPassThroughInOrder() {
        ToolArguments a = SPEC.parse(
                "--checkpoint.interval",
                "60s",
                "--bootstrap-servers",
                "h",
                "--kafka.client.security.protocol",
                "SSL",
                "--config",
                "job.properties",
                "--checkpoint.interval",
                "5s");
        assertEquals(
                List.of(
                        "--checkpoint.interval",
                        "60s",
                        "--kafka.client.security.protocol",
                        "SSL",
                        "--config",
                        "job.properties",
                        "--checkpoint.interval",
                        "5s"),
                a.jobArgs());
        assertEquals(
                Map.of(
                        "checkpoint.interval",
                        "5s",
                        "kafka.client.security.protocol",
                        "SSL",
                        "config",
                        "job.properties"),
                a.jobOptions());
    }

    @Test
    void kafkaConfigFileBecomesKafkaClientOptionsThatGivenOnesOverride() throws Exception {
        Path file = java.nio.file.Files.createTempFile("client", ".properties");
        try {
            java.nio.file.Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
            ToolArguments a = SPEC.parse(
                    "--bootstrap-servers",
                    "h",
                    "--kafka.client.sasl.mechanism",
                    "PLAIN",
                    "--kafka-config",
                    file.toString());
            // The job gets the file's name (its secrets stay off the command line), the tool its contents.
            assertEquals(
                    List.of("--kafka.client.sasl.mechanism", "PLAIN", "--kafka-config", file.toString()), a.jobArgs());
            assertEquals(
                    Map.of("kafka.client.security.protocol", "SASL_SSL", "kafka.client.sasl.mechanism", "PLAIN"),
                    a.jobOptions());
            ToolArguments.Spec readerOnly =
                    ToolArguments.tool("reader", "reads").jobOptions("Kafka client settings", false);
            assertEquals(
                    "SASL_SSL",
                    readerOnly
                            .parse("--kafka-config", file.toString())
                            .jobOptions()
                            .get("kafka.client.security.protocol"));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @Test
    void unknownOptionsAreRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> SPEC.parse("--bootstrap-servers", "h", "--rat", "5"));
        assertTrue(e.getMessage().contains("unknown option --rat"), e.getMessage());
        assertTrue(e.getMessage().contains("--rate"), e.getMessage());
        ToolArguments.Spec noJob = ToolArguments.tool("t", "s").option("rate", "1", "r");
        assertThrows(IllegalArgumentException.class, () -> noJob.parse("--checkpoint.interval", "5s"));
        assertThrows(IllegalArgumentException.class, () -> noJob.parse("rate", "5"));
    }

    @Test
    void missingValuesRequiredOptionsAndBadNumbersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SPEC.parse("--rate", "5"));
        assertThrows(IllegalArgumentException.class, () -> SPEC.parse("--bootstrap-servers"));
        ToolArguments a = SPEC.parse("--bootstrap-servers", "h", "--rate", "fast");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.integer("rate"));
        assertTrue(e.getMessage().contains("--rate"), e.getMessage());
    }

    @Test
    void helpCarriesTheUsageWithDefaultsAndDescriptions() {
        ToolArguments.HelpRequested help =
                assertThrows(ToolArguments.HelpRequested.class, () -> SPEC.parse("--rate", "5", "--help"));
        assertTrue(help.usage().startsWith("usage: tool [options]\ndoes things\n"), help.usage());
        assertTrue(help.usage().contains("--rate VALUE"), help.usage());
        assertTrue(help.usage().contains("rows per second (default 800)"), help.usage());
        assertTrue(help.usage().contains("the broker (required)"), help.usage());
        assertTrue(help.usage().contains("--JOB-OPTION VALUE"), help.usage());
    }
}
