package org.pricingengine.job.io;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.scoring.ServingControl;

/**
 * Reads the model-control topic. A record that does not parse still comes through, as an unreadable
 * control record carrying why: every scoring subtask refuses it and says so on the model-serving topic,
 * where whoever wrote it looks for the answer. A tombstone (compaction's delete) asks for nothing.
 */
final class ServingControlDeserializer implements KafkaRecordDeserializationSchema<ServingControl> {
    private static final long serialVersionUID = 1L;
    /** Longer is not a control record; it is not parsed, so a hostile one costs nothing. */
    private static final int MAX_BYTES = 16 * 1024;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ServingControl> out) {
        if (record.value() == null) {
            return;
        }
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value().length > MAX_BYTES) {
            out.collect(ServingControl.unreadable("control record at " + where + " has " + record.value().length
                    + " bytes (at most " + MAX_BYTES + ")"));
            return;
        }
        try {
            ServingControl control = Json.mapper().readValue(record.value(), ServingControl.class);
            out.collect(
                    control.problem() == null
                            ? control
                            : ServingControl.unreadable("control record at " + where + " sets 'problem'"));
        } catch (java.io.IOException | RuntimeException e) {
            out.collect(ServingControl.unreadable("control record at " + where + " is not a serving state: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
        }
    }

    @Override
    public TypeInformation<ServingControl> getProducedType() {
        return TypeInformation.of(ServingControl.class);
    }
}
