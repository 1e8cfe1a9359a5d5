package org.pricingengine.tools.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.FeatureFingerprint;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;

class FeedbackExamplesTest {
    private static final long T0 = 1_700_000_000_000L;

    private static PriceExperiment experiment(boolean randomized, double propensity, int chosen) {
        double[] candidates = {10.0, 9.5, 9.0};
        double[] probabilities = randomized ? new double[] {0.5, 0.3, 0.2} : new double[] {1.0, 0, 0};
        return new PriceExperiment(
                "thompson-ladder",
                randomized ? PriceExperiment.POLICY : PriceExperiment.HOLDOUT,
                "price:1/shopper:buyer/item:repeat",
                candidates,
                probabilities,
                chosen,
                propensity,
                randomized,
                false,
                8.5,
                10.0,
                -2.0,
                1.5,
                new double[] {0.1, 0.2},
                new double[] {0.3, 0.3},
                new double[] {0.1, 0.2},
                100,
                FeatureSpec.VERSION,
                randomized);
    }

    private static FeedbackOutcome outcome(
            String id, long at, double price, String outcome, String version, PriceExperiment e, boolean fallback) {
        return new FeedbackOutcome(
                id,
                "r-" + id,
                "u-" + id,
                "42",
                price,
                10.0,
                6.0,
                version,
                "control",
                fallback,
                outcome,
                FeedbackOutcome.PURCHASE.equals(outcome) ? price : 0,
                null,
                3600,
                at,
                e);
    }

