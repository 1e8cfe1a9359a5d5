package org.pricingengine.tools.fairness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.local.TopicReading;

/**
 * A bounded read of one of the job's output topics: from the beginning to the end offsets seen when it
 * starts, read_committed (an exactly-once topic's aborted records are never seen; an at-least-once topic
 * reads the same either way). The job keys decisions and outcomes by user id with Kafka's default
 * partitioner, so a scan for one shopper reads only the partition that key hashes to.
 */
public final class TopicScan {
    /** A topic that makes no progress for this long while behind its end is an error, not an empty log. */
    private static final Duration STALL = Duration.ofSeconds(60);

    /** What a scan read: records seen, of how many partitions, and whether it stopped early. */
    public record Extent(long records, int partitions, boolean stoppedEarly) {}

    private TopicScan() {}

    /**
     * Hands each record's value to {@code visit} until it returns true (stop), {@code maxRecords} are read
     * (0: no limit) or the end is reached. {@code userKey}: when not null, only the partition that key
     * hashes to.
     */
    public static Extent scan(
            String bootstrapServers,
            PricingConfig config,
            String topic,
            String userKey,
            long maxRecords,
            Predicate<byte[]> visit) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrapServers, config, true)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrapServers);
            }
            Map<TopicPartition, Long> end;
            if (userKey == null) {
                end = TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            } else {
                List<TopicPartition> one = List.of(new TopicPartition(topic, partitionOf(userKey, infos.size())));
                consumer.assign(one);
                consumer.seekToBeginning(one);
                end = consumer.endOffsets(one, Duration.ofSeconds(30));
            }
            int partitions = end.size();
            long read = 0;
            long lastProgress = System.currentTimeMillis();
            while (!TopicReading.caughtUp(consumer, end)) {
                boolean any = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    // Records written after the scan began are not part of it: the scan is bounded.
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    any = true;
                    read++;
                    if (r.value() != null && visit.test(r.value())) {
                        return new Extent(read, partitions, true);
                    }
                    if (maxRecords > 0 && read >= maxRecords) {
                        return new Extent(read, partitions, true);
                    }
                }
                if (any) {
                    lastProgress = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastProgress > STALL.toMillis()) {
                    throw new IllegalStateException("reading " + topic + " from " + bootstrapServers
                            + " made no progress for " + STALL.toSeconds() + " s before its end");
                }
            }
            return new Extent(read, partitions, false);
        }
    }

    /** The partition Kafka's default partitioner gives a record keyed by {@code key}. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
