package org.pricingengine.job.io;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.flink.InboundRecord;

/**
 * Sends refused records to the dead-letter output, behaviour events also to the behaviour output
 * (user state and feedback need them), and every valid record on to the item state.
 */
public class RouteInboundRecords extends ProcessFunction<InboundRecord, InboundRecord> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<BehaviourEvent> BEHAVIOUR_EVENTS = new OutputTag<>("behaviour-events") {};

    @Override
    public void processElement(InboundRecord record, Context ctx, Collector<InboundRecord> out) {
        if (!record.isValid()) {
            ctx.output(DEAD_LETTERS, record.deadLetter);
            return;
        }
        if (record.behaviour != null) {
            ctx.output(BEHAVIOUR_EVENTS, record.behaviour);
        }
        out.collect(record);
    }
}
