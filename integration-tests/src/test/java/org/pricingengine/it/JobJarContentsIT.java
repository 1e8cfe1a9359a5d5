package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pricingengine.it.testutils.RepoPaths;

/**
 * The shaded job jar is what a cluster runs and what the Docker image carries: it holds the job and the
 * feature code it needs, the Kafka connector and Jackson, and nothing of the tools, the tests or what
 * the cluster itself provides (Flink, RocksDB, ONNX Runtime).
 */
class JobJarContentsIT {

    @Test
    void jobJarHoldsOnlyTheJobAndItsLibraries() throws IOException {
        Path jar = jobJar();
        List<String> ourClasses = new ArrayList<>();
        List<String> offending = new ArrayList<>();
        int classes = 0;
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            assertEquals(
                    "org.pricingengine.job.PricingJob",
                    jarFile.getManifest().getMainAttributes().getValue("Main-Class"));
            for (Enumeration<JarEntry> entries = jarFile.entries(); entries.hasMoreElements(); ) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                classes++;
                if (name.startsWith("org/pricingengine/")) {
                    ourClasses.add(name);
                    boolean jobOrFeatures =
                            name.startsWith("org/pricingengine/job/") || name.startsWith("org/pricingengine/features/");
                    if (!jobOrFeatures || name.matches(".*(Test|IT|TestBase)(\\$.*)?\\.class")) {
                        offending.add(name + " (not a job class)");
                    }
                    if (referencesAwt(jarFile, entry)) {
                        offending.add(name + " (uses java.awt)");
                    }
                }
                for (String provided : List.of(
                        // Flink itself (the Kafka connector's own classes sit under streaming/connectors/)
                        "org/apache/flink/streaming/api/",
                        "org/apache/flink/streaming/runtime/",
                        "org/apache/flink/runtime/",
                        "org/apache/flink/api/common/",
                        "org/apache/flink/configuration/",
                        "org/apache/flink/state/rocksdb/",
                        "org/rocksdb/",
                        "ai/onnxruntime/",
                        "org/junit/",
                        "org/apache/kafka/common/test/",
                        "kafka/server/")) {
                    if (name.startsWith(provided)) {
                        offending.add(name + " (provided by the cluster or test-only)");
                        break;
                    }
                }
            }
        }
        System.out.printf(
                "job jar %s: %,d bytes, %,d classes, %,d of them ours%n",
                jar.getFileName(), Files.size(jar), classes, ourClasses.size());
        assertTrue(
                ourClasses.stream().anyMatch(c -> c.startsWith("org/pricingengine/job/PricingJob")),
                "the job's own classes are in the jar");
        assertTrue(
                offending.isEmpty(),
                "the job jar holds classes it must not: " + offending.subList(0, Math.min(20, offending.size())) + " ("
                        + offending.size() + " in all)");
    }

    /** A class that uses AWT names it in its constant pool. */
    private static boolean referencesAwt(JarFile jar, JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("java/awt/");
        }
    }

    private static Path jobJar() throws IOException {
        try (Stream<Path> files = Files.list(RepoPaths.root().resolve("pricing-job/target"))) {
            return files.filter(p -> p.getFileName().toString().matches("pricing-job-.*-job\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no job jar in pricing-job/target: run mvn package"));
        }
    }
}
