package org.pricingengine.job.io;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.flink.InboundRecord;

/** Sends records the parser refused to the dead-letter output and every valid record on. */
public class RouteInboundRecords extends ProcessFunction<InboundRecord, InboundRecord> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    @Override
    public void processElement(InboundRecord record, Context ctx, Collector<InboundRecord> out) {
        if (!record.isValid()) {
            ctx.output(DEAD_LETTERS, record.deadLetter);
            return;
        }
        out.collect(record);
    }
}
