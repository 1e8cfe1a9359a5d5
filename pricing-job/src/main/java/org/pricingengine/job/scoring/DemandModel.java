package org.pricingengine.job.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import org.pricingengine.features.Checksums;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.FeatureFingerprint;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One exported demand model (see model-assets/CONTRACT.md) in an ONNX Runtime session. Loading
 * checks the model against its manifest and the manifest against this code's feature contract, and
 * refuses with every difference listed. {@link #score} is thread-safe (ONNX Runtime sessions are).
 */
public final class DemandModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemandModel.class);

    private final ModelManifest manifest;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String executionProvider;
    private final float[] contextMean;
    private final float[] contextStd;

    private DemandModel(ModelManifest manifest, OrtEnvironment env, OrtSession session, String executionProvider) {
        this.manifest = manifest;
        this.env = env;
        this.session = session;
        this.executionProvider = executionProvider;
        this.contextMean = toFloats(manifest.normalisation().contextMean());
        this.contextStd = toFloats(manifest.normalisation().contextStd());
    }

    /** Reads and checks a manifest without starting ONNX Runtime; returns it or throws with all differences. */
    public static ModelManifest readAndCheckManifest(Path modelRoot, String version) {
        Path dir = modelRoot.resolve(version);
        Path manifestFile = dir.resolve("manifest.json");
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
        List<String> problems = contractProblems(manifest, version, FeatureFingerprint.current());
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
            throw new ModelContractException("model " + version + " does not match this job ("
                    + problems.size() + " problem(s)):\n  - " + String.join("\n  - ", problems));
        }
        return manifest;
    }

    /** Every way the manifest disagrees with {@link FeatureSpec}; empty when it fits. */
    static List<String> contractProblems(ModelManifest m, String version, String featureFingerprint) {
        List<String> p = new ArrayList<>();
        if (m.featureFingerprint() == null) {
            p.add("feature_fingerprint is missing: the manifest does not say which feature code the model was trained on");
        } else if (!m.featureFingerprint().equals(featureFingerprint)) {
            p.add("the features this job computes (fingerprint " + featureFingerprint + ") differ from those the model was "
                    + "trained on (" + m.featureFingerprint() + "): the feature code changed since training; retrain the "
                    + "model (model-assets/training/retrain.sh) or deploy the feature code it was trained with");
        }
        if (m.modelVersion() == null || !m.modelVersion().equals(version)) {
            p.add("manifest model_version is '" + m.modelVersion() + "', expected '" + version + "'");
        }
        if (!FeatureSpec.VERSION.equals(m.featureSpecVersion())) {
            p.add("feature_spec_version is '" + m.featureSpecVersion() + "' but the job computes '" + FeatureSpec.VERSION + "'");
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
            if (n.contextMean().size() != FeatureSpec.CONTEXT_DIM || n.contextStd().size() != FeatureSpec.CONTEXT_DIM) {
                p.add("normalisation has " + n.contextMean().size() + "/" + n.contextStd().size()
                        + " values, expected " + FeatureSpec.CONTEXT_DIM);
            } else if (n.contextStd().stream().anyMatch(s -> s == null || !(s > 0) || !Double.isFinite(s))
                    || n.contextMean().stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
                p.add("normalisation has non-finite values or a non-positive std");
            }
        }
        return p;
    }

    static Map<String, List<Long>> expectedInputs() {
        Map<String, List<Long>> m = new HashMap<>();
        m.put(FeatureSpec.INPUT_SEQUENCE, List.of(-1L, (long) FeatureSpec.SEQUENCE_LENGTH, (long) FeatureSpec.TOKEN_DIM));
        m.put(FeatureSpec.INPUT_PADDING_MASK, List.of(-1L, (long) FeatureSpec.SEQUENCE_LENGTH));
        m.put(FeatureSpec.INPUT_CONTEXT, List.of(-1L, (long) FeatureSpec.CONTEXT_DIM));
        return m;
    }

    static Map<String, List<Long>> expectedOutputs() {
        return Map.of(FeatureSpec.OUTPUT_BASE_LOGIT, List.of(-1L), FeatureSpec.OUTPUT_PRICE_SENSITIVITY, List.of(-1L));
    }

    private static void compareTensors(String kind, Map<String, List<Long>> expected,
                                       List<ModelManifest.TensorSpec> actual, List<String> problems) {
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

    private static void compareShapes(String kind, Map<String, List<Long>> expected, Map<String, List<Long>> got,
                                      List<String> problems) {
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

    /** Loads and checks a model; see {@link ScoringDevice} for how the execution provider is chosen. */
    public static DemandModel load(Path modelRoot, String version, ScoringDevice device, int cudaDeviceId,
                                   int intraOpThreads) {
        ModelManifest manifest = readAndCheckManifest(modelRoot, version);
        Path onnx = modelRoot.resolve(version).resolve(manifest.onnxFile());
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "pricing");
        String provider = "CPU";
        OrtSession session = null;
        try {
            boolean tryCuda = device == ScoringDevice.CUDA || (device == ScoringDevice.AUTO && ScoringDevice.nvidiaGpuPresent());
            if (tryCuda) {
                try (OrtSession.SessionOptions options = sessionOptions(intraOpThreads)) {
                    options.addCUDA(cudaDeviceId);
                    session = env.createSession(onnx.toString(), options);
                    provider = "CUDA:" + cudaDeviceId;
                } catch (OrtException e) {
                    if (device == ScoringDevice.CUDA) {
                        throw new ModelContractException("model.device=cuda but the CUDA execution provider cannot start: "
                                + e.getMessage(), e);
                    }
                    LOG.warn("GPU present but the CUDA execution provider failed ({}); scoring on CPU", e.getMessage());
                }
            }
            if (session == null) {
                try (OrtSession.SessionOptions options = sessionOptions(intraOpThreads)) {
                    session = env.createSession(onnx.toString(), options);
                }
            }
            checkSession(session, version);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelContractException("ONNX Runtime cannot load model " + onnx + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        DemandModel model = new DemandModel(manifest, env, session, provider);
        long warmupMs = model.warmUp();
        LOG.info("Demand model {} (feature spec {}) loaded from {} on {} with {} intra-op thread(s){}; warm-up {} ms",
                version, manifest.featureSpecVersion(), onnx, provider, intraOpThreads,
                provider.equals("CPU") && device == ScoringDevice.AUTO && !ScoringDevice.nvidiaGpuPresent()
                        ? " (no NVIDIA GPU on this machine)" : "", warmupMs);
        return model;
    }

    /**
     * Runs a few batches of growing size before the first real request: ONNX Runtime plans memory
     * and caches kernels on its first runs per shape, which would otherwise land on live requests
     * (and on their timeouts) right after a deployment.
     */
    long warmUp() {
        long start = System.nanoTime();
        try {
            org.pricingengine.features.FeatureVector empty = new org.pricingengine.features.FeatureVector(
                    new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM], filled(FeatureSpec.SEQUENCE_LENGTH, 1f),
                    contextMean.clone());
            for (int size = 1; size <= 64; size *= 2) {
                ScoringBatch batch = new ScoringBatch(size);
                for (int i = 0; i < size; i++) {
                    batch.add(empty, contextMean, contextStd);
                }
                for (int round = 0; round < 3; round++) {
                    score(batch);
                }
            }
        } catch (OrtException e) {
            close();
            throw new ModelContractException("model " + manifest.modelVersion() + " fails on a warm-up batch: " + e.getMessage(), e);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    private static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        // Spinning threads burn the cores Flink needs for everything else.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /** The graph itself must agree with the contract, not only its manifest. */
    private static void checkSession(OrtSession session, String version) throws OrtException {
        List<String> problems = new ArrayList<>();
        compareShapes("graph input", expectedInputs(), shapes(session.getInputInfo()), problems);
        compareShapes("graph output", expectedOutputs(), shapes(session.getOutputInfo()), problems);
        if (!problems.isEmpty()) {
            throw new ModelContractException("ONNX graph of model " + version + " does not match the contract:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    private static Map<String, List<Long>> shapes(Map<String, NodeInfo> info) {
        Map<String, List<Long>> m = new HashMap<>();
        info.forEach((name, node) -> {
            if (node.getInfo() instanceof TensorInfo t) {
                m.put(name, Arrays.stream(t.getShape()).boxed().toList());
            } else {
                m.put(name, List.of());
            }
        });
        return m;
    }

    /** Scores the filled part of the batch into its output arrays. */
    public void score(ScoringBatch batch) throws OrtException {
        int n = batch.size;
        if (n == 0) {
            return;
        }
        OnnxTensor seq = null;
        OnnxTensor mask = null;
        OnnxTensor ctx = null;
        try {
            seq = OnnxTensor.createTensor(env, window(batch.sequence, n * FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM),
                    new long[] {n, FeatureSpec.SEQUENCE_LENGTH, FeatureSpec.TOKEN_DIM});
            mask = OnnxTensor.createTensor(env, window(batch.paddingMask, n * FeatureSpec.SEQUENCE_LENGTH),
                    new long[] {n, FeatureSpec.SEQUENCE_LENGTH});
            ctx = OnnxTensor.createTensor(env, window(batch.context, n * FeatureSpec.CONTEXT_DIM),
                    new long[] {n, FeatureSpec.CONTEXT_DIM});
            Map<String, OnnxTensor> inputs = Map.of(
                    FeatureSpec.INPUT_SEQUENCE, seq, FeatureSpec.INPUT_PADDING_MASK, mask, FeatureSpec.INPUT_CONTEXT, ctx);
            try (OrtSession.Result result = session.run(inputs)) {
                copyOutput(result, FeatureSpec.OUTPUT_BASE_LOGIT, batch.baseLogit, n);
                copyOutput(result, FeatureSpec.OUTPUT_PRICE_SENSITIVITY, batch.priceSensitivity, n);
            }
        } finally {
            closeQuietly(seq);
            closeQuietly(mask);
            closeQuietly(ctx);
        }
    }

    private static FloatBuffer window(FloatBuffer buffer, int floats) {
        FloatBuffer view = buffer.duplicate();
        view.position(0);
        view.limit(floats);
        return view;
    }

    private static void copyOutput(OrtSession.Result result, String name, float[] into, int n) throws OrtException {
        OnnxValue value = result.get(name).orElseThrow(() -> new OrtException("model returned no '" + name + "'"));
        FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
        if (out.remaining() < n) {
            throw new OrtException("model returned " + out.remaining() + " values for '" + name + "', expected " + n);
        }
        out.get(into, 0, n);
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public String version() {
        return manifest.modelVersion();
    }

    public String executionProvider() {
        return executionProvider;
    }

    public float[] contextMean() {
        return contextMean;
    }

    public float[] contextStd() {
        return contextStd;
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", c, e);
            }
        }
    }

    private static float[] toFloats(List<Double> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i).floatValue();
        }
        return f;
    }

    private static String availableVersions(Path root) {
        if (!Files.isDirectory(root)) {
            return "none, the directory does not exist";
        }
        try (Stream<Path> dirs = Files.list(root)) {
            List<String> v = dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
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
