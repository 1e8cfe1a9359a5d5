package org.pricingengine.tools.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.SessionSettings;
import org.pricingengine.tools.evaluation.ModelTarget;
import org.pricingengine.tools.evaluation.ScoredExamples;
import org.pricingengine.tools.local.LocalStack;

/**
 * A model version as the target, on logged model inputs of real REES46 requests: scored as the job
 * scores, and wired through the rollout tool's {@code validate} with a feedback log.
 */
class OffPolicyGateModelTest {
    private static final Path REPO = LocalStack.repositoryRoot();
    private static final Path MODELS = REPO.resolve("model-assets/models");
    private static final Path DATA = REPO.resolve("model-assets/data/rees46/multicategory_2019-11-01_head.csv");
    private static final double[] LADDER = {1.0, 0.97, 0.95, 0.92, 0.9, 0.85};

    private static List<TrainingExampleExtractor.Example> examples;
    private static List<FeedbackOutcome> outcomes;
    private static Map<String, DecisionFeatures> features;

    @BeforeAll
    static void logRandomizedDecisions() throws Exception {
        examples = new ArrayList<>();
        for (TrainingExampleExtractor.Example e :
                new TrainingExampleExtractor(TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY).extract(DATA)) {
            if (e.item() != null && e.item().listPrice() > 0) {
                examples.add(e);
            }
        }
        outcomes = new ArrayList<>();
        features = new HashMap<>();
        Random random = new Random(5);
        for (int i = 0; i < examples.size(); i++) {
            TrainingExampleExtractor.Example e = examples.get(i);
            double list = e.item().listPrice();
            double[] candidates = new double[LADDER.length];
            double[] probabilities = new double[LADDER.length];
            for (int k = 0; k < LADDER.length; k++) {
                candidates[k] = Math.round(list * LADDER[k] * 100) / 100.0;
                probabilities[k] = 1.0 / LADDER.length;
            }
            int chosen = random.nextInt(LADDER.length);
            boolean bought = random.nextDouble() < 0.3;
            String id = "d" + i;
            PriceExperiment x = new PriceExperiment(
                    "p",
                    "policy",
                    "s",
                    candidates,
                    probabilities,
                    chosen,
                    probabilities[chosen],
                    true,
                    false,
                    candidates[LADDER.length - 1],
                    list,
                    -1.0,
                    2.0,
                    new double[] {0, 0},
                    new double[] {0, 0},
                    new double[] {0, 0},
                    0,
                    FeatureSpec.VERSION,
                    true);
            outcomes.add(new FeedbackOutcome(
                    id,
                    "r" + i,
                    e.userId(),
                    e.itemId(),
                    candidates[chosen],
                    list,
                    0.6 * list,
                    "v1",
                    "control",
                    false,
                    bought ? "purchase" : "none",
                    bought ? candidates[chosen] : 0,
                    null,
                    3600,
                    e.requestTimeMs(),
                    x));
            features.put(id, DecisionFeatures.of(id, FeatureSpec.VERSION, "v1", e.features()));
        }
    }

    @Test
    void aModelTargetScoresTheLoggedInputsAsTheJobDoes() throws Exception {
        ModelTarget target = ModelTarget.score(MODELS, "v1", outcomes, features);
        assertEquals(examples.size(), target.scored());
        double[] base = new double[examples.size()];
        double[] sensitivity = new double[examples.size()];
        try (DemandModel model = DemandModel.load(new ModelLocation(MODELS, "v1"), SessionSettings.singleThreadCpu())) {
            ScoredExamples.scoreInBatches(model, examples, 64, base, sensitivity);
        }
        for (int i = 0; i < examples.size(); i++) {
            FeedbackOutcome o = outcomes.get(i);
            double price = o.experiment().candidates()[3];
            double z = base[i] - sensitivity[i] * Math.log(price / o.listPrice());
            assertEquals(1 / (1 + Math.exp(-z)), target.conversionAt(o, price), 1e-6);
            assertEquals(1.0, java.util.Arrays.stream(target.probabilities(o)).sum(), 1e-12);
        }
        ModelTarget withoutInputs = ModelTarget.score(MODELS, "v1", outcomes, Map.of());
        assertEquals(0, withoutInputs.scored());
        assertNull(withoutInputs.probabilities(outcomes.get(0)));
    }

    @Test
    void validateRunsTheGateOnAFeedbackLog(@TempDir Path dir) throws Exception {
        Path feedback = dir.resolve("feedback.jsonl");
        Path inputs = dir.resolve("features.jsonl");
        StringBuilder f = new StringBuilder();
        StringBuilder x = new StringBuilder();
        for (FeedbackOutcome o : outcomes) {
            f.append(Json.mapper().writeValueAsString(o)).append('\n');
            x.append(Json.mapper().writeValueAsString(features.get(o.decisionId())))
                    .append('\n');
        }
        Files.writeString(feedback, f);
        Files.writeString(inputs, x);
        RolloutTool.Result result = new RolloutTool(RolloutTool.OPTIONS.parse(
                        "--state-dir", dir.resolve("state").toString(),
                        "--model-dir", MODELS.toString(),
                        "--probe-data", DATA.toString(),
                        "--probe-size", "100",
                        "--model", "v2",
                        "--against", "v1",
                        "--feedback-log", feedback.toString(),
                        "--features-log", inputs.toString(),
                        "--ope-resamples", "50"))
                .run("validate");
        CandidateValidator.Figures figures = result.validation().figures();
        OffPolicyGate.Figures gate = figures.offPolicy();
        assertNotNull(gate, result.validation().toString());
        assertFalse(gate.skipped(), gate.toString());
        assertEquals((long) outcomes.size(), gate.requests());
        assertEquals("model:v2", gate.candidatePolicy());
        assertEquals("greedy", gate.currentPolicy());
        boolean refused = gate.candidateDrCiLow() < gate.currentDr() * (1 - gate.tolerance());
        assertEquals(
                refused,
                result.validation().problems().stream().anyMatch(p -> p.contains("off-policy estimate")),
                result.validation().problems().toString());
        assertTrue(Json.toJson(result).contains("\"off_policy\":{\"skipped\":false"), Json.toJson(result));

        RolloutTool.Result withoutLog = new RolloutTool(RolloutTool.OPTIONS.parse(
                        "--state-dir",
                        dir.resolve("state").toString(),
                        "--model-dir",
                        MODELS.toString(),
                        "--probe-data",
                        DATA.toString(),
                        "--probe-size",
                        "100",
                        "--model",
                        "v2",
                        "--against",
                        "v1"))
                .run("validate");
        OffPolicyGate.Figures skipped = withoutLog.validation().figures().offPolicy();
        if (withoutLog.validation().problems().isEmpty()) {
            assertTrue(skipped.skipped());
            assertTrue(skipped.reason().startsWith("no logged feedback given"), skipped.reason());
        }
    }
}
