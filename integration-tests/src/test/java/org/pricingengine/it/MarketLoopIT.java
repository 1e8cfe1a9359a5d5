package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.tools.market.LoopReport;
import org.pricingengine.tools.market.LoopResult;
import org.pricingengine.tools.market.MarketLoop;
import org.pricingengine.tools.market.World;

/**
 * The closed loop, small: the job on a MiniCluster against a real broker, the market loop playing a
 * world's shoppers for a few thousand requests (their purchases drawn from the world's truth at the
 * quoted prices and sent back as behaviour events), then the mechanics checked on the topics: every
 * request priced once, retried requests answered identically, every decision's outcome attributed as
 * drawn, prices inside the guardrails, and, on decisions that carry an experiment, a well-formed
 * experiment whose segment posterior moves towards the world's price sensitivity.
 */
class MarketLoopIT {
    /** Shoppers who arrive after the first round's outcomes have been learned from. */
    private static final String LATE_TAG = "it-late-";

    private static final long LATE_REQUESTS = 600;

    private static final int REQUESTS = 3000;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final TestTopics TOPICS = new TestTopics("it-market");
    private static World world;
    private static LoopResult result;
    private static LoopReport.Summary late;
    private static List<JsonNode> decisions;
    private static List<JsonNode> feedback;

