package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.tools.local.TopicReading;

/**
 * The decisions the job wrote in a time window, read from the decisions topic as a consumer would
 * (no consumer group, nothing committed): how many per model version and arm, and how many fell back,
 * in particular because the model failed. A rollout compares a sample after the switch with one before.
 */
public final class DecisionSample {
    /** Fallbacks that mean the model (not the data) failed. */
    static final Set<ReasonCode> MODEL_FAILURES = EnumSet.of(
            ReasonCode.FALLBACK_MODEL_ERROR,
            ReasonCode.FALLBACK_MODEL_TIMEOUT,
            ReasonCode.FALLBACK_INVALID_MODEL_OUTPUT,
            ReasonCode.FALLBACK_CIRCUIT_OPEN);

    /** The figures a rollout records for a sample; counts by version, arm and reason in name order. */
    @JsonPropertyOrder({
        "decisions",
        "by_model_version",
        "by_arm",
        "fallback_rate",
        "model_failure_rate",
        "fallback_reasons"
    })
    public record Summary(
            @JsonProperty("decisions") long decisions,
            @JsonProperty("by_model_version") SortedMap<String, Long> byModelVersion,

            @JsonProperty("by_arm") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            SortedMap<String, Long> byArm,

            @JsonProperty("fallback_rate") double fallbackRate,
            @JsonProperty("model_failure_rate") double modelFailureRate,
            @JsonProperty("fallback_reasons") SortedMap<String, Long> fallbackReasons) {}

    private final Map<String, Long> byModelVersion = new TreeMap<>();
    private final Map<String, Long> byArm = new TreeMap<>();
    private final Map<String, Long> fallbackReasons = new TreeMap<>();
    private final Map<String, Long> modelFailuresByVersion = new TreeMap<>();
    private long decisions;
    private long fallbacks;
    private long modelFailures;

    public long decisions() {
        return decisions;
    }

    public Map<String, Long> byModelVersion() {
        return byModelVersion;
    }

    public Map<String, Long> byArm() {
        return byArm;
    }

    public double fallbackRate() {
        return decisions == 0 ? 0 : (double) fallbacks / decisions;
    }

    public double modelFailureRate() {
        return decisions == 0 ? 0 : (double) modelFailures / decisions;
    }

    /** Share of one model version's decisions that fell back because that model failed. */
    public double modelFailureRate(String version) {
        long n = byModelVersion.getOrDefault(version, 0L);
        return n == 0 ? 0 : (double) modelFailuresByVersion.getOrDefault(version, 0L) / n;
    }

    public Summary summary() {
        return new Summary(
                decisions,
                new TreeMap<>(byModelVersion),
                new TreeMap<>(byArm),
                Math.round(fallbackRate() * 10_000) / 10_000.0,
                Math.round(modelFailureRate() * 10_000) / 10_000.0,
                new TreeMap<>(fallbackReasons));
    }

    void add(JsonNode d) {
        decisions++;
        byModelVersion.merge(d.path("model_version").asText("?"), 1L, Long::sum);
        if (d.hasNonNull("arm")) {
            byArm.merge(d.path("arm").asText(), 1L, Long::sum);
        }
        if (d.path("fallback").asBoolean()) {
            fallbacks++;
            String reason = d.path("reason_codes").path(0).asText("?");
            fallbackReasons.merge(reason, 1L, Long::sum);
            if (isModelFailure(reason)) {
                modelFailures++;
                modelFailuresByVersion.merge(d.path("model_version").asText("?"), 1L, Long::sum);
            }
        }
    }

    /** Unknown codes (another job version's, or none) count as no model failure. */
    private static boolean isModelFailure(String reason) {
        return MODEL_FAILURES.stream().anyMatch(r -> r.code().equals(reason));
    }

    /**
     * Reads decisions whose Kafka timestamps fall in [fromMs, untilMs), stopping early once
     * {@code enough} of them are in (0: no limit) or the time budget runs out. With {@code untilMs} in
     * the future it waits for decisions still to come.
     */
    public static DecisionSample read(
            String bootstrapServers, PricingConfig config, long fromMs, long untilMs, long enough, Duration budget) {
        DecisionSample sample = new DecisionSample();
        long deadline = System.currentTimeMillis() + budget.toMillis();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrapServers, config, false)) {
            Map<TopicPartition, Long> end =
                    TopicReading.assignFrom(consumer, config.get(PricingConfig.TOPIC_DECISIONS), fromMs);
            boolean waitForMore = untilMs > System.currentTimeMillis();
            while (System.currentTimeMillis() < deadline && (enough <= 0 || sample.decisions < enough)) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.timestamp() >= fromMs && r.timestamp() < untilMs) {
                        sample.add(Json.mapper().readTree(r.value()));
                    }
                }
                if (!waitForMore && records.isEmpty() && TopicReading.caughtUp(consumer, end)) {
                    break;
                }
                if (waitForMore && System.currentTimeMillis() >= untilMs && records.isEmpty()) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the decisions topic holds a record that is not JSON", e);
        }
        return sample;
    }
}
