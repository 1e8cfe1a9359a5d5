package org.pricingengine.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A storefront takes this module with Kafka clients and Jackson only: neither Flink nor the job's classes
 * may come along (the test classpath is the runtime one plus JUnit and the schema validator).
 */
class NoFlinkOnClasspathTest {
    @Test
    void neitherFlinkNorTheJobIsOnTheClasspath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.flink.api.common.JobID"));
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName("org.apache.flink.streaming.api.environment.StreamExecutionEnvironment"));
        assertThrows(
                ClassNotFoundException.class, () -> Class.forName("org.pricingengine.features.events.PriceRequest"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.pricingengine.job.PricingJob"));
        List<String> entries =
                Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        List<String> offending = entries.stream()
                .filter(e -> e.contains("org/apache/flink")
                        || e.contains("flink-")
                        || e.contains("feature-functions")
                        || e.contains("pricing-job"))
                .toList();
        assertTrue(offending.isEmpty(), "classpath holds " + offending);
        assertTrue(
                entries.stream().anyMatch(e -> e.contains("kafka-clients")),
                "the check looks at the resolved classpath: " + entries);
    }
}
