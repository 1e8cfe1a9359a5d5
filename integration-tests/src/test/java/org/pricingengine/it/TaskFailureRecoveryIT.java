package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.tools.audit.DeliveryAudit;
import org.pricingengine.tools.local.Rees46Replayer;

/**
 * A task fails in the middle of a replay (REES46 rows sent at a steady rate while the job runs), after a
 * checkpoint has completed and more decisions have been published since. The job restarts from the checkpoint and replays what followed; afterwards every
 * valid request has a decision, each repeated decision is the identical record, and the feedback topic
 * read with read_committed holds each outcome once (the failed attempt's transaction was aborted).
 */
class TaskFailureRecoveryIT {
    private static final int ROWS = 6000;
    private static final double ROWS_PER_SECOND = 500;

    @TempDir
    static Path TEMP;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** Shared with the failing operator: the MiniCluster runs in this JVM. */
    static final AtomicBoolean CHECKPOINT_COMPLETED = new AtomicBoolean();

    static final AtomicLong DECISIONS_AFTER_CHECKPOINT = new AtomicLong();
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final long FAIL_AFTER = 200;
    static final AtomicLong DECISIONS_SEEN = new AtomicLong();

    @Test
    void afterATaskFailureNothingIsLostAndRepeatsAreIdentical() throws Exception {
        TestTopics topics = new TestTopics("it-task-failure");
        KAFKA.createTopics(2, topics.all());
        Map<String, String> options = new LinkedHashMap<>(topics.asOptions());
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), RepoPaths.models().toString());
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "1s");
        options.put(PricingConfig.PARALLELISM.key(), "2");
        options.put(PricingConfig.TRANSACTIONAL_ID_PREFIX.key(), "it-task-failure");
        PricingConfig config = PricingConfig.of(options);

        Configuration flinkConf = PricingJob.flinkConfiguration(config);
        flinkConf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        flinkConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        flinkConf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        DataStream<PriceDecision> decisions =
                new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        decisions
                .map(new FailOnceAfterACheckpoint())
                .uid("test-failure-injection")
                .name("fail once")
                .sinkTo(new DiscardingSink<>())
                .uid("test-discard")
                .name("discard");
        JobClient job = env.executeAsync("pricing-task-failure-it");
        // Shoppers keep coming while the job fails and recovers.
        try (Rees46Replayer replayer = new Rees46Replayer(KAFKA.bootstrapServers(), config)) {
            // Half way, hold the replay until a checkpoint has completed: the second half's decisions then
            // follow a checkpoint however slowly the job started, so the failure lands mid-replay.
            replayer.replay(
                    RepoPaths.cosmetics(),
                    ROWS_PER_SECOND,
                    ROWS,
                    0,
                    null,
                    ROWS / 2,
                    TaskFailureRecoveryIT::awaitFirstCheckpoint,
                    List.of());
        }
        DeliveryAudit.Result audit =
                DeliveryAudit.awaitDecisions(KAFKA.bootstrapServers(), config, Duration.ofMinutes(2));
        // Draining stops the job with a final watermark: every attribution window closes, its outcome commits.
        job.stopWithSavepoint(true, TEMP.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);

        assertTrue(FAILED.get(), "the injected failure happened (decisions seen: " + DECISIONS_SEEN.get() + ")");
        audit = DeliveryAudit.run(KAFKA.bootstrapServers(), config);
        System.out.println("task-failure: " + Json.toJson(audit));
        assertEquals(java.util.List.of(), audit.problems(), String.join("\n\n", audit.examples()));
        assertTrue(audit.validRequests() > 2000, "valid requests: " + audit.validRequests());
        assertEquals(0, audit.requestsWithoutDecision());
        assertTrue(
                audit.duplicateDecisions() > 0,
                "decisions published after the checkpoint come again after the restart: " + Json.toJson(audit));
        assertEquals(0, audit.nonIdenticalDuplicates());
        assertEquals(0, audit.duplicateOutcomes());
        // The job was drained: every attribution window closed.
        assertEquals(audit.distinctDecisions(), audit.committedOutcomes());
        assertEquals(0, audit.decisionsWithoutOutcome());
    }

    private static void awaitFirstCheckpoint() {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!CHECKPOINT_COMPLETED.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no checkpoint completed within 3 minutes");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Throws once, in the first attempt, after a checkpoint has completed and more decisions followed it.
     * Chained to the pricing policy: its failure restarts the whole job (one pipelined region).
     */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<PriceDecision, PriceDecision>
            implements CheckpointListener {
        @Override
        public void open(OpenContext openContext) {}

        @Override
        public PriceDecision map(PriceDecision d) {
            DECISIONS_SEEN.incrementAndGet();
            if (CHECKPOINT_COMPLETED.get()
                    && !FAILED.get()
                    && DECISIONS_AFTER_CHECKPOINT.incrementAndGet() >= FAIL_AFTER
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected task failure");
            }
            return d;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (!CHECKPOINT_COMPLETED.getAndSet(true)) {
                System.out.println(
                        "checkpoint " + checkpointId + " completed after " + DECISIONS_SEEN.get() + " decisions");
            }
        }
    }
}
