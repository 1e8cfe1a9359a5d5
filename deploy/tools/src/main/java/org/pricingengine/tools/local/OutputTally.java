package org.pricingengine.tools.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.ReasonCode;

/**
 * Reads the job's three output topics, the way a downstream consumer would, and keeps the figures
 * the demo prints: counts, latency percentiles, a few samples, and an independent check that every
 * price respects the configured guardrails.
 */
public final class OutputTally implements Runnable, AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String decisionsTopic;
    private final String feedbackTopic;
    private final String deadLettersTopic;
    private final double maxDiscount;
    private final double maxMarkup;
    private final double minMargin;
    private volatile boolean running = true;
    private volatile boolean drainRequested;
    private volatile boolean drained;
    /** Latencies count only once this is set, so a cold start does not count as steady state. */
    private volatile boolean measuringLatency;

    private final java.util.Map<String, Long> fallbackReasons = new java.util.TreeMap<>();

    public final AtomicLong decisions = new AtomicLong();
    public final AtomicLong duplicateDecisions = new AtomicLong();
    public final AtomicLong fallbacks = new AtomicLong();
    public final AtomicLong feedback = new AtomicLong();
    public final AtomicLong purchasesAttributed = new AtomicLong();
    public final AtomicLong cartsAttributed = new AtomicLong();
    public final AtomicLong deadLetters = new AtomicLong();
    public final AtomicLong guardrailViolations = new AtomicLong();
    public final AtomicLong discounted = new AtomicLong();
    private final Set<String> decisionIds = new HashSet<>();
    private final List<Long> latencies = new ArrayList<>();
    private double attributedRevenue;
    private final Set<String> modelVersions = new HashSet<>();
    /** Every distinct decision, as the demo's report reads it. */
    private final List<DemoReport.Decision> reportDecisions = new ArrayList<>();

    public final List<String> sampleDecisions = new ArrayList<>();
    public final List<String> sampleFeedback = new ArrayList<>();
    public final List<String> sampleDeadLetters = new ArrayList<>();

    public OutputTally(String bootstrapServers, PricingConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "pricing-demo-tally-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Feedback is written in Kafka transactions: count only what was committed, as a trainer would.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.decisionsTopic = config.get(PricingConfig.TOPIC_DECISIONS);
        this.feedbackTopic = config.get(PricingConfig.TOPIC_FEEDBACK);
        this.deadLettersTopic = config.get(PricingConfig.TOPIC_DEAD_LETTERS);
        this.maxDiscount = config.get(PricingConfig.MAX_DISCOUNT);
        this.maxMarkup = config.get(PricingConfig.MAX_MARKUP);
        this.minMargin = config.get(PricingConfig.MIN_MARGIN);
        consumer.subscribe(List.of(decisionsTopic, feedbackTopic, deadLettersTopic));
    }

    @Override
    public void run() {
        java.util.Map<org.apache.kafka.common.TopicPartition, Long> endOffsets = null;
        while (running) {
            if (drainRequested && endOffsets == null) {
                endOffsets = consumer.endOffsets(consumer.assignment());
            }
            if (endOffsets != null
                    && endOffsets.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                drained = true;
                return;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                try {
                    JsonNode node = Json.mapper().readTree(r.value());
                    if (r.topic().equals(decisionsTopic)) {
                        onDecision(node);
                    } else if (r.topic().equals(feedbackTopic)) {
                        onFeedback(node);
                    } else {
                        deadLetters.incrementAndGet();
                        synchronized (this) {
                            if (sampleDeadLetters.size() < 3) {
                                sampleDeadLetters.add(node.toString());
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("job wrote a record that is not JSON to " + r.topic(), e);
                }
            }
        }
    }

    private synchronized void onDecision(JsonNode d) {
        if (!decisionIds.add(d.get("decision_id").asText())) {
            duplicateDecisions.incrementAndGet();
            return;
        }
        decisions.incrementAndGet();
        reportDecisions.add(DemoReport.Decision.of(d, measuringLatency));
        if (measuringLatency) {
            latencies.add(d.get("latency_ms").asLong());
        }
        modelVersions.add(d.path("model_version").asText());
        if (d.get("fallback").asBoolean()) {
            fallbacks.incrementAndGet();
            fallbackReasons.merge(d.get("reason_codes").get(0).asText(), 1L, Long::sum);
        }
        if (d.hasNonNull("price")) {
            double price = d.get("price").asDouble();
            double list = d.get("list_price").asDouble();
            double cost = d.get("unit_cost").asDouble();
            boolean costAboveList = d.get("reason_codes").toString().contains(ReasonCode.COST_ABOVE_LIST_PRICE.code());
            double floor =
                    costAboveList ? list * (1 + maxMarkup) : Math.max(list * (1 - maxDiscount), cost * (1 + minMargin));
            if (price > list * (1 + maxMarkup) + 1e-6 || price < floor - 0.01 - 1e-6 || !Double.isFinite(price)) {
                guardrailViolations.incrementAndGet();
            }
            if (price < list - 1e-9) {
                discounted.incrementAndGet();
            }
        }
        if (sampleDecisions.size() < 200) {
            sampleDecisions.add(d.toPrettyString());
        }
    }

    private synchronized void onFeedback(JsonNode f) {
        feedback.incrementAndGet();
        switch (f.get("outcome").asText()) {
            case "purchase" -> {
                purchasesAttributed.incrementAndGet();
                attributedRevenue += f.get("revenue").asDouble();
                if (sampleFeedback.size() < 2) {
                    sampleFeedback.add(f.toPrettyString());
                }
            }
            case "cart" -> cartsAttributed.incrementAndGet();
            default -> {}
        }
    }

    /** Latency percentile in milliseconds over all decisions so far (nearest rank). */
    public synchronized long latencyPercentile(double q) {
        return percentile(latencies, q);
    }

    /** The same over the later half of the decisions only: the JVMs' JIT warm-up is behind them. */
    public synchronized long laterHalfLatencyPercentile(double q) {
        return percentile(latencies.subList(latencies.size() / 2, latencies.size()), q);
    }

    /** The q-quantile of the values by nearest rank; 0 when there are none. The tools' one percentile. */
    public static long percentile(List<Long> values, double q) {
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return nearestRank(sorted, q);
    }

    /** The q-quantile of already sorted values by nearest rank; 0 when there are none. */
    public static long nearestRank(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    public void startMeasuringLatency() {
        measuringLatency = true;
    }

    public synchronized long latencySamples() {
        return latencies.size();
    }

    public synchronized java.util.Map<String, Long> fallbackReasons() {
        return new java.util.TreeMap<>(fallbackReasons);
    }

    /**
     * Reads every topic to the end offsets it has now, then stops; returns false if that took longer
     * than the timeout. The job must have stopped writing.
     */
    public boolean drainAndStop(long timeoutMs) throws InterruptedException {
        drainRequested = true;
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!drained && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        running = false;
        return drained;
    }

    /** The distinct decisions read so far, in the order read. */
    public synchronized List<DemoReport.Decision> reportDecisions() {
        return List.copyOf(reportDecisions);
    }

    public synchronized double attributedRevenue() {
        return attributedRevenue;
    }

    public synchronized Set<String> modelVersions() {
        return Set.copyOf(modelVersions);
    }

    @Override
    public void close() {
        running = false;
    }

    /** Closes the consumer; call from the thread that ran {@link #run} or after it ended. */
    public void closeConsumer() {
        consumer.close();
    }
}
