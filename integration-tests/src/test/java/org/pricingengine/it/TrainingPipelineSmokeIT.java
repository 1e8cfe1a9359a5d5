package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.it.testutils.DebianPython;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.SessionSettings;

/**
 * The training pipeline end to end at smoke size: examples from the job's feature code, PyTorch
 * training and ONNX export, then the job's own loader accepts the new model (contract, checksum,
 * feature fingerprint) and Java ONNX Runtime reproduces PyTorch's outputs. Needs Debian's
 * python3-torch (.ci/run installs it); skipped without it unless CI=true, where it fails instead.
 */
class TrainingPipelineSmokeIT {
    @Test
    void smokeTrainedModelIsAcceptedByTheJobAndMatchesPyTorch() throws Exception {
        DebianPython.require("torch", "onnx");
        Path work = Path.of("target", "training-smoke").toAbsolutePath();
        Path examples = work.resolve("examples");
        Path models = work.resolve("models");
        Files.createDirectories(work);

        TrainingExampleExtractor extractor =
                new TrainingExampleExtractor(TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY);
        TrainingExampleExtractor.write(
                examples, extractor.extract(RepoPaths.cosmetics()), List.of(RepoPaths.cosmetics()));

        Path log = work.resolve("train.log");
        Process train = new ProcessBuilder(
                        RepoPaths.root()
                                .resolve("model-assets/training/train.sh")
                                .toString(),
                        "--examples",
                        examples.toString(),
                        "--out",
                        models.resolve("smoke").toString(),
                        "--version",
                        "smoke",
                        "--smoke")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        assertTrue(train.waitFor(300, TimeUnit.SECONDS), "smoke training did not finish in 300 s");
        assertEquals(0, train.exitValue(), "train.sh failed:\n" + Files.readString(log));

        try (DemandModel model =
                DemandModel.load(new ModelLocation(models, "smoke"), SessionSettings.singleThreadCpu())) {
            JsonNode manifest =
                    Json.mapper().readTree(models.resolve("smoke/manifest.json").toFile());
            for (String metric : List.of("auc", "logloss", "baseline_popularity_auc", "baseline_logreg_auc")) {
                assertTrue(manifest.get("metrics").get(metric).isNumber(), "manifest metric " + metric);
            }
            JsonNode cases = Json.mapper()
                    .readTree(models.resolve("smoke/parity.json").toFile())
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
