package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.FeatureVectorizer;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.FeatureFingerprint;

/** A model that does not fit the job is refused at start-up, with a message that says what differs. */
class ModelContractTest {
    @TempDir
    Path temp;

    private ObjectNode manifest(Path root) throws Exception {
        return (ObjectNode)
                Json.mapper().readTree(root.resolve("v1/manifest.json").toFile());
    }

    private void write(Path root, ObjectNode manifest) throws Exception {
        Json.mapper().writeValue(root.resolve("v1/manifest.json").toFile(), manifest);
    }

    @Test
    void shippedModelFitsTheJob() {
        ModelManifest m = ModelContract.readAndCheckManifest(new ModelLocation(TestModels.root(), "v1"));
        assertEquals("fs-1", m.featureSpecVersion());
    }

    @Test
    void reorderedFeaturesAreRefused() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        ObjectNode m = manifest(root);
        ArrayNode ctx = (ArrayNode) m.get("context_features");
        String first = ctx.get(0).asText();
        ctx.set(0, ctx.get(1));
        ctx.set(1, Json.mapper().getNodeFactory().textNode(first));
        m.put("feature_spec_version", "fs-0");
        write(root, m);
        ModelContractException e = assertThrows(
                ModelContractException.class, () -> ModelContract.readAndCheckManifest(new ModelLocation(root, "v1")));
        assertTrue(e.getMessage().contains("context_features differ"), e.getMessage());
        assertTrue(e.getMessage().contains("feature_spec_version is 'fs-0'"), e.getMessage());
    }

    @Test
    void changedInputShapeIsRefused() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        ObjectNode m = manifest(root);
        ObjectNode seq = (ObjectNode) m.get("inputs").get(0);
        ((ArrayNode) seq.get("shape")).set(1, Json.mapper().getNodeFactory().numberNode(50));
        write(root, m);
        ModelContractException e = assertThrows(
                ModelContractException.class, () -> ModelContract.readAndCheckManifest(new ModelLocation(root, "v1")));
        assertTrue(e.getMessage().contains("has shape"), e.getMessage());
    }

    @Test
    void corruptOrMissingModelFileIsRefused() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        Path onnx = root.resolve("v1/model.onnx");
        byte[] bytes = Files.readAllBytes(onnx);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(onnx, bytes);
        ModelContractException corrupt = assertThrows(
                ModelContractException.class,
                () -> DemandModel.load(new ModelLocation(root, "v1"), SessionSettings.singleThreadCpu()));
        assertTrue(corrupt.getMessage().contains("sha256"), corrupt.getMessage());

        Files.delete(onnx);
        ModelContractException missing = assertThrows(
                ModelContractException.class, () -> ModelContract.readAndCheckManifest(new ModelLocation(root, "v1")));
        assertTrue(missing.getMessage().contains("is missing"), missing.getMessage());
    }

    @Test
    void changingHowAFeatureIsComputedWithoutRetrainingIsRefused() {
        ModelManifest shipped = ModelContract.readAndCheckManifest(new ModelLocation(TestModels.root(), "v1"));
        assertEquals(
                FeatureFingerprint.current(),
                FeatureFingerprint.compute(FeatureVectorizer::compute),
                "the fingerprint is deterministic");
        // Same names, same spec version, same shapes: only the computation of user_recency changed.
        String changed = FeatureFingerprint.compute((user, item, t) -> {
            FeatureVector f = FeatureVectorizer.compute(user, item, t);
            float[] context = f.contextRaw().clone();
            context[6] = context[6] / 2;
            return new FeatureVector(f.sequence(), f.paddingMask(), context);
        });
        List<String> problems = ModelContract.problems(shipped, "v1", changed);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("feature code changed since training"), problems.get(0));
    }

    @Test
    void manifestWithoutFingerprintIsRefused() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        ObjectNode m = manifest(root);
        m.remove("feature_fingerprint");
        write(root, m);
        ModelContractException e = assertThrows(
                ModelContractException.class, () -> ModelContract.readAndCheckManifest(new ModelLocation(root, "v1")));
        assertTrue(e.getMessage().contains("feature_fingerprint is missing"), e.getMessage());
    }

    @Test
    void unknownVersionNamesTheVersionsThatExist() {
        ModelContractException e = assertThrows(
                ModelContractException.class,
                () -> ModelContract.readAndCheckManifest(new ModelLocation(TestModels.root(), "v999")));
        assertTrue(e.getMessage().contains("v999") && e.getMessage().contains("v1"), e.getMessage());
    }
}
