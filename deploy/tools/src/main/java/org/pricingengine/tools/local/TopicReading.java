package org.pricingengine.tools.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.pricingengine.job.config.PricingConfig;

/**
 * How the tools (rollout, audits, off-policy evaluation) read the job's output topics: as an outside consumer without a group (nothing
 * committed, no rebalance), every partition assigned, from a point in time.
 */
public final class TopicReading {
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(30);

    private TopicReading() {}

    public static KafkaConsumer<byte[], byte[]> consumer(
            String bootstrapServers, PricingConfig config, boolean readCommitted) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (readCommitted) {
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Assigns every partition of the topic and seeks to the first record at or after {@code fromMs}
     *  (Kafka timestamps; {@code Long.MIN_VALUE}: the beginning). Returns the end offsets as of now. */
    public static Map<TopicPartition, Long> assignFrom(
            KafkaConsumer<byte[], byte[]> consumer, String topic, long fromMs) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic, METADATA_TIMEOUT)) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, METADATA_TIMEOUT);
        if (fromMs == Long.MIN_VALUE) {
            consumer.seekToBeginning(partitions);
            return end;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, fromMs));
        Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(query, METADATA_TIMEOUT);
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = start.get(tp);
            consumer.seek(tp, o == null ? end.get(tp) : o.offset());
        }
        return end;
    }

    public static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
