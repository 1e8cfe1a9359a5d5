package org.pricingengine.job.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.pricingengine.features.Checksums;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.FeatureFingerprint;

/**
 * The contract between an exported model and this job (see model-assets/CONTRACT.md): the files are
 * there and intact, and the manifest and the graph agree with the features this code computes. Every
 * check lists all differences at once, so one failed deployment shows everything to fix.
 */
public final class ModelContract {
    private ModelContract() {}

    /** Reads and checks a manifest without starting ONNX Runtime; returns it or throws with all differences. */
    public static ModelManifest readAndCheckManifest(ModelLocation location) {
        Path modelRoot = location.root();
        String version = location.version();
        Path dir = location.directory();
        Path manifestFile = location.manifestFile();
        if (!Files.isRegularFile(manifestFile)) {
            throw new ModelContractException("model version '" + version + "' not found: " + manifestFile
                    + " does not exist (versions under " + modelRoot + ": " + availableVersions(modelRoot) + ")");
        }
        ModelManifest manifest;
        try {
            manifest = Json.mapper().readValue(manifestFile.toFile(), ModelManifest.class);
        } catch (IOException e) {
            throw new ModelContractException("cannot read " + manifestFile + ": " + e.getMessage(), e);
        }
        List<String> problems = problems(manifest, version, FeatureFingerprint.current());
        if (manifest.onnxFile() != null) {
            Path onnx = dir.resolve(manifest.onnxFile());
            if (!Files.isRegularFile(onnx)) {
                problems.add("model file " + onnx + " is missing");
            } else if (manifest.onnxSha256() != null) {
                String actual = sha256(onnx);
                if (!actual.equalsIgnoreCase(manifest.onnxSha256())) {
                    problems.add("model file " + onnx + " has sha256 " + actual + " but the manifest says "
                            + manifest.onnxSha256() + " (corrupt or replaced file)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelContractException("model " + version + " does not match this job (" + problems.size()
                    + " problem(s)):\n  - " + String.join("\n  - ", problems));
        }
        return manifest;
    }

    /** Every way the manifest disagrees with {@link FeatureSpec}; empty when it fits. */
    static List<String> problems(ModelManifest m, String version, String featureFingerprint) {
        List<String> p = new ArrayList<>();
        if (m.featureFingerprint() == null) {
            p.add(
                    "feature_fingerprint is missing: the manifest does not say which feature code the model was trained on");
        } else if (!m.featureFingerprint().equals(featureFingerprint)) {
            p.add("the features this job computes (fingerprint " + featureFingerprint
                    + ") differ from those the model was "
                    + "trained on (" + m.featureFingerprint()
                    + "): the feature code changed since training; retrain the "
                    + "model (model-assets/training/retrain.sh) or deploy the feature code it was trained with");
        }
        if (m.modelVersion() == null || !m.modelVersion().equals(version)) {
            p.add("manifest model_version is '" + m.modelVersion() + "', expected '" + version + "'");
        }
        if (!FeatureSpec.VERSION.equals(m.featureSpecVersion())) {
            p.add("feature_spec_version is '" + m.featureSpecVersion() + "' but the job computes '"
                    + FeatureSpec.VERSION + "'");
        }
        if (m.onnxFile() == null) {
            p.add("onnx_file is missing");
        }
        if (m.onnxSha256() == null) {
            p.add("onnx_sha256 is missing");
        }
        if (!FeatureSpec.TOKEN_FEATURES.equals(m.tokenFeatures())) {
            p.add("token_features differ: model " + m.tokenFeatures() + ", job " + FeatureSpec.TOKEN_FEATURES);
        }
        if (!FeatureSpec.CONTEXT_FEATURES.equals(m.contextFeatures())) {
            p.add("context_features differ: model " + m.contextFeatures() + ", job " + FeatureSpec.CONTEXT_FEATURES);
        }
        Map<String, List<Long>> expectedInputs = expectedInputs();
        Map<String, List<Long>> expectedOutputs = expectedOutputs();
        compareTensors("input", expectedInputs, m.inputs(), p);
        compareTensors("output", expectedOutputs, m.outputs(), p);
        ModelManifest.Normalisation n = m.normalisation();
        if (n == null || n.contextMean() == null || n.contextStd() == null) {
            p.add("normalisation.context_mean / context_std are missing");
        } else {
            if (n.contextMean().size() != FeatureSpec.CONTEXT_DIM
                    || n.contextStd().size() != FeatureSpec.CONTEXT_DIM) {
                p.add("normalisation has " + n.contextMean().size() + "/"
                        + n.contextStd().size() + " values, expected " + FeatureSpec.CONTEXT_DIM);
            } else if (n.contextStd().stream().anyMatch(s -> s == null || !(s > 0) || !Double.isFinite(s))
                    || n.contextMean().stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
                p.add("normalisation has non-finite values or a non-positive std");
            }
        }
        return p;
    }

    static Map<String, List<Long>> expectedInputs() {
        Map<String, List<Long>> m = new HashMap<>();
        m.put(FeatureSpec.INPUT_SEQUENCE, List.of(-1L, (long) FeatureSpec.SEQUENCE_LENGTH, (long)
                FeatureSpec.TOKEN_DIM));
        m.put(FeatureSpec.INPUT_PADDING_MASK, List.of(-1L, (long) FeatureSpec.SEQUENCE_LENGTH));
        m.put(FeatureSpec.INPUT_CONTEXT, List.of(-1L, (long) FeatureSpec.CONTEXT_DIM));
        return m;
    }

    static Map<String, List<Long>> expectedOutputs() {
        return Map.of(FeatureSpec.OUTPUT_BASE_LOGIT, List.of(-1L), FeatureSpec.OUTPUT_PRICE_SENSITIVITY, List.of(-1L));
    }

    private static void compareTensors(
            String kind,
            Map<String, List<Long>> expected,
            List<ModelManifest.TensorSpec> actual,
            List<String> problems) {
        if (actual == null) {
            problems.add(kind + "s are missing from the manifest");
            return;
        }
        Map<String, List<Long>> got = new HashMap<>();
        for (ModelManifest.TensorSpec t : actual) {
            got.put(t.name(), t.shape());
            if (t.dtype() != null && !t.dtype().equals("float32")) {
                problems.add(kind + " '" + t.name() + "' has dtype " + t.dtype() + ", expected float32");
            }
        }
        compareShapes(kind, expected, got, problems);
    }

    private static void compareShapes(
            String kind, Map<String, List<Long>> expected, Map<String, List<Long>> got, List<String> problems) {
        for (Map.Entry<String, List<Long>> e : expected.entrySet()) {
            List<Long> shape = got.get(e.getKey());
            if (shape == null) {
                problems.add(kind + " '" + e.getKey() + "' is missing (model has " + got.keySet() + ")");
            } else if (!sameShape(e.getValue(), shape)) {
                problems.add(kind + " '" + e.getKey() + "' has shape " + shape + ", expected " + e.getValue());
            }
        }
        for (String name : got.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected " + kind + " '" + name + "'");
            }
        }
    }

    /** A dynamic dimension (-1, or any non-positive value ONNX uses for a named dim) matches -1. */
    private static boolean sameShape(List<Long> expected, List<Long> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            long e = expected.get(i);
            long a = actual.get(i) == null ? -1 : actual.get(i);
            if (e < 0 ? a > 0 : a != e) {
                return false;
            }
        }
        return true;
    }

    /**
     * The graph itself must agree with the contract, not only its manifest.
     *
     * @param inputs  the graph's input names and shapes, as the runtime loaded them
     * @param outputs the graph's output names and shapes
     */
    static void checkGraph(String version, Map<String, List<Long>> inputs, Map<String, List<Long>> outputs) {
        List<String> problems = new ArrayList<>();
        compareShapes("graph input", expectedInputs(), inputs, problems);
        compareShapes("graph output", expectedOutputs(), outputs, problems);
        if (!problems.isEmpty()) {
            throw new ModelContractException("ONNX graph of model " + version + " does not match the contract:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    private static String availableVersions(Path root) {
        if (!Files.isDirectory(root)) {
            return "none, the directory does not exist";
        }
        try (Stream<Path> dirs = Files.list(root)) {
            List<String> v = dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json")))
                    .map(d -> d.getFileName().toString())
                    .sorted()
                    .toList();
            return v.isEmpty() ? "none" : String.join(", ", v);
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    static String sha256(Path file) {
        try {
            return Checksums.sha256(file);
        } catch (IOException e) {
            throw new ModelContractException("cannot checksum " + file + ": " + e.getMessage(), e);
        }
    }
}
