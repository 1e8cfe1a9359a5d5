package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;

/**
 * ONNX Runtime in Java reproduces what PyTorch computed at export time for stored inputs, through the
 * job's own normalisation and batching code.
 */
class ModelParityTest {
    private static DemandModel model;
    private static JsonNode cases;

    @BeforeAll
    static void load() throws Exception {
        model = DemandModel.load(new ModelLocation(TestModels.root(), "v1"), SessionSettings.singleThreadCpu());
        cases = Json.mapper()
                .readTree(TestModels.root().resolve("v1/parity.json").toFile())
                .get("cases");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static float[] floats(JsonNode array) {
        float[] f = new float[array.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) array.get(i).asDouble();
        }
        return f;
    }

    private static FeatureVector features(JsonNode c) {
        JsonNode seq = c.get("behaviour_seq");
        float[] flat = new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM];
        for (int t = 0; t < FeatureSpec.SEQUENCE_LENGTH; t++) {
            float[] token = floats(seq.get(t));
            System.arraycopy(token, 0, flat, t * FeatureSpec.TOKEN_DIM, FeatureSpec.TOKEN_DIM);
        }
        return new FeatureVector(flat, floats(c.get("seq_padding_mask")), floats(c.get("context_raw")));
    }

    @Test
    void javaOnnxRuntimeMatchesPyTorchOnStoredInputsAsOneBatch() throws Exception {
        assertTrue(cases.size() >= 3, "parity.json should hold several cases");
        ScoringBatch batch = new ScoringBatch(cases.size());
        for (JsonNode c : cases) {
            batch.add(features(c), model.contextMean(), model.contextStd());
        }
        model.score(batch);
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            assertEquals(c.get("base_logit").asDouble(), batch.baseLogit(i), 1e-4, "base_logit of case " + i);
            assertEquals(
                    c.get("price_sensitivity").asDouble(),
                    batch.priceSensitivity(i),
                    1e-4,
                    "price_sensitivity of case " + i);
            assertTrue(batch.priceSensitivity(i) >= 0);
        }
    }

    @Test
    void microBatcherGivesTheSameAnswersOneByOneAndFailsAfterClose() throws Exception {
        MicroBatcher batcher = new MicroBatcher(model, 4, 1_000_000, 100, "parity-batcher", null);
        CompletableFuture<?>[] futures = new CompletableFuture<?>[cases.size()];
        for (int i = 0; i < cases.size(); i++) {
            futures[i] = batcher.submit(features(cases.get(i)));
        }
        for (int i = 0; i < cases.size(); i++) {
            DemandEstimate e = (DemandEstimate) futures[i].get(10, TimeUnit.SECONDS);
            assertEquals(cases.get(i).get("base_logit").asDouble(), e.baseLogit(), 1e-4);
            assertEquals(cases.get(i).get("price_sensitivity").asDouble(), e.priceSensitivity(), 1e-4);
        }
        batcher.close();
        CompletableFuture<DemandEstimate> late = batcher.submit(features(cases.get(0)));
        assertThrows(
                Exception.class,
                () -> late.get(1, TimeUnit.SECONDS),
                "a closed scorer must fail the request (the job turns that into a fallback decision)");
    }

    @Test
    void modelRunsOnCpuHereWithTheDocumentedLogLine() {
        assertEquals("CPU", model.executionProvider());
        assertEquals("v1", model.version());
    }
}
