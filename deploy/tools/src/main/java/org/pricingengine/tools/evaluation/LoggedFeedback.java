package org.pricingengine.tools.evaluation;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.tools.local.TopicReading;

/**
 * Logged feedback outcomes and, for targets that are another model version, the logged model inputs of
 * their decisions (by decision id). Read from JSONL files (one record per line) or from the job's topics
 * to their current end. The feedback topic is read with read_committed: an outcome of an aborted
 * transaction is written again by the job and must not count twice. An outcome seen twice (same
 * decision id) counts once, the later copy.
 */
public record LoggedFeedback(List<FeedbackOutcome> outcomes, Map<String, DecisionFeatures> features) {
    /** A topic that makes no progress for this long while behind its end is an error, not an empty log. */
    private static final Duration STALL = Duration.ofSeconds(60);

    public LoggedFeedback {
        outcomes = List.copyOf(outcomes);
        features = Map.copyOf(features);
    }

    public static LoggedFeedback of(List<FeedbackOutcome> outcomes) {
        return new LoggedFeedback(outcomes, Map.of());
    }

    /** Outcomes whose experiment was randomized: the only ones an off-policy estimate uses. */
    public long randomized() {
        return outcomes.stream().filter(LoggedFeedback::randomized).count();
    }

    static boolean randomized(FeedbackOutcome o) {
        PriceExperiment e = o.experiment();
        return e != null && e.randomized() && e.propensity() > 0 && e.propensity() < 1;
    }

    public static List<FeedbackOutcome> readOutcomes(Path jsonl) throws IOException {
        Map<String, FeedbackOutcome> byDecision = new LinkedHashMap<>();
        readLines(jsonl, FeedbackOutcome.class, o -> byDecision.put(key(o), o));
        return new ArrayList<>(byDecision.values());
    }

    /** The logged model inputs in a JSONL file whose decision id {@code wanted} accepts. */
    public static Map<String, DecisionFeatures> readFeatures(Path jsonl, Predicate<String> wanted) throws IOException {
        Map<String, DecisionFeatures> byDecision = new HashMap<>();
        readLines(jsonl, DecisionFeatures.class, f -> {
            if (wanted.test(f.decisionId())) {
                byDecision.put(f.decisionId(), f);
            }
        });
        return byDecision;
    }

    /** The feedback topic from its beginning to its current end, read_committed. */
    public static List<FeedbackOutcome> outcomesFromTopic(String bootstrapServers, PricingConfig config, String topic) {
        Map<String, FeedbackOutcome> byDecision = new LinkedHashMap<>();
        readTopic(bootstrapServers, config, topic, FeedbackOutcome.class, o -> byDecision.put(key(o), o));
        return new ArrayList<>(byDecision.values());
    }

    /** The decision-features topic from its beginning to its current end; only the inputs {@code wanted} accepts are kept. */
    public static Map<String, DecisionFeatures> featuresFromTopic(
            String bootstrapServers, PricingConfig config, String topic, Predicate<String> wanted) {
        Map<String, DecisionFeatures> byDecision = new HashMap<>();
        readTopic(bootstrapServers, config, topic, DecisionFeatures.class, f -> {
            if (wanted.test(f.decisionId())) {
                byDecision.put(f.decisionId(), f);
            }
        });
        return byDecision;
    }

    /** The decision ids of the randomized outcomes: the only model inputs a model target needs. */
    public static Set<String> randomizedDecisionIds(List<FeedbackOutcome> outcomes) {
        Set<String> ids = new java.util.HashSet<>();
        for (FeedbackOutcome o : outcomes) {
            if (randomized(o) && o.decisionId() != null) {
                ids.add(o.decisionId());
            }
        }
        return ids;
    }

    private static String key(FeedbackOutcome o) {
        return o.decisionId() != null ? o.decisionId() : "line:" + System.identityHashCode(o);
    }

    private static <T> void readLines(Path file, Class<T> type, java.util.function.Consumer<T> sink)
            throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    sink.accept(Json.mapper().readValue(line, type));
                } catch (IOException e) {
                    throw new IOException(
                            file + " line " + number + " is not a " + type.getSimpleName() + ": " + e.getMessage());
                }
            }
        }
    }

    private static <T> void readTopic(
            String bootstrapServers,
            PricingConfig config,
            String topic,
            Class<T> type,
            java.util.function.Consumer<T> sink) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrapServers, config, true)) {
            Map<TopicPartition, Long> end = TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            long lastProgress = System.currentTimeMillis();
            while (!TopicReading.caughtUp(consumer, end)) {
                boolean any = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    any = true;
                    try {
                        sink.accept(Json.mapper().readValue(r.value(), type));
                    } catch (IOException e) {
                        throw new IllegalStateException(topic + " partition " + r.partition() + " offset " + r.offset()
                                + " is not a " + type.getSimpleName() + ": " + e.getMessage());
                    }
                }
                if (any) {
                    lastProgress = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastProgress > STALL.toMillis()) {
                    throw new IllegalStateException("reading " + topic + " from " + bootstrapServers
                            + " made no progress for " + STALL.toSeconds() + " s before its end");
                }
            }
        }
    }
}
