package org.pricingengine.tools.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.local.LocalStack;

class ModelEvaluationTest {
    private static final Path REPO = LocalStack.repositoryRoot();
    private static final Path MODELS = REPO.resolve("model-assets/models");
    private static final Path COSMETICS = REPO.resolve("model-assets/data/rees46/cosmetics_2019-10_2019-11.csv");

    /**
     * The job's scoring path (Java features, manifest normalisation, ONNX Runtime) reproduces the
     * validation metrics the trainer measured in PyTorch, and only the held-out period is scored.
     */
    @Test
    void javaEvaluationReproducesTheTrainersValidationMetrics() throws Exception {
        JsonNode trained = Json.mapper()
                .readTree(MODELS.resolve("v1/manifest.json").toFile())
                .get("metrics");
        ModelEvaluation.Result m = ModelEvaluation.evaluate(COSMETICS, MODELS, "v1", null);
        assertEquals(trained.get("validation_examples").asLong(), m.examples());
        Map<String, Double> measured = Map.of(
                "auc",
                m.auc(),
                "logloss",
                m.logloss(),
                "baseline_popularity_auc",
                m.baselinePopularityAuc(),
                "baseline_logreg_auc",
                m.baselineLogregAuc());
        for (String key : new String[] {"auc", "logloss", "baseline_popularity_auc", "baseline_logreg_auc"}) {
            assertEquals(trained.get(key).asDouble(), measured.get(key), 1e-4, key);
        }
        assertTrue(m.auc() > m.baselineLogregAuc());
        assertTrue(m.auc() > m.baselinePopularityAuc());
    }
}
