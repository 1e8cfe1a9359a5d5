package org.pricingengine.tools.benchmark;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.CanaryArms;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelScoringFunction;
import org.pricingengine.job.scoring.ScoredRequest;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.ScoringFailure;

/**
 * The naive way to score, the benchmark's reference point: one model call per record, on the task
 * thread, no batching and no timeout. Same model, same features as the job's async scoring. It is not
 * part of the job: the benchmark hands it to {@link PricingJob} as its scoring stage.
 */
final class NaiveScoringFunction extends RichMapFunction<ScoringRequest, ScoredRequest> {
    private static final long serialVersionUID = 1L;

    private final ModelScoringFunction.Settings settings;
    private transient DemandModel model;
    private transient ScoringBatch single;

    NaiveScoringFunction(ModelScoringFunction.Settings settings) {
        this.settings = settings;
    }

    /** The scoring stage the benchmark's naive peer runs in place of the job's async scoring. */
    static DataStream<ScoredRequest> stage(
            DataStream<ScoringRequest> withFeatures, PricingConfig config, ModelScoringFunction.Settings settings) {
        return withFeatures
                .map(new NaiveScoringFunction(settings))
                .uid("demand-model-scoring-sync")
                .name("demand model scoring, one call per record (naive)");
    }

    @Override
    public void open(OpenContext openContext) {
        // One session per subtask: the naive peer shares nothing, where the job shares one per JVM.
        model = DemandModel.load(settings.location(settings.version()), settings.session());
        single = new ScoringBatch(1);
    }

    @Override
    public ScoredRequest map(ScoringRequest request) {
        if (!request.scorable()) {
            return ScoredRequest.failed(
                    request.enriched(), ScoringFailure.UNKNOWN_ITEM, model.version(), CanaryArms.CONTROL, 0);
        }
        int history = request.features().eventCount();
        single.clear();
        single.add(request.features(), model.contextMean(), model.contextStd());
        try {
            model.score(single);
        } catch (Exception e) {
            return ScoredRequest.failed(
                            request.enriched(),
                            ScoringFailure.MODEL_ERROR,
                            model.version(),
                            CanaryArms.CONTROL,
                            history)
                    .withFeatures(request.features());
        }
        return ScoredRequest.scored(
                        request.enriched(),
                        new DemandEstimate(single.baseLogit(0), single.priceSensitivity(0)),
                        model.version(),
                        CanaryArms.CONTROL,
                        history)
                .withFeatures(request.features());
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
