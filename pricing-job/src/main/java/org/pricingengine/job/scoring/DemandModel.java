package org.pricingengine.job.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.job.config.PricingConfig.ModelDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One exported demand model (see model-assets/CONTRACT.md) in an ONNX Runtime session. Loading
 * checks the model against its manifest and the manifest against this code's feature contract
 * ({@link ModelContract}), and refuses with every difference listed. {@link #score} is thread-safe
 * (ONNX Runtime sessions are).
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

    /** Loads and checks a model; see {@link ModelDevice} for how the execution provider is chosen. */
    public static DemandModel load(ModelLocation location, SessionSettings settings) {
        ModelManifest manifest = ModelContract.readAndCheckManifest(location);
        String version = location.version();
        ModelDevice device = settings.device();
        int cudaDeviceId = settings.cudaDeviceId();
        int intraOpThreads = settings.intraOpThreads();
        Path onnx = location.directory().resolve(manifest.onnxFile());
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "pricing");
        String provider = "CPU";
        OrtSession session = null;
        try {
            boolean tryCuda = device == ModelDevice.CUDA || (device == ModelDevice.AUTO && nvidiaGpuPresent());
            if (tryCuda) {
                try (OrtSession.SessionOptions options = sessionOptions(intraOpThreads)) {
                    options.addCUDA(cudaDeviceId);
                    session = env.createSession(onnx.toString(), options);
                    provider = "CUDA:" + cudaDeviceId;
                } catch (OrtException e) {
                    if (device == ModelDevice.CUDA) {
                        throw new ModelContractException(
                                "model.device=cuda but the CUDA execution provider cannot start: " + e.getMessage(), e);
                    }
                    LOG.warn("GPU present but the CUDA execution provider failed ({}); scoring on CPU", e.getMessage());
                }
            }
            if (session == null) {
                try (OrtSession.SessionOptions options = sessionOptions(intraOpThreads)) {
                    session = env.createSession(onnx.toString(), options);
                }
            }
            ModelContract.checkGraph(version, shapes(session.getInputInfo()), shapes(session.getOutputInfo()));
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelContractException("ONNX Runtime cannot load model " + onnx + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        DemandModel model = new DemandModel(manifest, env, session, provider);
        long warmupMs = model.warmUp();
        LOG.info(
                "Demand model {} (feature spec {}) loaded from {} on {} with {} intra-op thread(s){}; warm-up {} ms",
                version,
                manifest.featureSpecVersion(),
                onnx,
                provider,
                intraOpThreads,
                provider.equals("CPU") && device == ModelDevice.AUTO && !nvidiaGpuPresent()
                        ? " (no NVIDIA GPU on this machine)"
                        : "",
                warmupMs);
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
                    new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM],
                    filled(FeatureSpec.SEQUENCE_LENGTH, 1f),
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
            throw new ModelContractException(
                    "model " + manifest.modelVersion() + " fails on a warm-up batch: " + e.getMessage(), e);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * The probe a model must pass before it serves: a batch of synthetic requests (empty and full
     * behaviour sequences, the training mean of the context and two standard deviations either side of it
     * per feature) must all get a usable demand curve. Returns what failed; empty when it passed.
     */
    public java.util.List<String> probe() {
        java.util.List<org.pricingengine.features.FeatureVector> probes = new java.util.ArrayList<>();
        float[] noEvents = new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM];
        float[] someEvents = new float[noEvents.length];
        for (int i = 0; i < someEvents.length; i++) {
            someEvents[i] = (i % FeatureSpec.TOKEN_DIM == 0) ? 1f : 0.5f;
        }
        float[] allPadding = filled(FeatureSpec.SEQUENCE_LENGTH, 1f);
        float[] noPadding = filled(FeatureSpec.SEQUENCE_LENGTH, 0f);
        probes.add(new org.pricingengine.features.FeatureVector(noEvents, allPadding, contextMean.clone()));
        probes.add(new org.pricingengine.features.FeatureVector(someEvents, noPadding, contextMean.clone()));
        for (int f = 0; f < contextMean.length; f++) {
            for (int sign = -1; sign <= 1; sign += 2) {
                float[] context = contextMean.clone();
                context[f] += sign * 2 * contextStd[f];
                probes.add(new org.pricingengine.features.FeatureVector(someEvents, noPadding, context));
            }
        }
        ScoringBatch batch = new ScoringBatch(probes.size());
        probes.forEach(v -> batch.add(v, contextMean, contextStd));
        try {
            score(batch);
        } catch (OrtException e) {
            return java.util.List.of("model " + version() + " fails on the probe batch: " + e.getMessage());
        }
        java.util.List<String> problems = new java.util.ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            DemandEstimate e = new DemandEstimate(batch.baseLogit(i), batch.priceSensitivity(i));
            if (!e.isUsable()) {
                problems.add("model " + version() + " gives no usable demand curve for probe request " + i
                        + " (base logit " + e.baseLogit() + ", price sensitivity " + e.priceSensitivity() + ")");
            }
        }
        return problems.size() > 3 ? problems.subList(0, 3) : problems;
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
            seq = OnnxTensor.createTensor(
                    env,
                    window(batch.sequence, n * FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM),
                    new long[] {n, FeatureSpec.SEQUENCE_LENGTH, FeatureSpec.TOKEN_DIM});
            mask = OnnxTensor.createTensor(env, window(batch.paddingMask, n * FeatureSpec.SEQUENCE_LENGTH), new long[] {
                n, FeatureSpec.SEQUENCE_LENGTH
            });
            ctx = OnnxTensor.createTensor(
                    env, window(batch.context, n * FeatureSpec.CONTEXT_DIM), new long[] {n, FeatureSpec.CONTEXT_DIM});
            Map<String, OnnxTensor> inputs = Map.of(
                    FeatureSpec.INPUT_SEQUENCE,
                    seq,
                    FeatureSpec.INPUT_PADDING_MASK,
                    mask,
                    FeatureSpec.INPUT_CONTEXT,
                    ctx);
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

    /**
     * Whether this machine has an NVIDIA GPU the driver exposes. Checked by the device nodes, which
     * costs nothing: trying the CUDA provider on a machine without one first unpacks ~300 MB of CUDA
     * libraries and takes seconds.
     */
    static boolean nvidiaGpuPresent() {
        return java.nio.file.Files.exists(Path.of("/dev/nvidiactl"))
                || java.nio.file.Files.exists(Path.of("/dev/nvidia0"));
    }
}
