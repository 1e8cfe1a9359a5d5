package org.pricingengine.job.scoring;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

import org.pricingengine.features.flink.ScoringRequest;

/**
 * The naive way to score, kept as the benchmark's reference point ({@code scoring.mode=sync}): one
 * model call per record, on the task thread, no batching and no timeout. Same model, same features.
 */
public class SynchronousScoringFunction extends RichMapFunction<ScoringRequest, ScoredRequest> {
    private static final long serialVersionUID = 1L;

    private final ModelScoringFunction.Settings settings;
    private transient DemandModel model;
    private transient ScoringBatch single;

    public SynchronousScoringFunction(ModelScoringFunction.Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        model = SharedModels.acquire(settings.location(settings.version()), settings.session());
        single = new ScoringBatch(1);
    }

    @Override
    public ScoredRequest map(ScoringRequest request) {
        if (!request.scorable()) {
            return ScoredRequest.failed(request.enriched(), ScoringFailure.UNKNOWN_ITEM, model.version(), CanaryArms.CONTROL, 0);
        }
        int history = request.features().eventCount();
        single.clear();
        single.add(request.features(), model.contextMean(), model.contextStd());
        try {
            model.score(single);
        } catch (Exception e) {
            return ScoredRequest.failed(request.enriched(), ScoringFailure.MODEL_ERROR, model.version(), CanaryArms.CONTROL, history);
        }
        return ScoredRequest.scored(request.enriched(), new DemandEstimate(single.baseLogit(0), single.priceSensitivity(0)),
                model.version(), CanaryArms.CONTROL, history);
    }

    @Override
    public void close() {
        if (model != null) {
            SharedModels.release(model);
            model = null;
        }
    }
}
