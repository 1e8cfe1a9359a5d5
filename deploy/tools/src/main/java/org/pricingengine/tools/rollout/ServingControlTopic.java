package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.ServingControl;
import org.pricingengine.tools.local.TopicReading;

/**
 * The rollout tool's side of the model-control contract: writes the wanted serving state to the control
 * topic (one key, so compaction keeps the last) and waits for every scoring subtask's answer on the
 * model-serving topic.
 */
final class ServingControlTopic {
    /** The key of every control record: the topic is compacted to the last serving state asked for. */
    static final String KEY = "serving";

    /** What the scoring subtasks answered to one revision. */
    record Answer(int subtasks, Map<Integer, String> serving, Map<Integer, List<String>> refused, long lastAtMs) {
        boolean allServing() {
            return subtasks > 0 && serving.size() == subtasks;
        }

        boolean complete() {
            return subtasks > 0 && serving.size() + refused.size() >= subtasks;
        }

        List<String> problems() {
            List<String> problems = new ArrayList<>();
            refused.forEach((subtask, reasons) -> problems.add("scoring subtask " + subtask + " refused: " + reasons));
            if (!complete()) {
                problems.add("only " + (serving.size() + refused.size()) + " of "
                        + (subtasks == 0 ? "the" : Integer.toString(subtasks))
                        + " scoring subtasks answered the control record");
            }
            return problems;
        }
    }

    private final String bootstrapServers;
    private final PricingConfig config;

    ServingControlTopic(String bootstrapServers, PricingConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.config = config;
    }

    boolean enabled() {
        return !config.get(PricingConfig.TOPIC_MODEL_CONTROL).isBlank();
    }

    /** Writes the record and returns the time it was acknowledged. */
    long ask(ServingControl control) throws IOException {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(
                            config.get(PricingConfig.TOPIC_MODEL_CONTROL),
                            KEY.getBytes(StandardCharsets.UTF_8),
                            Json.toBytes(control)))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot write the control record: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted writing the control record", e);
        }
        return System.currentTimeMillis();
    }

    /**
     * Reads the model-serving topic from {@code sinceMs} until every subtask answered {@code revision}
     * (each report says how many subtasks there are) or {@code timeout} passed.
     */
    Answer await(long revision, long sinceMs, Duration timeout) {
        Map<Integer, String> serving = new TreeMap<>();
        Map<Integer, List<String>> refused = new TreeMap<>();
        int subtasks = 0;
        long lastAt = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrapServers, config, false)) {
            TopicReading.assignFrom(consumer, config.get(PricingConfig.TOPIC_MODEL_SERVING), sinceMs - 5_000);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode report = Json.mapper().readTree(r.value());
                    if (report.path("revision").asLong() != revision) {
                        continue;
                    }
                    int subtask = report.path("subtask").asInt();
                    subtasks = report.path("subtasks").asInt();
                    lastAt = Math.max(lastAt, r.timestamp());
                    if ("SERVING".equals(report.path("status").asText())) {
                        serving.put(subtask, report.path("asked").asText());
                        refused.remove(subtask);
                    } else {
                        List<String> reasons = new ArrayList<>();
                        report.path("reasons").forEach(n -> reasons.add(n.asText()));
                        refused.put(subtask, reasons);
                    }
                }
                Answer answer = new Answer(subtasks, serving, refused, lastAt);
                if (answer.complete()) {
                    return answer;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("a model-serving report is not JSON", e);
        }
        return new Answer(subtasks, serving, refused, lastAt);
    }
}
