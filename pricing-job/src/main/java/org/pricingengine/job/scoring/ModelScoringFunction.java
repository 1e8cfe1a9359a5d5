package org.pricingengine.job.scoring;

import java.nio.file.Path;
import java.util.Collections;
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

/**
 * Async scoring of price requests with the demand model. Requests are micro-batched by a
 * {@link MicroBatcher}; the model session is shared across the JVM's subtasks. Every request comes
 * out: a model error, a full queue or a timeout yields a scored request with a failure reason, which
 * the policy turns into a fallback decision; a burst of failures opens a {@link CircuitBreaker}.
 *
 * <p>With a canary model configured, the users {@link CanaryArms} assigns to it are scored by the
 * canary through its own batcher and breaker (a failing canary cannot open the control arm's breaker).
 *
 * <p>Metrics, in the "scoring" group, carry the arm's model version, arm and device as variables (labels
 * {@code model_version}, {@code arm}, {@code device} in Prometheus), so both arms and both devices share
 * one metric name each: throughput, fallbacks, breaker, queue, batch sizes, inference time, which device
 * scores ({@code onCuda}), and the drift of the live context features from the model's training
 * statistics ({@code featureDrift}, labelled by {@code feature} too; see {@link FeatureDrift}).
 */
public class ModelScoringFunction extends RichAsyncFunction<ScoringRequest, ScoredRequest> {
    private static final long serialVersionUID = 1L;

    /** Scored requests per subtask and arm in one feature drift window. */
    static final int DRIFT_WINDOW = 500;

    /**
     * Everything the function needs to find and run its models, fixed when the job is built.
     * {@code canaryVersion} null: no canary.
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
            double canaryShare)
            implements java.io.Serializable {

        /** Where one of the configured model versions lies. */
        public ModelLocation location(String modelVersion) {
            return new ModelLocation(Path.of(modelRoot), modelVersion);
        }

        public SessionSettings session() {
            return new SessionSettings(device, cudaDeviceId, intraOpThreads);
        }

        public Settings withoutCanary() {
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
                    null,
                    0);
        }
    }

    private final Settings settings;

    private transient Arm control;
    private transient Arm canary;

    public ModelScoringFunction(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("scoring");
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        control = new Arm(CanaryArms.CONTROL, settings.version(), metrics, subtask);
        if (settings.canaryVersion() != null) {
            canary = new Arm(CanaryArms.CANARY, settings.canaryVersion(), metrics, subtask);
        }
    }

    @Override
    public void asyncInvoke(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
        Arm arm = canary != null
                        && CanaryArms.inCanary(
                                request.enriched().request().userId(), settings.canaryVersion(), settings.canaryShare())
                ? canary
                : control;
        arm.score(request, resultFuture);
    }

    @Override
    public void timeout(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
        Arm arm = canary != null
                        && CanaryArms.inCanary(
                                request.enriched().request().userId(), settings.canaryVersion(), settings.canaryShare())
                ? canary
                : control;
        arm.timedOut(request, resultFuture);
    }

    @Override
    public void close() {
        if (canary != null) {
            canary.close();
            canary = null;
        }
        if (control != null) {
            control.close();
            control = null;
        }
    }

    /** One model with its batcher, breaker and metrics. */
    private final class Arm {
        private final String name;
        private final DemandModel model;
        private final MicroBatcher batcher;
        private final CircuitBreaker breaker;
        private final Counter scored;
        private final Counter fallbacks;
        private final FeatureDrift drift;
        /** Requests at the model, by identity: the operator hands the same object to timeout(). */
        private final Map<ScoringRequest, CompletableFuture<DemandEstimate>> inFlight =
                Collections.synchronizedMap(new IdentityHashMap<>());

        Arm(String name, String version, MetricGroup scoringMetrics, int subtask) {
            this.name = name;
            this.model = SharedModels.acquire(settings.location(version), settings.session());
            boolean onCuda = model.executionProvider().startsWith("CUDA");
            MetricGroup metrics = scoringMetrics
                    .addGroup("model_version", version)
                    .addGroup("arm", name)
                    .addGroup("device", onCuda ? "cuda" : "cpu");
            // Constant for the arm's life: says on a dashboard which device scores, 1 on the GPU.
            metrics.gauge("onCuda", () -> onCuda ? 1 : 0);
            drift = new FeatureDrift(model.contextMean(), model.contextStd(), DRIFT_WINDOW);
            for (int i = 0; i < drift.features(); i++) {
                int feature = i;
                metrics.addGroup("feature", FeatureSpec.CONTEXT_FEATURES.get(i))
                        .gauge("featureDrift", () -> drift.shift(feature));
            }
            Histogram batchSize = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
            Histogram inferenceMicros = metrics.histogram("inferenceMicros", new DescriptiveStatisticsHistogram(1000));
            scored = metrics.counter("scored");
            fallbacks = metrics.counter("fallbacks");
            breaker = new CircuitBreaker(
                    settings.breakerFailures(), settings.breakerCooldownMs(), System::currentTimeMillis);
            metrics.gauge("breakerOpen", () -> breaker.state() == CircuitBreaker.State.OPEN ? 1 : 0);
            metrics.gauge("breakerTimesOpened", breaker::timesOpened);
            batcher = new MicroBatcher(
                    model,
                    settings.maxBatch(),
                    settings.maxBatchWaitNanos(),
                    settings.queueCapacity(),
                    "demand-model-" + version + "-" + subtask,
                    (size, nanos) -> {
                        batchSize.update(size);
                        inferenceMicros.update(nanos / 1000);
                    });
            metrics.gauge("queueDepth", batcher::queueDepth);
        }

        void score(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
            if (!request.scorable()) {
                fail(request, ScoringFailure.UNKNOWN_ITEM, resultFuture);
                return;
            }
            if (!breaker.allowsRequest()) {
                fail(request, ScoringFailure.CIRCUIT_OPEN, resultFuture);
                return;
            }
            int history = request.features().eventCount();
            drift.add(request.features().contextRaw());
            CompletableFuture<DemandEstimate> scoring = batcher.submit(request.features());
            inFlight.put(request, scoring);
            scoring.whenComplete((estimate, error) -> {
                inFlight.remove(request);
                if (error instanceof CancellationException) {
                    return; // timed out: already answered with a fallback
                }
                if (error == null) {
                    // A NaN or absurd demand curve is a failing model too; the policy prices it at list price.
                    if (estimate.isUsable()) {
                        breaker.recordSuccess();
                    } else {
                        breaker.recordFailure();
                        fallbacks.inc();
                    }
                    scored.inc();
                    resultFuture.complete(
                            List.of(ScoredRequest.scored(request.enriched(), estimate, model.version(), name, history)
                                    .withFeatures(request.features())));
                } else {
                    breaker.recordFailure();
                    fail(request, ScoringFailure.MODEL_ERROR, resultFuture);
                }
            });
        }

        void timedOut(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
            CompletableFuture<DemandEstimate> scoring = inFlight.remove(request);
            if (scoring != null) {
                scoring.cancel(false);
            }
            breaker.recordFailure();
            fail(request, ScoringFailure.MODEL_TIMEOUT, resultFuture);
        }

        private void fail(ScoringRequest request, ScoringFailure reason, ResultFuture<ScoredRequest> resultFuture) {
            fallbacks.inc();
            resultFuture.complete(List.of(ScoredRequest.failed(
                            request.enriched(),
                            reason,
                            model.version(),
                            name,
                            request.features() == null ? 0 : request.features().eventCount())
                    .withFeatures(request.features())));
        }

        void close() {
            batcher.close();
            SharedModels.release(model);
        }
    }
}
