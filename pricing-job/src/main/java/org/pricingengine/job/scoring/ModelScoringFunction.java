package org.pricingengine.job.scoring;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.job.config.PricingConfig.ModelDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Async scoring of price requests with the demand model. Requests are micro-batched by a
 * {@link MicroBatcher}; the model session is shared across the JVM's subtasks. Every request comes
 * out: a model error, a full queue or a timeout yields a scored request with a failure reason, which
 * the policy turns into a fallback decision; a burst of failures opens a {@link CircuitBreaker}.
 *
 * <p>What it scores with is a {@link LiveServing}: the job's configured versions, or, with serving
 * control on ({@link Settings#controlled}), whatever the {@link ServingControlOperator} chained before it
 * switched to last. Each model version has its own arm (batcher, breaker, metrics); a request stays on
 * the arm it was submitted to, and an arm the serving no longer names is closed, with its reference to
 * the session, when its last in-flight request is done. With a canary, the users {@link CanaryArms}
 * assigns to it are scored by the canary's arm (a failing canary cannot open the control arm's breaker).
 *
 * <p>Metrics, in the "scoring" group, carry the arm's model version, arm and device as variables (labels
 * {@code model_version}, {@code arm}, {@code device} in Prometheus), so both arms and both devices share
 * one metric name each: throughput, fallbacks, breaker, queue, batch sizes, inference time, which device
 * scores ({@code onCuda}), and the drift of the live context features from the model's training
 * statistics ({@code featureDrift}, labelled by {@code feature} too; see {@link FeatureDrift}).
 */
