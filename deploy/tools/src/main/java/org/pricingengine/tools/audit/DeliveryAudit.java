package org.pricingengine.tools.audit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.validation.EventParser;
import org.pricingengine.features.validation.ParseResult;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.tools.local.TopicReading;

/**
 * Checks the job's delivery promises on its topics, as a consumer would see them: every valid price
 * request has a decision, a repeated decision is byte for byte the one published first, and the
 * feedback topic read with read_committed holds each decision's outcome once. Used by the fault
 * injection tests and scenarios; reads whole topics, so it is meant for test and replay runs.
 */
public final class DeliveryAudit {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(120);

    /**
     * What the audit found; {@link #problems()} is empty when every promise held. Printed (and read by
     * scripts) under the snake_case names, without the examples, which go to the log.
     */
    @JsonPropertyOrder({
        "valid_requests",
        "requests_without_decision",
        "decision_records",
        "distinct_decisions",
        "duplicate_decisions",
        "non_identical_duplicates",
        "committed_outcomes",
        "duplicate_outcomes",
        "decisions_without_outcome",
        "outcomes_without_decision",
        "uncommitted_feedback_records"
    })
    public record Result(
            @JsonProperty("valid_requests") long validRequests,
            @JsonProperty("requests_without_decision") long requestsWithoutDecision,
            @JsonProperty("decision_records") long decisionRecords,
            @JsonProperty("distinct_decisions") long distinctDecisions,
            @JsonProperty("duplicate_decisions") long duplicateDecisions,
            @JsonProperty("non_identical_duplicates") long nonIdenticalDuplicates,
            @JsonProperty("committed_outcomes") long committedOutcomes,
            @JsonProperty("duplicate_outcomes") long duplicateOutcomes,
            @JsonProperty("decisions_without_outcome") long decisionsWithoutOutcome,
            @JsonProperty("outcomes_without_decision") long outcomesWithoutDecision,
            @JsonProperty("uncommitted_feedback_records") long uncommittedFeedbackRecords,
            @JsonIgnore List<String> examples) {
        public List<String> problems() {
            List<String> p = new ArrayList<>();
            if (requestsWithoutDecision > 0) {
                p.add(requestsWithoutDecision + " valid requests without a decision");
            }
            if (nonIdenticalDuplicates > 0) {
                p.add(nonIdenticalDuplicates + " repeated decisions differ from the first copy");
            }
            if (duplicateOutcomes > 0) {
                p.add(duplicateOutcomes + " feedback outcomes committed more than once");
            }
            if (outcomesWithoutDecision > 0) {
                p.add(outcomesWithoutDecision + " feedback outcomes for decisions that were never published");
            }
            return p;
        }
    }

    private DeliveryAudit() {}

    /** Audits until every valid request has a decision, or the time is up; returns the last audit. */
    public static Result awaitDecisions(String bootstrapServers, PricingConfig config, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Result last = run(bootstrapServers, config);
        while (last.requestsWithoutDecision() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            last = run(bootstrapServers, config);
        }
        return last;
    }

    public static Result run(String bootstrapServers, PricingConfig config) {
        EventParser parser = new EventParser(KafkaEndpoints.validationRules(config));
        Set<String> validRequests = new HashSet<>();
        read(bootstrapServers, config, config.get(PricingConfig.TOPIC_REQUESTS), false, r -> {
            ParseResult<?> parsed = parser.parsePriceRequest(r.value());
            if (parsed.isValid()) {
                // What must be decided: each distinct request (id, user, item), under its deterministic decision id.
                var request = (org.pricingengine.features.events.PriceRequest) parsed.value();
                validRequests.add(PriceDecision.decisionIdFor(request.requestId(), request.userId(), request.itemId()));
            }
        });
        // Decisions as an at-least-once consumer reads them; for exactly-once decisions, what is committed.
        boolean decisionsCommitted =
                config.get(PricingConfig.DELIVERY_DECISIONS) == PricingConfig.Delivery.EXACTLY_ONCE;
        Map<String, String> firstCopy = new HashMap<>();
        long[] decisionStats = new long[3]; // records, duplicates, non-identical
        List<String> examples = new ArrayList<>();
        read(bootstrapServers, config, config.get(PricingConfig.TOPIC_DECISIONS), decisionsCommitted, r -> {
            String raw = new String(r.value(), StandardCharsets.UTF_8);
            JsonNode d = json(raw);
            decisionStats[0]++;
            String id = d.path("decision_id").asText();
            String first = firstCopy.putIfAbsent(id, raw);
            if (first != null) {
                decisionStats[1]++;
                if (!first.equals(raw)) {
                    decisionStats[2]++;
                    if (examples.size() < 3) {
                        examples.add("first: " + first + "\nagain: " + raw);
                    }
                }
            }
        });
        Map<String, Integer> outcomesPerDecision = new HashMap<>();
        long[] committed = new long[1];
        read(bootstrapServers, config, config.get(PricingConfig.TOPIC_FEEDBACK), true, r -> {
            committed[0]++;
            outcomesPerDecision.merge(
                    json(new String(r.value(), StandardCharsets.UTF_8))
                            .path("decision_id")
                            .asText(),
                    1,
                    Integer::sum);
        });
        long[] all = new long[1];
        read(bootstrapServers, config, config.get(PricingConfig.TOPIC_FEEDBACK), false, r -> all[0]++);

        long withoutDecision =
                validRequests.stream().filter(id -> !firstCopy.containsKey(id)).count();
        long duplicateOutcomes =
                outcomesPerDecision.values().stream().mapToLong(n -> n - 1).sum();
        long withoutOutcome = firstCopy.keySet().stream()
                .filter(id -> !outcomesPerDecision.containsKey(id))
                .count();
        long orphanOutcomes = outcomesPerDecision.keySet().stream()
                .filter(id -> !firstCopy.containsKey(id))
                .count();
        return new Result(
                validRequests.size(),
                withoutDecision,
                decisionStats[0],
                firstCopy.size(),
                decisionStats[1],
                decisionStats[2],
                committed[0],
                duplicateOutcomes,
                withoutOutcome,
                orphanOutcomes,
                all[0] - committed[0],
                List.copyOf(examples));
    }

    static void read(
            String bootstrapServers,
            PricingConfig config,
            String topic,
            boolean readCommitted,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrapServers, config, readCommitted)) {
            Map<TopicPartition, Long> end = TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!TopicReading.caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }

    static JsonNode json(String raw) {
        try {
            return Json.mapper().readTree(raw);
        } catch (IOException e) {
            throw new IllegalStateException("the job wrote a record that is not JSON: " + raw, e);
        }
    }
}