    private static DecisionFeatures features(String id, String spec, String version, float marker) {
        float[] seq = new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM];
        float[] mask = new float[FeatureSpec.SEQUENCE_LENGTH];
        Arrays.fill(mask, 1f);
        mask[FeatureSpec.SEQUENCE_LENGTH - 1] = 0f;
        seq[seq.length - FeatureSpec.TOKEN_DIM] = 1f;
        float[] ctx = new float[FeatureSpec.CONTEXT_DIM];
        ctx[0] = marker;
        return DecisionFeatures.of(id, spec, version, new FeatureVector(seq, mask, ctx));
    }

    private static Path jsonLines(Path file, List<?> records) throws IOException {
        List<String> lines = new ArrayList<>();
        records.forEach(r -> lines.add(Json.toJson(r)));
        Files.write(file, lines);
        return file;
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void keepsRandomizedDecisionsWithFeaturesAndWeighsThemByInversePropensity(@TempDir Path dir) throws Exception {
        Path models = dir.resolve("models");
        Files.createDirectories(models.resolve("v0"));
        Files.writeString(models.resolve("v0/manifest.json"), "{\"feature_fingerprint\": \"fs-1:other-code\"}");

        List<FeedbackOutcome> outcomes = List.of(
                // Written out of time order: the export sorts by request time.
                outcome("d2", T0 + 2000, 9.0, "none", "v1", experiment(true, 0.2, 2), false),
                outcome("d1", T0 + 1000, 9.5, "purchase", "v1", experiment(true, 0.3, 1), false),
                outcome("d1", T0 + 1000, 9.5, "purchase", "v1", experiment(true, 0.3, 1), false),
                outcome("d3", T0 + 3000, 10.0, "cart", "v1", experiment(true, 0.01, 0), false),
                outcome("holdout", T0, 10.0, "purchase", "v1", experiment(false, 1.0, 0), false),
                outcome("fallback", T0, 10.0, "none", "v1", experiment(true, 0.5, 0), true),
                outcome("zero", T0, 10.0, "none", "v1", experiment(true, 0.0, 0), false),
                outcome("nofeatures", T0, 10.0, "none", "v1", experiment(true, 0.5, 0), false),
                outcome("oldspec", T0, 10.0, "none", "v1", experiment(true, 0.5, 0), false),
                outcome("oldcode", T0, 10.0, "none", "v0", experiment(true, 0.5, 0), false));
        List<DecisionFeatures> features = List.of(
                features("d1", "fs-1", "v1", 1f),
                features("d2", "fs-1", "v1", 2f),
                features("d3", "fs-1", "v1", 3f),
                features("oldspec", "fs-0", "v1", 9f),
                features("oldcode", "fs-1", "v0", 9f),
                features("unrelated", "fs-1", "v1", 9f));

        FeedbackExamples export = new FeedbackExamples(50, models);
        export.readOutcomesFile(jsonLines(dir.resolve("feedback.jsonl"), outcomes));
        Path featuresFile = jsonLines(dir.resolve("features.jsonl"), features);
        Files.writeString(featuresFile, "not json\n", java.nio.file.StandardOpenOption.APPEND);
        export.readFeaturesFile(featuresFile);
        Path out = dir.resolve("examples");
        FeedbackExamples.Result r = export.write(out);

        assertEquals(10, r.outcomes());
        assertEquals(1, r.duplicateOutcomes());
        assertEquals(1, r.notRandomized());
        assertEquals(2, r.invalid(), "fallback and zero propensity");
        assertEquals(1, r.withoutFeatures());
        assertEquals(1, r.otherFeatureSpec());
        assertEquals(1, r.otherFeatureCode());
        assertEquals(1, r.unreadableRecords());
        assertEquals(3, r.examples());
        assertEquals(1, r.purchases());
        assertEquals(1, r.clippedWeights(), "1 / 0.01 is above the clip");
        assertEquals(Map.of("v1", 3L), r.byModelVersion());

        // d1, d2, d3 in request-time order.
        assertArrayEquals(new float[] {1f, 2f, 3f}, new float[] {
            floats(out.resolve("context.f32"))[0],
            floats(out.resolve("context.f32"))[FeatureSpec.CONTEXT_DIM],
            floats(out.resolve("context.f32"))[2 * FeatureSpec.CONTEXT_DIM]
        });
        float[] ratio = floats(out.resolve("log_price_ratio.f32"));
        assertEquals(Math.log(0.95), ratio[0], 1e-6);
        assertEquals(Math.log(0.9), ratio[1], 1e-6);
        assertEquals(0.0, ratio[2], 1e-6);
        assertArrayEquals(new float[] {1f, 0f, 0f}, floats(out.resolve("label_purchase.f32")));
        assertArrayEquals(new float[] {1f, 0f, 1f}, floats(out.resolve("label_cart.f32")));
        assertArrayEquals(new float[] {0.3f, 0.2f, 0.01f}, floats(out.resolve("propensity.f32")));

        // Raw weights 1/0.3, 1/0.2, 50 (clipped from 100), scaled to average 1.
        double[] raw = {1 / 0.3, 1 / 0.2, 50};
        double sum = raw[0] + raw[1] + raw[2];
        float[] w = floats(out.resolve("ipw.f32"));
        for (int i = 0; i < 3; i++) {
            assertEquals(raw[i] * 3 / sum, w[i], 1e-5);
        }
        assertEquals(3.0, w[0] + w[1] + w[2], 1e-5);

        // The logging curve at the quoted price: sigmoid(-2 + 0.1 - (1.5 + 0.2) ln(9.5 / 10)).
        double z = -2.0 + 0.1 - 1.7 * Math.log(0.95);
        assertEquals(1 / (1 + Math.exp(-z)), floats(out.resolve("logged_conversion.f32"))[0], 1e-6);

        assertEquals(3 * FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM * 4L, Files.size(out.resolve("seq.f32")));
        assertEquals(3 * FeatureSpec.SEQUENCE_LENGTH * 4L, Files.size(out.resolve("mask.f32")));
        assertEquals(3 * 8L, Files.size(out.resolve("event_time.i64")));

        JsonNode meta = Json.mapper().readTree(out.resolve("meta.json").toFile());
        assertEquals(3, meta.get("n").asInt());
        assertEquals("fs-1", meta.get("feature_spec_version").asText());
        assertEquals(
                FeatureFingerprint.current(), meta.get("feature_fingerprint").asText());
        assertEquals("feedback", meta.get("source").asText());
        assertEquals(2, meta.get("source_files").size());
        assertEquals(3, meta.get("feedback").get("export").get("examples").asInt());
        assertTrue(meta.get("feedback").get("arrays").has("ipw.f32"));
    }

    @Test
    void refusesAWeightClipBelowOne() {
        try {
            new FeedbackExamples(0.5, null);
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("a clip below 1 was accepted");
    }
}