public class ModelScoringFunction extends RichAsyncFunction<ScoringRequest, ScoredRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelScoringFunction.class);

    /** Scored requests per subtask and arm in one feature drift window. */
    static final int DRIFT_WINDOW = 500;

    /**
     * Everything the function needs to find and run its models, fixed when the job is built.
     * {@code canaryVersion} null: no canary. {@code controlled}: the serving operator chained before the
     * function decides what it serves (the versions here are what it starts with).
     */
    public record Settings(
            String modelRoot,
            String version,
            ModelDevice device,
            int cudaDeviceId,
            int intraOpThreads,
            int maxBatch,
            long maxBatchWaitNanos,
            int queueCapacity,
            int breakerFailures,
            long breakerCooldownMs,
            String canaryVersion,
            double canaryShare,
            long servingRevision,
            boolean controlled)
            implements java.io.Serializable {

        /** Where one of the configured model versions lies. */
        public ModelLocation location(String modelVersion) {
            return new ModelLocation(Path.of(modelRoot), modelVersion);
        }

        public SessionSettings session() {
            return new SessionSettings(device, cudaDeviceId, intraOpThreads);
        }

        /** The serving state of the job's options, before any control record. */
        public ServingControl initialServing() {
            return ServingControl.initial(
                    servingRevision, version, canaryVersion, canaryVersion == null ? 0 : canaryShare);
        }

        public Settings withoutCanary() {
            return with(null, 0, controlled);
        }

        /** The same settings with serving control on or off. */
        public Settings controlled(boolean on) {
            return with(canaryVersion, canaryShare, on);
        }

        private Settings with(String canary, double share, boolean serving) {
            return new Settings(
                    modelRoot,
                    version,
                    device,
                    cudaDeviceId,
                    intraOpThreads,
                    maxBatch,
                    maxBatchWaitNanos,
                    queueCapacity,
                    breakerFailures,
                    breakerCooldownMs,
                    canary,
                    share,
                    servingRevision,
                    serving);
        }
    }

    private final Settings settings;

    private transient MetricGroup metrics;
    private transient int subtask;
    /** Where the serving comes from; a private one when serving control is off. */
    private transient ServingSlots.Slot slot;

    private transient String slotKey;
    /** The serving the arms below were set up for. */
    private transient LiveServing adopted;

    private transient Arm control;
    private transient Arm canary;
    /** Arms by "arm/version" that the current serving names. */
    private transient Map<String, Arm> arms;
    /** Arms the serving no longer names, until their last request is done. */
    private transient java.util.Set<Arm> retired;
    /** Requests that came before any serving was installed (a restore), by identity. */
    private transient Map<ScoringRequest, ResultFuture<ScoredRequest>> waitingForServing;
    /** Metric holders by "arm/version": a metric group cannot be registered twice, so they outlive arms. */
    private transient Map<String, ArmMetrics> armMetrics;

    public ModelScoringFunction(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = getRuntimeContext().getMetricGroup().addGroup("scoring");
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        arms = new HashMap<>();
        waitingForServing = new IdentityHashMap<>();
        retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
        armMetrics = new HashMap<>();
        if (settings.controlled()) {
            slotKey = ServingSlots.keyOf(getRuntimeContext());
            slot = ServingSlots.attach(slotKey);
        } else {
            slot = new ServingSlots.Slot();
            slot.current = LiveServing.load(settings.initialServing(), settings, false);
            adoptCurrent();
        }
    }

    @Override
    public void asyncInvoke(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
        if (slot.current == null) {
            // Restored in-flight requests, scored while Flink opens this operator: the serving operator
            // before it restores what serves only afterwards. They are scored as soon as it has.
            waitingForServing.put(request, resultFuture);
            slot.whenServing(() -> {
                if (waitingForServing.remove(request) != null) {
                    asyncInvoke(request, resultFuture);
                }
            });
            return;
        }
        armFor(request).score(request, resultFuture, adopted.control.exploration());
    }

    @Override
    public void timeout(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
        if (waitingForServing.remove(request) != null) {
            resultFuture.complete(List.of(ScoredRequest.failed(
                            request.enriched(),
                            ScoringFailure.MODEL_TIMEOUT,
                            settings.version(),
                            CanaryArms.CONTROL,
                            request.features() == null ? 0 : request.features().eventCount())
                    .withFeatures(request.features())));
            return;
        }
        for (Arm arm : arms.values()) {
            if (arm.holds(request)) {
                arm.timedOut(request, resultFuture);
                return;
            }
        }
        for (Arm arm : retired) {
            if (arm.holds(request)) {
                arm.timedOut(request, resultFuture);
                return;
            }
        }
        // Answered meanwhile: the model's answer and the timeout crossed.
    }

    private Arm armFor(ScoringRequest request) {
        if (slot.current != adopted) {
            adoptCurrent();
        }
        LiveServing s = adopted;
        return canary != null
                        && CanaryArms.inCanary(
                                request.enriched().request().userId(),
                                s.control.canaryModelVersion(),
                                s.control.canaryShare())
                ? canary
                : control;
    }

    /**
     * Switches to the slot's serving: arms for its versions (an arm of a version that stays keeps its
     * batcher and breaker), and the arms it no longer names retire, closing when their last request is done.
     */
    private void adoptCurrent() {
        LiveServing s = slot.current;
        if (s == null) {
            throw new IllegalStateException("serving control is on but no serving operator runs before scoring in "
                    + slotKey + " (operator chaining must stay on)");
        }
        Arm nextControl = arm(CanaryArms.CONTROL, s.model);
        Arm nextCanary = s.canary == null ? null : arm(CanaryArms.CANARY, s.canary);
        for (Arm a : new ArrayList<>(arms.values())) {
            if (a != nextControl && a != nextCanary) {
                a.retire();
            }
        }
        if (adopted != null) {
            LOG.info(
                    "Scoring subtask {} switched from {} to {} (revision {})",
                    subtask,
                    adopted.control.describe(),
                    s.control.describe(),
                    s.control.revision());
        }
        adopted = s;
        control = nextControl;
        canary = nextCanary;
    }

    private Arm arm(String name, DemandModel model) {
        String key = name + "/" + model.version();
        Arm a = arms.get(key);
        if (a == null) {
            a = new Arm(name, model, armMetrics.computeIfAbsent(key, k -> new ArmMetrics(name, model)));
            arms.put(key, a);
        }
        return a;
    }

    @Override
    public void close() {
        if (arms != null) {
            arms.values().forEach(Arm::closeNow);
            arms.clear();
            retired.forEach(Arm::closeNow);
            retired.clear();
        }
        if (settings.controlled()) {
            if (slotKey != null) {
                ServingSlots.detach(slotKey);
            }
        } else if (slot != null && slot.current != null) {
            slot.current.release();
        }
        slot = null;
    }

    /** An arm's metrics, registered once per arm and version; they read whichever arm is theirs now. */
    private final class ArmMetrics {
        volatile Arm arm;
        final Counter scored;
        final Counter fallbacks;
        final Histogram batchSize;
        final Histogram inferenceMicros;
        final FeatureDrift drift;

        ArmMetrics(String name, DemandModel model) {
            boolean onCuda = model.executionProvider().startsWith("CUDA");
            MetricGroup group = metrics.addGroup("model_version", model.version())
                    .addGroup("arm", name)
                    .addGroup("device", onCuda ? "cuda" : "cpu");
            // Constant for the arm's life: says on a dashboard which device scores, 1 on the GPU.
            group.gauge("onCuda", () -> onCuda ? 1 : 0);
            drift = new FeatureDrift(model.contextMean(), model.contextStd(), DRIFT_WINDOW);
            for (int i = 0; i < drift.features(); i++) {
                int feature = i;
                group.addGroup("feature", FeatureSpec.CONTEXT_FEATURES.get(i))
                        .gauge("featureDrift", () -> drift.shift(feature));
            }
            batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
            inferenceMicros = group.histogram("inferenceMicros", new DescriptiveStatisticsHistogram(1000));
            scored = group.counter("scored");
            fallbacks = group.counter("fallbacks");
            group.gauge("breakerOpen", () -> {
                Arm a = arm;
                return a != null && a.breaker.state() == CircuitBreaker.State.OPEN ? 1 : 0;
            });
            group.gauge("breakerTimesOpened", () -> {
                Arm a = arm;
                return a == null ? 0 : a.breaker.timesOpened();
            });
            group.gauge("queueDepth", () -> {
                Arm a = arm;
                return a == null ? 0 : a.batcher.queueDepth();
            });
        }
    }

    /** One model with its batcher, breaker and metrics. */
    private final class Arm {
        private final String name;
        private final DemandModel model;
        private final MicroBatcher batcher;
        private final CircuitBreaker breaker;
        private final ArmMetrics metrics;
        /** Requests at the model, by identity: the operator hands the same object to timeout(). */
        private final Map<ScoringRequest, CompletableFuture<DemandEstimate>> inFlight =
                Collections.synchronizedMap(new IdentityHashMap<>());
        /** Set on the task thread when the serving no longer names this arm. */
        private volatile boolean retiring;

        private boolean closed;

        Arm(String name, DemandModel served, ArmMetrics metrics) {
            this.name = name;
            // The arm's own reference: the session stays open until this arm is done with it.
            this.model = SharedModels.acquire(settings.location(served.version()), settings.session());
            this.metrics = metrics;
            breaker = new CircuitBreaker(
                    settings.breakerFailures(), settings.breakerCooldownMs(), System::currentTimeMillis);
            batcher = new MicroBatcher(
                    model,
                    settings.maxBatch(),
                    settings.maxBatchWaitNanos(),
                    settings.queueCapacity(),
                    "demand-model-" + model.version() + "-" + subtask,
                    (size, nanos) -> {
                        metrics.batchSize.update(size);
                        metrics.inferenceMicros.update(nanos / 1000);
                    });
            metrics.arm = this;
        }

        boolean holds(ScoringRequest request) {
            return inFlight.containsKey(request);
        }

        void score(
                ScoringRequest request,
                ResultFuture<ScoredRequest> resultFuture,
                ServingControl.Exploration exploration) {
            if (!request.scorable()) {
                fail(request, ScoringFailure.UNKNOWN_ITEM, resultFuture);
                return;
            }
            if (!breaker.allowsRequest()) {
                fail(request, ScoringFailure.CIRCUIT_OPEN, resultFuture);
                return;
            }
            int history = request.features().eventCount();
            metrics.drift.add(request.features().contextRaw());
            CompletableFuture<DemandEstimate> scoring = batcher.submit(request.features());
            inFlight.put(request, scoring);
            scoring.whenComplete((estimate, error) -> {
                inFlight.remove(request);
                if (error instanceof CancellationException) {
                    closeIfDone();
                    return; // timed out: already answered with a fallback
                }
                if (error == null) {
                    // A NaN or absurd demand curve is a failing model too; the policy prices it at list price.
                    if (estimate.isUsable()) {
                        breaker.recordSuccess();
                    } else {
                        breaker.recordFailure();
                        metrics.fallbacks.inc();
                    }
                    metrics.scored.inc();
                    resultFuture.complete(
                            List.of(ScoredRequest.scored(request.enriched(), estimate, model.version(), name, history)
                                    .withFeatures(request.features())
                                    .withExploration(exploration)));
                } else {
                    breaker.recordFailure();
                    fail(request, ScoringFailure.MODEL_ERROR, resultFuture);
                }
                closeIfDone();
            });
        }

        void timedOut(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
            CompletableFuture<DemandEstimate> scoring = inFlight.remove(request);
            if (scoring != null) {
                scoring.cancel(false);
            }
            breaker.recordFailure();
            fail(request, ScoringFailure.MODEL_TIMEOUT, resultFuture);
            closeIfDone();
        }

        private void fail(ScoringRequest request, ScoringFailure reason, ResultFuture<ScoredRequest> resultFuture) {
            metrics.fallbacks.inc();
            resultFuture.complete(List.of(ScoredRequest.failed(
                            request.enriched(),
                            reason,
                            model.version(),
                            name,
                            request.features() == null ? 0 : request.features().eventCount())
                    .withFeatures(request.features())));
        }

        /** Called on the task thread when the serving no longer names this arm. */
        void retire() {
            retiring = true;
            arms.values().remove(this);
            retired.add(this);
            closeIfDone();
        }

        /**
         * Closes a retired arm once nothing is in flight on it. The last completion may run on the batcher's
         * own thread, which cannot wait for itself to stop: the close runs on a thread of its own.
         */
        private void closeIfDone() {
            if (retiring && inFlight.isEmpty()) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                }
                Thread closer = new Thread(this::release, "close-demand-model-" + model.version() + "-" + subtask);
                closer.setDaemon(true);
                closer.start();
            }
        }

        void closeNow() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release();
        }

        private void release() {
            retired.remove(this);
            batcher.close();
            SharedModels.release(model);
            LOG.info("Scoring subtask {} closed its {} arm on model {}", subtask, name, model.version());
        }
    }
}
