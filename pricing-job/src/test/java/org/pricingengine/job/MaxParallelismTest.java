package org.pricingengine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;

/**
 * The max parallelism is the number of key groups of the job's keyed state, and a savepoint restores only
 * with the one it was taken with: the job sets it from its option, never leaving Flink to derive it from
 * the first deployment's parallelism.
 */
class MaxParallelismTest {

    @Test
    void everyTaskOfTheJobHasTheConfiguredMaxParallelism() {
        assertEquals(Map.of(128, true), maxParallelisms(PricingConfig.defaults()), "the default");
        assertEquals(
                Map.of(1024, true),
                maxParallelisms(PricingConfig.of(Map.of("job.max-parallelism", "1024", "job.parallelism", "4"))));
    }

    @Test
    void aParallelismAboveTheMaxOrAnOutOfRangeMaxIsRefusedAtStartUp() {
        IllegalArgumentException above = assertThrows(
                IllegalArgumentException.class,
                () -> PricingConfig.of(Map.of("job.max-parallelism", "8", "job.parallelism", "16")));
        assertTrue(above.getMessage().contains("job.max-parallelism"), above.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.of(Map.of("job.max-parallelism", "0")));
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.of(Map.of("job.max-parallelism", "65536")));
    }

    /** The max parallelism of every task of the job's graph, as a set (a map to true). */
    private static Map<Integer, Boolean> maxParallelisms(PricingConfig config) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        Map<Integer, Boolean> seen = new java.util.HashMap<>();
        for (JobVertex vertex : graph.getVertices()) {
            seen.put(vertex.getMaxParallelism(), true);
        }
        return seen;
    }
}
