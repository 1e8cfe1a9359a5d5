package org.pricingengine.job.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PublishedDecisionLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads back the decisions the job published after a given wall-clock time. After a failure the job
 * restarts from its last checkpoint and sees again the requests it priced since; with these it can
 * re-issue the decision the shopper already got, record for record, instead of pricing the request a
 * second time with state that may have seen other events in between. At-least-once decisions thereby
 * repeat only as identical records.
 *
 * @param bootstrapServers     the brokers of the decisions topic
 * @param topic                the decisions topic
 * @param clientProperties     security and other client settings shared with the sinks
 * @param readTimeout          how long reading may take; past it the restore fails and Flink retries it
 */
record PublishedDecisions(String bootstrapServers, String topic, Properties clientProperties, Duration readTimeout)
        implements PublishedDecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger(PublishedDecisions.class);

    /**
     * Producers stamp records when they send them, a moment after the decision; clocks of task managers
     * drift apart by a few seconds. Reading from a little earlier costs little.
     */
    public static final Duration CLOCK_MARGIN = Duration.ofSeconds(30);

    /**
     * Decisions published since {@code sinceMs} (minus {@link #CLOCK_MARGIN}) for users this subtask
     * owns, by decision id; the newest wins.
     */
    @Override
    public Map<String, PriceDecision> readSince(long sinceMs, Predicate<String> ownsUser) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // Whatever reached the topic, committed or not: at-least-once records are never in a transaction.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(readTimeout.toMillis()));
        long deadline = System.nanoTime() + readTimeout.toNanos();
        long since = sinceMs - CLOCK_MARGIN.toMillis();
        Map<String, PriceDecision> byDecisionId = new HashMap<>();
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, readTimeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> from = new HashMap<>();
            partitions.forEach(tp -> from.put(tp, since));
            Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(from, readTimeout);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, readTimeout);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp at = start.get(tp);
                consumer.seek(tp, at == null ? end.get(tp) : at.offset());
            }
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read back the decisions published since "
                            + java.time.Instant.ofEpochMilli(since) + " from " + topic + " within " + readTimeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))
                            || r.key() == null
                            || !ownsUser.test(new String(r.key(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    read++;
                    try {
                        PriceDecision d = PriceDecision.fromJson(r.value());
                        byDecisionId.put(d.decisionId(), d);
                    } catch (IOException | RuntimeException e) {
                        // Someone else's record on our topic: nothing of ours to re-issue.
                        LOG.warn(
                                "Skipping an unreadable record at {}-{}@{}: {}",
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                e.getMessage());
                    }
                }
            }
        }
        LOG.info(
                "Read back {} decisions published since {} for this subtask's users",
                read,
                java.time.Instant.ofEpochMilli(since));
        return byDecisionId;
    }
}
