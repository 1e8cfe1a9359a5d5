package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pricingengine.it.testutils.CustomResourceSchemas;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;

/**
 * The Kubernetes files cannot run here (no cluster, no Docker), so they are checked as far as a
 * machine without them can: every manifest is validated against the schema of the custom resource
 * definition it names, as the API server would with strict field validation; the manifests carry the
 * fields production depends on, name the job's real entry class and options, and use the same Flink
 * and ONNX Runtime versions as the build; the Dockerfile keeps the properties the deployment relies on.
 */
class DeploymentManifestsTest {
    private static final Path K8S = RepoPaths.root().resolve("deploy/k8s");
    private static final String JOB_LABEL = "app.kubernetes.io/name";

    /**
     * The shared libraries libonnxruntime_providers_cuda.so of onnxruntime_gpu 1.24.1 is linked against
     * (its ELF NEEDED entries, read with readelf -d), beyond glibc and libstdc++.
     */
    private static final Set<String> CUDA_EP_LIBRARIES = Set.of(
            "libcudart.so.12",
            "libcublas.so.12",
            "libcublasLt.so.12",
            "libcufft.so.11",
            "libcurand.so.10",
            "libcudnn*.so.9");

    private static CustomResourceSchemas crds;

    @BeforeAll
    static void loadCrds() throws IOException {
        crds = CustomResourceSchemas.load(CustomResourceSchemas.vendoredCrds());
    }

    @Test
    void everyManifestIsAcceptedByTheCrdVersionItNames() throws IOException {
        Map<String, List<String>> problemsByFile = new LinkedHashMap<>();
        Set<String> kinds = new TreeSet<>();
        for (Path file : manifests()) {
            List<JsonNode> docs = CustomResourceSchemas.readDocuments(file);
            assertFalse(docs.isEmpty(), file + " has no document");
            List<String> problems = new ArrayList<>();
            for (JsonNode doc : docs) {
                kinds.add(doc.path("kind").asText());
                problems.addAll(crds.problems(doc));
            }
            if (!problems.isEmpty()) {
                problemsByFile.put(file.getFileName().toString(), problems);
            }
        }
        assertEquals(Map.of(), problemsByFile, "manifests the API server would reject or warn about");
        assertEquals(Set.of("FlinkDeployment", "FlinkStateSnapshot", "KafkaTopic", "PodMonitor"), kinds);
    }

    @Test
    void schemaCheckRejectsFieldsTheCrdDoesNotList() throws IOException {
        ObjectNode deployment = flinkDeployment();
        ((ObjectNode) deployment.path("spec").path("job")).put("upgradeStrategy", "savepoint");
        assertCaught(deployment, "upgradeStrategy");

        // Inside the pod template, whose schema is the full Pod schema: a misspelt container field.
        deployment = flinkDeployment();
        ((ObjectNode) tmContainer(deployment))
                .set("resource", tmContainer(deployment).path("resources"));
        assertCaught(deployment, "resource");

        deployment = flinkDeployment();
        ((ObjectNode) deployment.path("metadata")).putObject("lables").put("team", "pricing");
        assertCaught(deployment, "lables");

        ObjectNode topic = (ObjectNode) kafkaTopics().get(0);
        ((ObjectNode) topic.path("spec")).put("replicationFactor", 3);
        assertCaught(topic, "replicationFactor");

        ObjectNode podMonitor = (ObjectNode) CustomResourceSchemas.readDocuments(K8S.resolve("podmonitor.yaml"))
                .get(0);
        ((ObjectNode) podMonitor.path("spec").path("podMetricsEndpoints").get(0)).put("portName", "metrics");
        assertCaught(podMonitor, "portName");
    }

    @Test
    void schemaCheckRejectsWrongTypesAndValues() throws IOException {
        ObjectNode topic = (ObjectNode) kafkaTopics().get(0);
        ((ObjectNode) topic.path("spec")).put("partitions", "12");
        assertCaught(topic, "partitions");

        topic = (ObjectNode) kafkaTopics().get(0);
        ((ObjectNode) topic.path("spec")).put("replicas", 0);
        assertCaught(topic, "replicas");

        ObjectNode deployment = flinkDeployment();
        ((ObjectNode) deployment.path("spec")).put("flinkVersion", "v2_9");
        assertCaught(deployment, "flinkVersion");

        deployment = flinkDeployment();
        ((ObjectNode) deployment.path("metadata")).put("name", "Personalized_Pricing");
        assertCaught(deployment, "metadata.name");
    }

