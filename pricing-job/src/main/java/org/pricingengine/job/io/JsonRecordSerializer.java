package org.pricingengine.job.io;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.pricingengine.features.events.Json;

/** Writes an output record as JSON to one topic, keyed so one user's records stay in order. */
final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** A key function that Flink can ship to the task managers. */
    public interface KeyOf<T> extends Function<T, String>, Serializable {}

    private final String topic;
    private final KeyOf<T> keyOf;

    public JsonRecordSerializer(String topic, KeyOf<T> keyOf) {
        this.topic = topic;
        this.keyOf = keyOf;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        String key = keyOf.apply(element);
        // The producer stamps wall-clock time: event times of replayed history would make the broker's
        // time-based retention delete the records at once.
        return new ProducerRecord<>(
                topic, null, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8), Json.toBytes(element));
    }
}
