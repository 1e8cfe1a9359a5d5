package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.DebianPython;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.tools.audit.DeliveryAudit;
import org.pricingengine.tools.local.Rees46Replayer;

/**
 * The model failing at run time, three ways, each in its own job on a MiniCluster with restarts
 * disabled (a restart would fail the test): ONNX Runtime throwing on batches with a list price above
 * 10, the model returning NaN for them, and the model taking longer than the 50 ms scoring timeout
 * for them (fixtures from model-assets/training/faulty_candidate.py). Every valid request
 * still gets a decision, model failures fall back to the list price with the failure's reason code,
 * and the circuit breaker opens (FALLBACK_CIRCUIT_OPEN decisions) and closes again (model-priced
 * decisions after the first of those).
 */
class ModelFailureIT {
    private static final int ROWS = 2500;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path models;

    @BeforeAll
    static void faultyModels() throws Exception {
        DebianPython.require("onnx");
        Path v1 = RepoPaths.models().resolve("v1");
        Files.createDirectories(models.resolve("v1"));
        try (Stream<Path> files = Files.list(v1)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, models.resolve("v1").resolve(f.getFileName()));
            }
        }
        for (String fault : List.of("error", "nan", "slow")) {
            Process p = new ProcessBuilder(
                            "/usr/bin/python3",
                            RepoPaths.root()
                                    .resolve("model-assets/training/faulty_candidate.py")
                                    .toString(),
                            "--models",
                            models.toString(),
                            "--source",
                            "v1",
                            "--name",
                            "v1-" + fault,
                            "--price-above",
                            "10",
                            "--fault",
                            fault,
                            "--slow-matmuls",
                            "3")
                    .inheritIO()
                    .start();
            assertEquals(0, p.waitFor(), "faulty_candidate.py --fault " + fault);
        }
    }

    @Test
    void modelErrorsFallBackToListPriceAndTripTheBreaker() throws Exception {
        Map<ReasonCode, Long> reasons = runAndCheck("v1-error", Map.of());
        assertTrue(reasons.getOrDefault(ReasonCode.FALLBACK_MODEL_ERROR, 0L) > 20, reasons.toString());
    }

    @Test
    void nanOutputsFallBackToListPriceAndTripTheBreaker() throws Exception {
        Map<ReasonCode, Long> reasons = runAndCheck("v1-nan", Map.of());
        assertTrue(reasons.getOrDefault(ReasonCode.FALLBACK_INVALID_MODEL_OUTPUT, 0L) > 20, reasons.toString());
    }

    @Test
    void timeoutsFallBackToListPriceAndTripTheBreaker() throws Exception {
        // A slow batch takes 100+ ms (three 1024x1024 matrix products); a fast one under a millisecond.
        Map<ReasonCode, Long> reasons = runAndCheck(
                "v1-slow",
                Map.of(PricingConfig.SCORING_TIMEOUT.key(), "50ms", PricingConfig.BREAKER_COOLDOWN.key(), "200ms"));
        assertTrue(reasons.getOrDefault(ReasonCode.FALLBACK_MODEL_TIMEOUT, 0L) > 20, reasons.toString());
    }

    /** Runs the job with the model to the end of a replay; checks nothing was lost; returns decisions by first reason. */
    private Map<ReasonCode, Long> runAndCheck(String model, Map<String, String> overrides) throws Exception {
        TestTopics topics = new TestTopics("it-model-failure-" + model);
        KAFKA.createTopics(2, topics.all());
        Map<String, String> options = new LinkedHashMap<>(topics.asOptions());
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.BOUNDED.key(), "true");
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), models.toString());
        options.put(PricingConfig.MODEL_VERSION.key(), model);
        options.put(PricingConfig.PARALLELISM.key(), "1");
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "2s");
        // One request per batch: whether a batch fails depends on its own list price only.
        options.put(PricingConfig.SCORING_BATCH_SIZE.key(), "1");
        options.put(PricingConfig.BREAKER_FAILURES.key(), "3");
        options.put(PricingConfig.BREAKER_COOLDOWN.key(), "20ms");
        options.putAll(overrides);
        PricingConfig config = PricingConfig.of(options);
        try (Rees46Replayer replayer = new Rees46Replayer(KAFKA.bootstrapServers(), config)) {
            replayer.replay(RepoPaths.cosmetics(), 0, ROWS, 0, null);
        }
        Configuration flinkConf = PricingJob.flinkConfiguration(config);
        flinkConf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConf);
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        env.execute("pricing-model-failure-" + model);

        DeliveryAudit.Result audit = DeliveryAudit.run(KAFKA.bootstrapServers(), config);
        assertEquals(List.of(), audit.problems());
        assertTrue(audit.validRequests() > 500, Json.toJson(audit));
        assertEquals(0, audit.requestsWithoutDecision(), "nothing lost: " + Json.toJson(audit));

        List<JsonNode> decisions = new ArrayList<>();
        for (String raw : KAFKA.readAll(topics.decisions())) {
            decisions.add(Json.mapper().readTree(raw));
        }
        Map<ReasonCode, Long> byReason = new HashMap<>();
        long firstBreakerOpenMs = Long.MAX_VALUE;
        for (JsonNode d : decisions) {
            ReasonCode reason = ReasonCode.ofCode(d.get("reason_codes").get(0).asText());
            byReason.merge(reason, 1L, Long::sum);
            if (reason == ReasonCode.FALLBACK_CIRCUIT_OPEN) {
                firstBreakerOpenMs = Math.min(firstBreakerOpenMs, decisionTime(d));
            }
            if (d.get("fallback").asBoolean() && d.hasNonNull("price")) {
                assertTrue(reason.isFallback(), d.toString());
                // The list price inside the guardrails: after an explored discount the change limit may
                // hold the fallback below list.
                JsonNode experiment = d.get("experiment");
                double listInBounds = Math.max(
                        experiment.get("floor").asDouble(),
                        Math.min(
                                experiment.get("ceiling").asDouble(),
                                d.get("list_price").asDouble()));
                assertEquals(listInBounds, d.get("price").asDouble(), 0.01, "fallback at list price: " + d);
                assertTrue(
                        d.get("guardrails").toString().contains("CHANGE_LIMIT")
                                || Math.abs(d.get("list_price").asDouble()
                                                - d.get("price").asDouble())
                                        < 0.01,
                        "below list price only where the change limit binds: " + d);
                assertEquals(1.0, experiment.get("propensity").asDouble(), d.toString());
                assertTrue(!d.get("personalized").asBoolean(), d.toString());
            }
        }
        System.out.println(
                "model-failure " + model + " " + overrides + ": decisions=" + decisions.size() + " " + byReason);
        assertTrue(firstBreakerOpenMs < Long.MAX_VALUE, "the breaker opened: " + byReason);
        long finalFirst = firstBreakerOpenMs;
        long modelPricedAfterOpen = decisions.stream()
                .filter(d -> !d.get("fallback").asBoolean() && decisionTime(d) > finalFirst)
                .count();
        assertTrue(
                modelPricedAfterOpen > 0, "the breaker closed again and the model priced more requests: " + byReason);
        return byReason;
    }

    private static long decisionTime(JsonNode d) {
        return java.time.Instant.parse(d.get("decision_time").asText()).toEpochMilli();
    }
}