    @Test
    void schemaCheckKeepsWhatTheCrdPreservesAndAcceptsIntOrString() throws IOException {
        ObjectNode deployment = flinkDeployment();
        // flinkConfiguration preserves unknown fields: any Flink option is fine.
        ((ObjectNode) deployment.path("spec").path("flinkConfiguration")).put("some.future.option", "x");
        // Quantities are int-or-string: 1 and "1" are both a GPU.
        ((ObjectNode) tmContainer(deployment).path("resources").path("limits")).put("nvidia.com/gpu", "1");
        assertEquals(List.of(), crds.problems(deployment));

        ObjectNode topic = (ObjectNode) kafkaTopics().get(0);
        ((ObjectNode) topic.path("spec").path("config")).put("segment.bytes", 1073741824);
        assertEquals(List.of(), crds.problems(topic));
    }

    @Test
    void schemaCheckRejectsVersionsThatAreDeprecatedOrNoLongerServed() throws IOException {
        ObjectNode beta = (ObjectNode) kafkaTopics().get(0);
        beta.put("apiVersion", "kafka.strimzi.io/v1beta2");
        // Strimzi 1.x no longer has v1beta2 at all ...
        assertTrue(
                String.join("\n", crds.problems(beta)).contains("version not defined by the CRD"),
                crds.problems(beta).toString());
        // ... and 0.49 to 0.51 serve it deprecated, which kubectl reports as a warning on every apply.
        CustomResourceSchemas strimzi051 =
                CustomResourceSchemas.load(CustomResourceSchemas.vendoredCrds().resolve("strimzi-0.51.0"));
        assertTrue(
                String.join("\n", strimzi051.problems(beta)).contains("is deprecated in kafkatopics.kafka.strimzi.io"),
                strimzi051.problems(beta).toString());
        ObjectNode v1 = (ObjectNode) kafkaTopics().get(0);
        assertEquals(List.of(), strimzi051.problems(v1), "v1 is served undeprecated by 0.51 too");

        ObjectNode deployment = flinkDeployment();
        deployment.put("apiVersion", "flink.apache.org/v1alpha1");
        assertFalse(crds.problems(deployment).isEmpty());
    }

    @Test
    void duplicateKeysAreRejectedLikeTheApiServerDoes() {
        UncheckedIOException refused = assertThrows(
                UncheckedIOException.class, () -> CustomResourceSchemas.parse("apiVersion: v1\nkind: A\nkind: B\n"));
        assertInstanceOf(JacksonException.class, refused.getCause());
        assertTrue(
                refused.getCause().getMessage().contains("Duplicate field 'kind'"),
                refused.getCause().getMessage());
    }

