package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;

/**
 * The Kubernetes files cannot run here (no cluster, no Docker), so they are checked as far as a
 * machine without them can: they parse, carry the fields production depends on, name the job's real
 * entry class and options, and use the same Flink and ONNX Runtime versions as the build.
 */
class DeploymentManifestsTest {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final Path K8S = RepoPaths.root().resolve("deploy/k8s");

    @Test
    void flinkDeploymentUpgradesThroughSavepointsWithRocksDbAndHa() throws IOException {
        JsonNode d = YAML.readTree(K8S.resolve("flinkdeployment.yaml").toFile());
        assertEquals("flink.apache.org/v1beta1", d.path("apiVersion").asText());
        assertEquals("FlinkDeployment", d.path("kind").asText());
        JsonNode spec = d.path("spec");
        assertEquals(
                "v" + pomProperty("flink.version").replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"),
                spec.path("flinkVersion").asText(),
                "flinkVersion must match the build's Flink version");
        JsonNode conf = spec.path("flinkConfiguration");
        assertEquals("rocksdb", conf.path("state.backend.type").asText());
        assertEquals("true", conf.path("execution.checkpointing.incremental").asText());
        assertEquals("kubernetes", conf.path("high-availability.type").asText());
        for (String key : List.of(
                "high-availability.storageDir",
                "execution.checkpointing.dir",
                "execution.checkpointing.savepoint-dir",
                "execution.checkpointing.interval")) {
            assertFalse(conf.path(key).asText().isBlank(), key + " must be set");
        }
        for (String role : List.of("jobManager", "taskManager")) {
            JsonNode resource = spec.path(role).path("resource");
            assertFalse(resource.path("memory").asText().isBlank(), role + " memory");
            assertTrue(resource.path("cpu").asDouble() > 0, role + " cpu");
        }

        JsonNode job = spec.path("job");
        assertEquals("savepoint", job.path("upgradeMode").asText());
        assertFalse(
                job.path("allowNonRestoredState").asBoolean(true),
                "state no operator claims must not be dropped silently");
        assertEquals(PricingJob.class.getName(), job.path("entryClass").asText());
        assertEquals(
                "local:///opt/flink/usrlib/pricing-job.jar", job.path("jarURI").asText());

        // The arguments must be options the job accepts, with the model version among them.
        List<String> args = new ArrayList<>();
        job.path("args").forEach(a -> args.add(a.asText()));
        assertTrue(args.contains("--model.version"), "the model version is a job argument");
        List<String> withoutConfigFile = new ArrayList<>(args);
        int config = withoutConfigFile.indexOf("--config");
        assertTrue(config >= 0, "Kafka security settings come from a mounted properties file");
        String configFile = withoutConfigFile.get(config + 1);
        withoutConfigFile.subList(config, config + 2).clear();
        PricingConfig parsed =
                assertDoesNotThrow(() -> PricingConfig.fromArgs(withoutConfigFile.toArray(String[]::new)));
        assertEquals("/opt/pricing/models", parsed.get(PricingConfig.MODEL_DIR));
        ModelContract.readAndCheckManifest(
                new ModelLocation(RepoPaths.models(), parsed.get(PricingConfig.MODEL_VERSION)));

        // The properties file is mounted (from a Secret) wherever the job's code runs.
        for (JsonNode podTemplate :
                List.of(spec.path("podTemplate"), spec.path("taskManager").path("podTemplate"))) {
            assertTrue(
                    mountsDirectoryOf(podTemplate, configFile),
                    "podTemplate mounts " + configFile + ": " + podTemplate);
        }
        JsonNode tmContainer = spec.path("taskManager")
                .path("podTemplate")
                .path("spec")
                .path("containers")
                .get(0);
        assertEquals(
                1,
                tmContainer
                        .path("resources")
                        .path("limits")
                        .path("nvidia.com/gpu")
                        .asInt(),
                "a GPU per TaskManager on GPU nodes");
    }

