package org.pricingengine.job.policy;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.job.scoring.ScoredRequest;

/**
 * Gives each scored request its learning segment, its price-response traits and its posterior of the
 * price response: from the latest posterior the learner has published for the model version that scored
 * it, or from the prior while there is none. The posteriors arrive on a broadcast stream and sit in
 * broadcast state (checkpointed; one per live model version). Runs in the subtask of the request's user:
 * the policy behind it reads the stream as still keyed by user.
 */
public class AttachPosteriors extends BroadcastProcessFunction<ScoredRequest, PriceResponsePosterior, PricingRequest> {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, PriceResponsePosterior> POSTERIORS =
            new MapStateDescriptor<>("learned-price-response", Types.STRING, Types.POJO(PriceResponsePosterior.class));

    private final double[] segmentPriceBands;
    private final PolicySettings.PriorSettings prior;

    private transient PriceResponsePosterior priorPosterior;

    public AttachPosteriors(double[] segmentPriceBands, PolicySettings.PriorSettings prior) {
        this.segmentPriceBands = segmentPriceBands;
        this.prior = prior;
    }

    @Override
    public void processElement(ScoredRequest scored, ReadOnlyContext ctx, Collector<PricingRequest> out)
            throws Exception {
        PricingRequest request = PricingRequest.of(scored, segmentPriceBands);
        int segment = PriceSegments.index(request.segment(), segmentPriceBands);
        if (segment < 0 || request.traits() == null) {
            out.collect(request);
            return;
        }
        ReadOnlyBroadcastState<String, PriceResponsePosterior> posteriors = ctx.getBroadcastState(POSTERIORS);
        PriceResponsePosterior learned = posteriors.get(scored.modelVersion());
        if (learned == null || !learned.fits(PriceSegments.count(segmentPriceBands))) {
            if (priorPosterior == null) {
                priorPosterior = PriceResponsePosterior.prior(null, PriceSegments.count(segmentPriceBands), prior);
            }
            learned = priorPosterior;
        }
        // A request the model could not score is priced without the model's odds (a fallback).
        double baseLogit = Double.isFinite(scored.baseLogit()) ? scored.baseLogit() : 0;
        SegmentPosterior posterior = learned.forRequest(
                SegmentPosterior.keyOf(scored.modelVersion(), request.segment()), segment, request.traits(), baseLogit);
        out.collect(new PricingRequest(scored, request.segment(), request.traits(), posterior));
    }

    @Override
    public void processBroadcastElement(PriceResponsePosterior posterior, Context ctx, Collector<PricingRequest> out)
            throws Exception {
        BroadcastState<String, PriceResponsePosterior> posteriors = ctx.getBroadcastState(POSTERIORS);
        PriceResponsePosterior known = posteriors.get(posterior.modelVersion);
        // Published posteriors of one model version come from one learner subtask in order; a restored
        // learner may publish an older one again, which must not replace what is newer. One learned under
        // other band settings, or by a version of the job with another parameter layout, does not fit.
        if (posterior.fits(PriceSegments.count(segmentPriceBands))
                && (known == null || posterior.observations >= known.observations)) {
            posteriors.put(posterior.modelVersion, posterior);
        }
    }
}