    @Test
    void flinkDeploymentUpgradesThroughSavepointsWithRocksDbAndHa() throws IOException {
        JsonNode d = flinkDeployment();
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
                "execution.checkpointing.savepoint-dir")) {
            assertTrue(conf.path(key).asText().startsWith("s3://"), key + " on S3, where the image has a plugin");
        }
        assertFalse(conf.path("execution.checkpointing.interval").asText().isBlank());
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

        for (String role : List.of("jobManager", "taskManager")) {
            JsonNode podTemplate = spec.path(role).path("podTemplate");
            // The properties file is mounted (from a Secret) wherever the job's code runs.
            assertTrue(mountsDirectoryOf(podTemplate, configFile), role + " mounts " + configFile);
            // S3 keys, where used, come from a Secret that may be absent (IRSA).
            JsonNode container = podTemplate.path("spec").path("containers").get(0);
            Set<String> fromSecret = new TreeSet<>();
            for (JsonNode env : container.path("env")) {
                assertFalse(env.has("value"), "no literal credentials: " + env);
                if (env.path("valueFrom").path("secretKeyRef").path("optional").asBoolean(false)) {
                    fromSecret.add(env.path("name").asText());
                }
            }
            assertEquals(Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"), fromSecret, role);
            // Pseudonymous user ids: the job manager (which builds the job) and every task read the key.
            if (parsed.get(PricingConfig.USER_IDS) == PricingConfig.UserIds.PSEUDONYMOUS) {
                boolean keyFromSecret = false;
                for (JsonNode env : container.path("env")) {
                    keyFromSecret |= env.path("name").asText().equals(parsed.get(PricingConfig.USER_ID_KEY_ENV))
                            && env.path("valueFrom").path("secretKeyRef").has("name");
                }
                assertTrue(keyFromSecret, role + " gets the user-id key from a Secret");
            }
        }
        assertEquals(
                PricingConfig.UserIds.PSEUDONYMOUS,
                parsed.get(PricingConfig.USER_IDS),
                "production keeps no raw shopper ids");
        assertEquals(
                1,
                tmContainer(d)
                        .path("resources")
                        .path("limits")
                        .path("nvidia.com/gpu")
                        .asInt(),
                "a GPU per TaskManager on GPU nodes");
        assertTrue(
                spec.path("jobManager")
                        .path("podTemplate")
                        .path("spec")
                        .path("containers")
                        .get(0)
                        .path("resources")
                        .path("limits")
                        .path("nvidia.com/gpu")
                        .isMissingNode(),
                "the JobManager does not hold a GPU");
    }

    @Test
    void javaOptionsKeepTheOperatorsDefaultsAndSetTheTmpDirTheImageCreates() throws IOException {
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        // FLINK_ENV_JAVA_OPTS set in the image makes Flink's start scripts skip env.java.default-opts.all,
        // which carries the --add-opens that Flink needs on Java 17.
        assertFalse(dockerfile.contains("FLINK_ENV_JAVA_OPTS"), "the image must not set FLINK_ENV_JAVA_OPTS");
        String opts = flinkDeployment()
                .path("spec")
                .path("flinkConfiguration")
                .path("env.java.opts.all")
                .asText("");
        Matcher tmp = Pattern.compile("-Djava\\.io\\.tmpdir=(\\S+)").matcher(opts);
        assertTrue(tmp.find(), "env.java.opts.all sets java.io.tmpdir: " + opts);
        assertTrue(
                Pattern.compile("RUN mkdir -p " + Pattern.quote(tmp.group(1)) + " && chown flink:flink "
                                + Pattern.quote(tmp.group(1)))
                        .matcher(dockerfile)
                        .find(),
                "the image creates " + tmp.group(1) + " for the flink user");
    }

    @Test
    void prometheusScrapesTheMetricsPortOfEveryJobManagerAndTaskManager() throws IOException {
        JsonNode spec = flinkDeployment().path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        assertEquals(
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                conf.path("metrics.reporter.prom.factory.class").asText());
        int port = Integer.parseInt(conf.path("metrics.reporter.prom.port").asText());

        JsonNode podMonitor = CustomResourceSchemas.readDocuments(K8S.resolve("podmonitor.yaml"))
                .get(0);
        assertEquals("PodMonitor", podMonitor.path("kind").asText());
        assertEquals(
                flinkDeployment().path("metadata").path("namespace").asText(),
                podMonitor.path("metadata").path("namespace").asText(),
                "PodMonitor in the job's namespace (it has no namespaceSelector)");
        JsonNode selector = podMonitor.path("spec").path("selector").path("matchLabels");
        assertFalse(selector.isEmpty(), "the PodMonitor selects by label");
        Set<String> scrapedPorts = new TreeSet<>();
        podMonitor
                .path("spec")
                .path("podMetricsEndpoints")
                .forEach(e -> scrapedPorts.add(e.path("port").asText()));
        assertEquals(Set.of("metrics"), scrapedPorts);

        for (String role : List.of("jobManager", "taskManager")) {
            JsonNode podTemplate = spec.path(role).path("podTemplate");
            for (var label : selector.properties()) {
                assertEquals(
                        label.getValue().asText(),
                        podTemplate
                                .path("metadata")
                                .path("labels")
                                .path(label.getKey())
                                .asText(null),
                        role + " pods carry the label the PodMonitor selects");
            }
            Map<String, Integer> ports = new HashMap<>();
            podTemplate
                    .path("spec")
                    .path("containers")
                    .get(0)
                    .path("ports")
                    .forEach(p -> ports.put(
                            p.path("name").asText(), p.path("containerPort").asInt()));
            assertEquals(port, ports.get("metrics"), role + " exposes the reporter's port as 'metrics'");
        }
        assertEquals(
                flinkDeployment()
                        .path("metadata")
                        .path("labels")
                        .path(JOB_LABEL)
                        .asText(),
                selector.path(JOB_LABEL).asText());
    }

    @Test
    void savepointHistoryIsReadThroughFlinkStateSnapshots() throws IOException {
        JsonNode snapshot = CustomResourceSchemas.readDocuments(K8S.resolve("savepoint.yaml"))
                .get(0);
        JsonNode deployment = flinkDeployment();
        assertEquals("FlinkStateSnapshot", snapshot.path("kind").asText());
        assertEquals(
                deployment.path("metadata").path("name").asText(),
                snapshot.path("spec").path("jobReference").path("name").asText());
        assertEquals(
                deployment.path("metadata").path("namespace").asText(),
                snapshot.path("metadata").path("namespace").asText());
        assertFalse(
                snapshot.path("spec").path("savepoint").path("disposeOnDelete").asBoolean(true),
                "savepoint data outlives the resource");
        String readme = Files.readString(K8S.resolve("README.md"));
        assertTrue(
                readme.contains("kubectl -n pricing get flinkstatesnapshots"), "README shows how to list savepoints");
        assertFalse(readme.contains("savepointInfo"), "the deprecated status field is not the way to read history");
    }

    @Test
    void docsNameTheOperatorReleasesWhoseCrdsTheManifestsAreCheckedAgainst() throws IOException {
        Map<String, String> vendored = new HashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| ([a-z-]+) \\| (\\d+\\.\\d+\\.\\d+) \\|")
                .matcher(Files.readString(CustomResourceSchemas.vendoredCrds().resolve("README.md")));
        while (row.find()) {
            vendored.putIfAbsent(row.group(1), row.group(2));
        }
        String readme = Files.readString(K8S.resolve("README.md"));
        assertTrue(
                readme.contains("Flink Kubernetes Operator " + vendored.get("flink-kubernetes-operator")),
                "operator version");
        assertTrue(readme.contains("Strimzi " + vendored.get("strimzi-kafka-operator")), "Strimzi version");
        assertTrue(
                readme.contains("prometheus-operator " + vendored.get("prometheus-operator")),
                "prometheus-operator version");
        assertTrue(
                Files.readString(K8S.resolve("flinkdeployment.yaml"))
                        .contains(
                                "Flink Kubernetes Operator " + vendored.get("flink-kubernetes-operator") + " or later"),
                "flinkdeployment.yaml names the operator release");
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
    void dockerfileCopiesOnlyTheCudaLibrariesOnnxRuntimeLinksAgainst() throws IOException {
        List<String> lines = dockerfileInstructions();
        Set<String> copied = new TreeSet<>();
        for (String line : lines) {
            Matcher m = Pattern.compile("^COPY --from=cuda (\\S+) /opt/cuda/lib64/$")
                    .matcher(line);
            if (line.startsWith("COPY --from=cuda")) {
                assertTrue(m.matches(), "CUDA libraries go to /opt/cuda/lib64: " + line);
                String source = m.group(1);
                assertFalse(source.endsWith("/"), "no whole library directory: " + line);
                copied.add(source.substring(source.lastIndexOf('/') + 1));
            }
        }
        Set<String> expected = new TreeSet<>();
        for (String lib : CUDA_EP_LIBRARIES) {
            expected.add(lib + "*");
        }
        // cuDNN's runtime-compiled engines compile their kernels with NVRTC, loaded on demand.
        expected.add("libnvrtc.so.12*");
        expected.add("libnvrtc-builtins.so.12*");
        assertEquals(expected, copied);
        assertTrue(lines.contains("ENV LD_LIBRARY_PATH=/opt/cuda/lib64"), "the copied libraries are found");
        Matcher cudaImage = Pattern.compile(
                        "(?m)^FROM nvidia/cuda:12\\.\\d+\\.\\d+-cudnn-runtime-ubuntu(\\S+) AS cuda$")
                .matcher(String.join("\n", lines));
        assertTrue(cudaImage.find(), "CUDA 12 with cuDNN 9 from NVIDIA's runtime image");
        assertEquals("24.04", cudaImage.group(1), "same Ubuntu release as the Flink 2.2 image (noble)");
    }

    @Test
    void dockerfileSetsUpGpuAccessAndTheS3Plugin() throws IOException {
        List<String> lines = dockerfileInstructions();
        Map<String, String> env = new HashMap<>();
        for (String line : lines) {
            Matcher m = Pattern.compile("^ENV (\\w+)=(\\S+)$").matcher(line);
            if (m.matches()) {
                env.put(m.group(1), m.group(2));
            }
        }
        assertEquals("compute,utility", env.get("NVIDIA_DRIVER_CAPABILITIES"));
        assertEquals("void", env.get("NVIDIA_VISIBLE_DEVICES"), "GPUs only through the device plugin's allocation");
        String joined = String.join("\n", lines);
        assertTrue(
                joined.contains(
                        "cp /opt/flink/opt/flink-s3-fs-presto-${FLINK_VERSION}.jar /opt/flink/plugins/s3-fs-presto/"),
                "s3:// served by the Presto S3 plugin in its own plugin directory");
        assertTrue(lines.contains("ARG FLINK_VERSION"), "FLINK_VERSION is visible in the final stage");
    }

    @Test
    void kafkaTopicsCoverEveryTopicOfTheJobWithProductionSettings() throws IOException {
        Map<String, JsonNode> topics = new HashMap<>();
        for (JsonNode t : kafkaTopics()) {
            assertEquals("KafkaTopic", t.path("kind").asText());
            assertEquals("kafka.strimzi.io/v1", t.path("apiVersion").asText());
            topics.put(t.path("metadata").path("name").asText(), t.path("spec"));
        }
        PricingConfig defaults = PricingConfig.fromArgs(new String[0]);
        for (ConfigOption<String> topic : PricingConfig.TOPICS) {
            JsonNode spec = topics.get(defaults.get(topic));
            assertTrue(spec != null, "topic " + defaults.get(topic) + " is defined");
            // The control topic's records are ordered by revision: one partition.
            boolean control = topic == PricingConfig.TOPIC_MODEL_CONTROL;
            assertTrue(
                    control
                            ? spec.path("partitions").asInt() == 1
                            : spec.path("partitions").asInt() >= 3,
                    defaults.get(topic) + " partitions");
            assertTrue(spec.path("replicas").asInt() >= 3, defaults.get(topic) + " replication");
            assertEquals(2, spec.path("config").path("min.insync.replicas").asInt(), defaults.get(topic) + " min ISR");
            boolean compacted = topic == PricingConfig.TOPIC_CATALOG || control;
            assertEquals(
                    compacted ? "compact" : "",
                    spec.path("config").path("cleanup.policy").asText(""),
                    defaults.get(topic) + " cleanup policy");
            if (!compacted) {
                assertTrue(spec.path("config").path("retention.ms").asLong() > 0, defaults.get(topic) + " retention");
            }
        }
        assertEquals(PricingConfig.TOPICS.size(), topics.size(), "no stray topics");
    }

    private static void assertCaught(JsonNode manifest, String field) {
        List<String> problems = crds.problems(manifest);
        assertTrue(
                problems.stream().anyMatch(p -> p.contains(field)),
                "expected a problem naming " + field + ", got " + problems);
    }

    private static List<Path> manifests() throws IOException {
        try (Stream<Path> s = Files.list(K8S)) {
            List<Path> files = s.filter(
                            p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
            assertFalse(files.isEmpty());
            return files;
        }
    }

    private static ObjectNode flinkDeployment() throws IOException {
        return (ObjectNode) CustomResourceSchemas.readDocuments(K8S.resolve("flinkdeployment.yaml"))
                .get(0);
    }

    private static List<JsonNode> kafkaTopics() throws IOException {
        return CustomResourceSchemas.readDocuments(K8S.resolve("kafka-topics.yaml"));
    }

    private static JsonNode tmContainer(JsonNode deployment) {
        return deployment
                .path("spec")
                .path("taskManager")
                .path("podTemplate")
                .path("spec")
                .path("containers")
                .get(0);
    }

    /** Dockerfile instructions with comments dropped and continuation lines joined. */
    private static List<String> dockerfileInstructions() throws IOException {
        String text = Files.readString(K8S.resolve("Dockerfile"));
        String joined = Stream.of(text.split("\n"))
                .filter(l -> !l.stripLeading().startsWith("#"))
                .collect(Collectors.joining("\n"))
                .replaceAll("\\\\\n\\s*", "");
        return Stream.of(joined.split("\n"))
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
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
