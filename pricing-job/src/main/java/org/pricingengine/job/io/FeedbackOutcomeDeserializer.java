package org.pricingengine.job.io;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the job's own feedback outcomes back. A record that does not parse (written by something else)
 * is skipped with a warning: the learner must not stop the job over it, and the dead-letter topic is for
 * inputs from outside.
 */
final class FeedbackOutcomeDeserializer implements KafkaRecordDeserializationSchema<FeedbackOutcome> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackOutcomeDeserializer.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<FeedbackOutcome> out) {
        if (record.value() == null) {
            return;
        }
        try {
            out.collect(FeedbackOutcome.fromJson(record.value()));
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Skipping an unreadable feedback outcome at {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.getMessage());
        }
    }

    @Override
    public TypeInformation<FeedbackOutcome> getProducedType() {
        return TypeInformation.of(FeedbackOutcome.class);
    }
}
