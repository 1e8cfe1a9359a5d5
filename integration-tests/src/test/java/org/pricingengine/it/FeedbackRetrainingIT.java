package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.DebianPython;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.SessionSettings;
import org.pricingengine.tools.evaluation.FeedbackExamples;

/**
 * Retraining from feedback end to end: the job's feedback and decision-features records of a synthetic
 * logistic world with randomized prices and one known price sensitivity (feedback_recovery_check.py),
 * joined by the Java exporter, trained by train.sh --from-feedback. The job's loader accepts the model,
 * ONNX Runtime reproduces PyTorch, and the learned median sensitivity lands near the true one. Needs
 * Debian's python3-torch; skipped without it unless CI=true. About 1 to 2 minutes of training, so it
 * runs in the full verify only, not in the fast lane.
 */
@Tag("long-running")
class FeedbackRetrainingIT {
    private static final int DECISIONS = 12_000;
    private static final double TRUE_SENSITIVITY = 2.5;
    private static final double TOLERANCE = 0.5;

    @Test
    void learnsTheTruePriceSensitivityFromRandomizedDecisions() throws Exception {
        DebianPython.require("torch", "onnx", "numpy");
        Path work = Path.of("target", "feedback-retraining").toAbsolutePath();
        Path records = work.resolve("records");
        Path examples = work.resolve("examples");
        Path models = work.resolve("models");
        Files.createDirectories(work);
        Path training = RepoPaths.root().resolve("model-assets/training");

        run(
                work.resolve("world.log"),
                120,
                DebianPython.PYTHON,
                training.resolve("feedback_recovery_check.py").toString(),
                "--jsonl",
                records.toString(),
                "--n",
                String.valueOf(DECISIONS),
                "--sensitivity",
                String.valueOf(TRUE_SENSITIVITY));

        FeedbackExamples export = new FeedbackExamples(FeedbackExamples.DEFAULT_WEIGHT_CLIP, RepoPaths.models());
        export.readOutcomesFile(records.resolve("feedback.jsonl"));
        export.readFeaturesFile(records.resolve("features.jsonl"));
        FeedbackExamples.Result exported = export.write(examples);
        assertEquals(DECISIONS, exported.examples());

        run(
                work.resolve("train.log"),
                900,
                training.resolve("train.sh").toString(),
                "--from-feedback",
                examples.toString(),
                "--out",
                models.resolve("fb").toString(),
                "--version",
                "fb",
                "--epochs",
                "3");

        JsonNode manifest =
                Json.mapper().readTree(models.resolve("fb/manifest.json").toFile());
        assertEquals("feedback", manifest.get("training").get("source").asText());
        assertEquals(
                DECISIONS, manifest.get("training").get("randomized_decisions").asInt());
        double median = manifest.get("metrics")
                .get("validation_median_price_sensitivity")
                .asDouble();
        assertTrue(
                Math.abs(median - TRUE_SENSITIVITY) <= TOLERANCE,
                "learned median sensitivity " + median + ", true " + TRUE_SENSITIVITY);

        try (DemandModel model = DemandModel.load(new ModelLocation(models, "fb"), SessionSettings.singleThreadCpu())) {
            JsonNode cases = Json.mapper()
                    .readTree(models.resolve("fb/parity.json").toFile())
                    .get("cases");
            ScoringBatch batch = new ScoringBatch(cases.size());
            for (JsonNode c : cases) {
                batch.add(features(c), model.contextMean(), model.contextStd());
            }
            model.score(batch);
            for (int i = 0; i < cases.size(); i++) {
                assertEquals(cases.get(i).get("base_logit").asDouble(), batch.baseLogit(i), 1e-4);
                assertEquals(cases.get(i).get("price_sensitivity").asDouble(), batch.priceSensitivity(i), 1e-4);
            }
        }
    }

    private static void run(Path log, int seconds, String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), command[0] + " did not finish in " + seconds + " s");
        assertEquals(0, p.exitValue(), command[0] + " failed:\n" + Files.readString(log));
    }

    private static FeatureVector features(JsonNode c) {
        float[] seq = new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM];
        for (int t = 0; t < FeatureSpec.SEQUENCE_LENGTH; t++) {
            for (int d = 0; d < FeatureSpec.TOKEN_DIM; d++) {
                seq[t * FeatureSpec.TOKEN_DIM + d] =
                        (float) c.get("behaviour_seq").get(t).get(d).asDouble();
            }
        }
        float[] mask = new float[FeatureSpec.SEQUENCE_LENGTH];
        for (int t = 0; t < mask.length; t++) {
            mask[t] = (float) c.get("seq_padding_mask").get(t).asDouble();
        }
        float[] ctx = new float[FeatureSpec.CONTEXT_DIM];
        for (int k = 0; k < ctx.length; k++) {
            ctx[k] = (float) c.get("context_raw").get(k).asDouble();
        }
        return new FeatureVector(seq, mask, ctx);
    }
}
