package org.pricingengine.job.policy;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.pricingengine.job.scoring.ScoredRequest;

/**
 * Gives each scored request its learning segment and the latest posterior the learner has published for
 * that segment and model version. The posteriors arrive on a broadcast stream and sit in broadcast state
 * (checkpointed; bounded by segments x live model versions). Runs in the subtask of the request's user:
 * the policy behind it reads the stream as still keyed by user.
 */
public class AttachPosteriors extends BroadcastProcessFunction<ScoredRequest, SegmentPosterior, PricingRequest> {
    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, SegmentPosterior> POSTERIORS =
            new MapStateDescriptor<>("price-response-posteriors", Types.STRING, Types.POJO(SegmentPosterior.class));

    private final double[] segmentPriceBands;

    public AttachPosteriors(double[] segmentPriceBands) {
        this.segmentPriceBands = segmentPriceBands;
    }

    @Override
    public void processElement(ScoredRequest scored, ReadOnlyContext ctx, Collector<PricingRequest> out)
            throws Exception {
        String segment = PricingRequest.segmentOf(scored, segmentPriceBands);
        ReadOnlyBroadcastState<String, SegmentPosterior> posteriors = ctx.getBroadcastState(POSTERIORS);
        SegmentPosterior posterior =
                segment == null ? null : posteriors.get(SegmentPosterior.keyOf(scored.modelVersion(), segment));
        out.collect(new PricingRequest(scored, segment, posterior));
    }

    @Override
    public void processBroadcastElement(SegmentPosterior posterior, Context ctx, Collector<PricingRequest> out)
            throws Exception {
        BroadcastState<String, SegmentPosterior> posteriors = ctx.getBroadcastState(POSTERIORS);
        SegmentPosterior known = posteriors.get(posterior.key);
        // Published posteriors of one key come from one learner subtask in order; a restored learner may
        // publish an older one again, which must not replace what is newer.
        if (known == null || posterior.observations >= known.observations) {
            posteriors.put(posterior.key, posterior);
        }
    }
}