    @BeforeAll
    static void playTheMarket() throws Exception {
        world = World.read(RepoPaths.root().resolve("integration-tests/src/test/resources/worlds/it-elastic.json"));
        Map<String, String> options = new LinkedHashMap<>(TOPICS.asOptions());
        List<String> topics = new java.util.ArrayList<>(TOPICS.all());
        // The model input of randomized decisions is logged as retraining needs it.
        options.put(PricingConfig.TOPIC_DECISION_FEATURES.key(), "it-market.decision-features");
        topics.add("it-market.decision-features");
        KAFKA.createTopics(2, topics);
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), RepoPaths.models().toString());
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "2s");
        options.put(PricingConfig.PARALLELISM.key(), "2");
        options.put(PricingConfig.TRANSACTIONAL_ID_PREFIX.key(), "it-market");
        // A short window: outcomes come back within the first round, so the learner has posteriors to publish.
        options.put(PricingConfig.ATTRIBUTION_WINDOW.key(), "15min");
        options.put(PricingConfig.WATERMARK_IDLENESS.key(), "3s");
        PricingConfig config = PricingConfig.of(options);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobClient job = env.executeAsync("market-loop-it");
        try {
            LoopReport.Summary summary = MarketLoop.run(
                    new MarketLoop.Settings(
                            KAFKA.bootstrapServers(),
                            config,
                            world,
                            REQUESTS,
                            config.get(PricingConfig.MODEL_VERSION),
                            1,
                            "it-",
                            1000,
                            0.02,
                            RepoPaths.root().resolve("model-assets/data/rees46"),
                            Duration.ofMinutes(2),
                            Duration.ofSeconds(60),
                            false,
                            "greedy",
                            0),
                    () -> {
                        if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                            throw new IllegalStateException("the job ended");
                        }
                    });
            result = summary.result();
            System.out.println("loop: " + Json.toJson(result));
            // The first round's outcomes are committed; give the learner time to read them back and
            // publish, then let later shoppers meet what it learned (event time continues).
            // The pause outlasts the sources' idleness timeout: event time must go on when shoppers come back.
            Thread.sleep(10_000);
            late = MarketLoop.run(
                    new MarketLoop.Settings(
                            KAFKA.bootstrapServers(),
                            config,
                            world,
                            LATE_REQUESTS,
                            config.get(PricingConfig.MODEL_VERSION),
                            2,
                            LATE_TAG,
                            1000,
                            0,
                            RepoPaths.root().resolve("model-assets/data/rees46"),
                            Duration.ofMinutes(2),
                            Duration.ofSeconds(60),
                            false,
                            null,
                            summary.endOfTimeMs() + 60_000),
                    () -> {
                        if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                            throw new IllegalStateException("the job ended");
                        }
                    });
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        decisions = parse(KAFKA.readAll(TOPICS.decisions()));
        feedback = parse(KAFKA.readAll(TOPICS.feedback(), Map.of("isolation.level", "read_committed")));
    }

    private static List<JsonNode> parse(List<String> raw) {
        return raw.stream()
                .map(s -> {
                    try {
                        return Json.mapper().readTree(s);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    /** The first round's decisions (not the ticks that close the last windows), first copy of each. */
    private static Map<String, JsonNode> loopDecisions() {
        return decisionsOf(false);
    }

    private static Map<String, JsonNode> decisionsOf(boolean late) {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (JsonNode d : decisions) {
            String user = d.get("user_id").asText();
            if (!user.startsWith("market-tick") && user.contains("~" + LATE_TAG) == late) {
                byId.putIfAbsent(d.get("decision_id").asText(), d);
            }
        }
        return byId;
    }

    private static boolean priced(JsonNode x) {
        return x != null
                && !x.isNull()
                && "policy".equals(x.get("group").asText())
                && x.hasNonNull("model_sensitivity")
                && x.hasNonNull("posterior_mean");
    }

    @Test
    void afterAPauseLongerThanTheIdlenessTimeoutLaterShoppersStillGetTheirOutcomes() {
        assertEquals(LATE_REQUESTS, late.result().decisions(), late.result().toString());
        assertEquals(LATE_REQUESTS, late.result().outcomes(), "event time went on: " + late.result());
        assertEquals(0, late.result().attributionMismatches(), late.result().toString());
    }

    @Test
    void everyRequestIsPricedOnceAndRetriesAreAnsweredIdentically() {
        assertEquals(REQUESTS, result.decisions(), result.toString());
        assertEquals(REQUESTS, loopDecisions().size());
        assertTrue(result.retriesSent() > 20, "retries sent: " + result.retriesSent());
        assertTrue(result.duplicateDecisions() >= result.retriesSent(), result.toString());
        assertEquals(0, result.duplicateMismatches(), "a re-issued decision differs from the first");
    }

    @Test
    void everyDecisionGetsTheOutcomeTheShopperDrew() {
        assertEquals(0, result.decisionsWithoutOutcome(), result.toString());
        assertEquals(REQUESTS, result.outcomes());
        assertTrue(result.purchasesDrawn() > 100, "purchases drawn: " + result.purchasesDrawn());
        assertEquals(0, result.attributionMismatches(), result.toString());
        assertEquals(result.purchasesDrawn(), result.purchasesAttributed());
    }

    @Test
    void aPolicyTheJobDidNotRunIsEvaluatedOffPolicyNextToItsTruth() {
        assertEquals("greedy", result.opePolicy());
        assertTrue(result.opeRequests() > 100, result.toString());
        assertTrue(result.opeCiLow() <= result.opeDr() && result.opeDr() <= result.opeCiHigh(), result.toString());
        assertTrue(result.opeTrue() > 0, result.toString());
        // A few hundred randomized outcomes: the estimate is rough, but it is about the right quantity.
        assertEquals(result.opeTrue(), result.opeDr(), 0.5 * result.opeTrue() + 0.2, result.toString());
    }

    @Test
    void noPriceLeavesItsGuardrails() {
        assertEquals(0, result.guardrailViolations(), result.toString());
    }

    @Test
    void experimentsAreWellFormedAndTravelWithTheOutcome() {
        assumeTrue(result.decisionsWithExperiment() > 0, "the job does not log experiments yet");
        Map<String, JsonNode> byId = loopDecisions();
        int holdout = 0;
        for (JsonNode d : byId.values()) {
            if (!d.hasNonNull("price")) {
                continue;
            }
            JsonNode x = d.get("experiment");
            assertTrue(x != null && !x.isNull(), "decision without experiment: " + d);
            double sum = 0;
            for (JsonNode p : x.get("probabilities")) {
                sum += p.asDouble();
            }
            assertEquals(1.0, sum, 1e-9, d.toString());
            int chosen = x.get("chosen").asInt();
            assertEquals(
                    x.get("probabilities").get(chosen).asDouble(),
                    x.get("propensity").asDouble(),
                    1e-12);
            assertEquals(
                    x.get("candidates").get(chosen).asDouble(), d.get("price").asDouble(), 1e-9, d.toString());
            if ("holdout".equals(x.get("group").asText())) {
                holdout++;
                double list = d.get("list_price").asDouble();
                double clamped = Math.max(
                        x.get("floor").asDouble(), Math.min(x.get("ceiling").asDouble(), list));
                assertEquals(clamped, d.get("price").asDouble(), 1e-9, "holdout at list price: " + d);
            }
        }
        assertTrue(holdout > 0, "some shoppers are in the holdout");
        Map<String, JsonNode> outcomes = new HashMap<>();
        feedback.forEach(f -> outcomes.put(f.get("decision_id").asText(), f));
        for (JsonNode d : byId.values()) {
            JsonNode f = outcomes.get(d.get("decision_id").asText());
            assertTrue(f != null, "no outcome for " + d);
            assertEquals(d.get("experiment"), f.get("experiment"), "the outcome carries the decision's experiment");
        }
    }

    @Test
    void theSegmentPosteriorMovesTowardsTheWorldsPriceSensitivity() {
        assumeTrue(result.decisionsWithExperiment() > 0, "the job does not log experiments yet");
        List<JsonNode> policy = loopDecisions().values().stream()
                .map(d -> d.get("experiment"))
                .filter(MarketLoopIT::priced)
                .toList();
        // Shoppers who came after the first round's outcomes were learned from.
        List<JsonNode> late = decisionsOf(true).values().stream()
                .map(d -> d.get("experiment"))
                .filter(MarketLoopIT::priced)
                .toList();
        assertTrue(late.size() > LATE_REQUESTS / 2, "later decisions: " + late.size());
        long learned = late.stream()
                .filter(x -> x.get("posterior_observations").asLong() > 0)
                .count();
        assertTrue(
                learned > late.size() / 2,
                learned + " of the later shoppers' " + late.size() + " decisions had a posterior");
        // The model's curve corrected by the posterior shift should approach the world's sensitivity.
        double target = late.stream()
                .mapToDouble(x -> world.sensitivity().median()
                        - x.get("model_sensitivity").asDouble())
                .average()
                .orElseThrow();
        double lateShift = late.stream()
                .mapToDouble(x -> x.get("posterior_mean").get(1).asDouble())
                .average()
                .orElseThrow();
        double priorShift = policy.stream()
                .filter(x -> x.get("posterior_observations").asLong() == 0)
                .mapToDouble(x -> x.get("posterior_mean").get(1).asDouble())
                .average()
                .orElse(0);
        assertTrue(
                Math.abs(lateShift - target) < Math.abs(priorShift - target),
                "posterior shift " + lateShift + " (prior " + priorShift + ") towards " + target);
    }
}