    @Test
    void dockerfileUsesTheBuildsVersionsAndPutsOnnxRuntimeInFlinkLib() throws IOException {
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        assertEquals(pomProperty("flink.version"), arg(dockerfile, "FLINK_VERSION"));
        assertEquals(pomProperty("onnxruntime.version"), arg(dockerfile, "ONNXRUNTIME_VERSION"));
        assertTrue(dockerfile.contains("\nFROM flink:${FLINK_VERSION}"), "based on the official Flink image");
        assertTrue(
                Pattern.compile("COPY .*onnxruntime_gpu-\\$\\{ONNXRUNTIME_VERSION}\\.jar /opt/flink/lib/")
                        .matcher(dockerfile)
                        .find(),
                "ONNX Runtime (GPU build) goes to /opt/flink/lib");
        assertTrue(dockerfile.contains("/opt/flink/usrlib/pricing-job.jar"), "job jar where jarURI points");
        assertTrue(dockerfile.contains("model-assets/models /opt/pricing/models"), "model assets in the image");
        // Maven refuses a reactor whose listed module is missing, even when building only the job.
        Matcher module = Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(RepoPaths.root().resolve("pom.xml")));
        while (module.find()) {
            String dir = module.group(1);
            assertTrue(
                    dockerfile.contains("\nCOPY " + dir + " " + dir + "\n"),
                    "the build stage copies reactor module " + dir);
        }
    }

    @Test
    void kafkaTopicsCoverEveryTopicOfTheJobWithProductionSettings() throws IOException {
        Map<String, JsonNode> topics = new HashMap<>();
        try (var parser =
                new YAMLFactory().createParser(K8S.resolve("kafka-topics.yaml").toFile())) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode t = it.next();
                assertEquals("KafkaTopic", t.path("kind").asText());
                topics.put(t.path("metadata").path("name").asText(), t.path("spec"));
            }
        }
        PricingConfig defaults = PricingConfig.fromArgs(new String[0]);
        for (ConfigOption<String> topic : PricingConfig.TOPICS) {
            JsonNode spec = topics.get(defaults.get(topic));
            assertTrue(spec != null, "topic " + defaults.get(topic) + " is defined");
            assertTrue(spec.path("partitions").asInt() >= 3, defaults.get(topic) + " partitions");
            assertTrue(spec.path("replicas").asInt() >= 3, defaults.get(topic) + " replication");
            assertEquals(2, spec.path("config").path("min.insync.replicas").asInt(), defaults.get(topic) + " min ISR");
            boolean catalog = topic == PricingConfig.TOPIC_CATALOG;
            assertEquals(
                    catalog ? "compact" : "",
                    spec.path("config").path("cleanup.policy").asText(""),
                    defaults.get(topic) + " cleanup policy");
            if (!catalog) {
                assertTrue(spec.path("config").path("retention.ms").asLong() > 0, defaults.get(topic) + " retention");
            }
        }
        assertEquals(PricingConfig.TOPICS.size(), topics.size(), "no stray topics");
    }

    private static boolean mountsDirectoryOf(JsonNode podTemplate, String file) {
        JsonNode containers = podTemplate.path("spec").path("containers");
        if (!(containers instanceof ArrayNode) || containers.isEmpty()) {
            return false;
        }
        for (JsonNode mount : containers.get(0).path("volumeMounts")) {
            if (file.startsWith(mount.path("mountPath").asText() + "/")) {
                String volume = mount.path("name").asText();
                for (JsonNode v : podTemplate.path("spec").path("volumes")) {
                    if (v.path("name").asText().equals(volume) && v.has("secret")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String arg(String dockerfile, String name) {
        Matcher m = Pattern.compile("ARG " + name + "=(\\S+)").matcher(dockerfile);
        assertTrue(m.find(), "Dockerfile declares ARG " + name);
        return m.group(1);
    }

    private static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</")
                .matcher(Files.readString(RepoPaths.root().resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml property " + name);
        return m.group(1);
    }
}
