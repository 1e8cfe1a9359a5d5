package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig.ModelDevice;
import org.pricingengine.job.testutils.RecordedMetrics;

/**
 * The scoring operator's metrics on the shipped models, v1 with a v2 canary: every metric carries its
 * model version, arm and device, the device gauge says CPU, and the feature drift of each arm is the
 * standardized mean shift of what it scored from its own manifest's training statistics.
 */
class ModelScoringMetricsTest {
    private static final int REQUESTS = 1400;

    @Test
    void metricsCarryVersionArmAndDeviceAndDriftIsMeasuredAgainstEachModelsTrainingStatistics() throws Exception {
        ModelScoringFunction.Settings settings = new ModelScoringFunction.Settings(
                TestModels.root().toString(),
                "v1",
                ModelDevice.CPU,
                0,
                1,
                32,
                1_000_000L,
                4096,
                1000,
                1000,
                "v2",
                0.5,
                0L,
                false);
        RecordedMetrics recorded = new RecordedMetrics();
        OneInputStreamOperatorTestHarness<ScoringRequest, ScoredRequest> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new AsyncWaitOperatorFactory<>(
                                new ModelScoringFunction(settings),
                                60_000,
                                REQUESTS,
                                AsyncDataStream.OutputMode.UNORDERED),
                        TypeInformation.of(ScoringRequest.class).createSerializer(new SerializerConfigImpl()),
                        recorded.environment());
        harness.open();
        // Every request has the same context: each feature one unit above zero.
        float[] context = new float[FeatureSpec.CONTEXT_DIM];
        java.util.Arrays.fill(context, 1f);
        FeatureVector features = new FeatureVector(
                new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM],
                filled(FeatureSpec.SEQUENCE_LENGTH, 1f),
                context);
        ItemSnapshot item = new ItemSnapshot("i", "c", "b", 50.0, 20.0, null, 0, 0, 0);
        int canary = 0;
        for (int n = 0; n < REQUESTS; n++) {
            String user = "u" + n;
            canary += CanaryArms.inCanary(user, "v2", 0.5) ? 1 : 0;
            harness.processElement(
                    new ScoringRequest(
                            new EnrichedRequest(new PriceRequest("r" + n, user, "i", 1000L, null, null), 1000L, item),
                            features),
                    n);
        }
        harness.endInput();
        assertEquals(REQUESTS, harness.extractOutputValues().size());
        harness.close();

        Map<String, Integer> scoredByArm = Map.of("control", REQUESTS - canary, "canary", canary);
        for (Map.Entry<String, String> arm :
                Map.of("control", "v1", "canary", "v2").entrySet()) {
            Map<String, String> labels = Map.of("model_version", arm.getValue(), "arm", arm.getKey(), "device", "cpu");
            assertEquals(0.0, recorded.gauge("scoring.model_version.arm.device.onCuda", labels));
            int scored = scoredByArm.get(arm.getKey());
            assertEquals(scored, recorded.count("scoring.model_version.arm.device.scored", labels));
            assertTrue(scored >= ModelScoringFunction.DRIFT_WINDOW, arm + " scored " + scored);
            ModelManifest manifest = Json.mapper()
                    .readValue(
                            TestModels.root()
                                    .resolve(arm.getValue())
                                    .resolve("manifest.json")
                                    .toFile(),
                            ModelManifest.class);
            for (int i = 0; i < FeatureSpec.CONTEXT_DIM; i++) {
                Map<String, String> feature = new HashMap<>(labels);
                feature.put("feature", FeatureSpec.CONTEXT_FEATURES.get(i));
                double mean = manifest.normalisation().contextMean().get(i).floatValue();
                double std = manifest.normalisation().contextStd().get(i).floatValue();
                assertEquals(
                        (1.0 - mean) / std,
                        recorded.gauge("scoring.model_version.arm.device.feature.featureDrift", feature),
                        1e-4 * Math.max(1, Math.abs((1.0 - mean) / std)),
                        feature.toString());
            }
        }
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
