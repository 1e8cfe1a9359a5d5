package org.pricingengine.job.scoring;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.job.policy.ReasonCodes;

import java.nio.file.Path;
import java.util.List;

/**
 * Async scoring of price requests with the demand model. Requests are micro-batched by a
 * {@link MicroBatcher}; the model session is shared across the JVM's subtasks. Every request comes
 * out: a model error, a full queue or a timeout yields a scored request with a failure reason, which
 * the policy turns into a fallback decision; a burst of failures opens a {@link CircuitBreaker}.
 */
public class ModelScoringFunction extends RichAsyncFunction<ScoringRequest, ScoredRequest> {
    private static final long serialVersionUID = 1L;

    /** Everything the function needs to find and run its model, fixed when the job is built. */
    public record Settings(String modelRoot, String version, ScoringDevice device, int cudaDeviceId,
                           int intraOpThreads, int maxBatch, long maxBatchWaitNanos, int queueCapacity,
                           int breakerFailures, long breakerCooldownMs)
            implements java.io.Serializable {}

    private final Settings settings;

    private transient DemandModel model;
    private transient MicroBatcher batcher;
    private transient Counter scored;
    private transient Counter fallbacks;
    private transient CircuitBreaker breaker;

    public ModelScoringFunction(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        model = SharedModels.acquire(Path.of(settings.modelRoot()), settings.version(), settings.device(),
                settings.cudaDeviceId(), settings.intraOpThreads());
        var metrics = getRuntimeContext().getMetricGroup().addGroup("scoring");
        Histogram batchSize = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        Histogram inferenceMicros = metrics.histogram("inferenceMicros", new DescriptiveStatisticsHistogram(1000));
        scored = metrics.counter("scored");
        breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerCooldownMs(), System::currentTimeMillis);
        metrics.gauge("breakerOpen", () -> breaker.state() == CircuitBreaker.State.OPEN ? 1 : 0);
        metrics.gauge("breakerTimesOpened", () -> breaker.timesOpened());
        fallbacks = metrics.counter("fallbacks");
        batcher = new MicroBatcher(model, settings.maxBatch(), settings.maxBatchWaitNanos(), settings.queueCapacity(),
                "demand-model-" + settings.version() + "-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                (size, nanos) -> {
                    batchSize.update(size);
                    inferenceMicros.update(nanos / 1000);
                });
        metrics.gauge("queueDepth", () -> batcher.queueDepth());
    }

    @Override
    public void asyncInvoke(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
        if (!request.scorable()) {
            fallbacks.inc();
            resultFuture.complete(List.of(ScoredRequest.failed(request.enriched(), ReasonCodes.FALLBACK_UNKNOWN_ITEM,
                    model.version(), 0)));
            return;
        }
        int history = request.features().eventCount();
        if (!breaker.allowsRequest()) {
            fallbacks.inc();
            resultFuture.complete(List.of(ScoredRequest.failed(request.enriched(), ReasonCodes.FALLBACK_CIRCUIT_OPEN,
                    model.version(), history)));
            return;
        }
        batcher.submit(request.features()).whenComplete((estimate, error) -> {
            if (error == null) {
                breaker.recordSuccess();
                scored.inc();
                resultFuture.complete(List.of(ScoredRequest.scored(request.enriched(), estimate, model.version(), history)));
            } else {
                breaker.recordFailure();
                fallbacks.inc();
                resultFuture.complete(List.of(ScoredRequest.failed(request.enriched(), ReasonCodes.FALLBACK_MODEL_ERROR,
                        model.version(), history)));
            }
        });
    }

    @Override
    public void timeout(ScoringRequest request, ResultFuture<ScoredRequest> resultFuture) {
        breaker.recordFailure();
        fallbacks.inc();
        resultFuture.complete(List.of(ScoredRequest.failed(request.enriched(), ReasonCodes.FALLBACK_MODEL_TIMEOUT,
                model.version(), request.features() == null ? 0 : request.features().eventCount())));
    }

    @Override
    public void close() {
        if (batcher != null) {
            batcher.close();
        }
        if (model != null) {
            SharedModels.release(model);
            model = null;
        }
    }
}
