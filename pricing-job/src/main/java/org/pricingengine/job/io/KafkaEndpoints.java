package org.pricingengine.job.io;

import java.time.Instant;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.features.privacy.PseudonymKey;
import org.pricingengine.features.validation.EventParser;
import org.pricingengine.features.validation.ValidationRules;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.config.PricingConfig.Delivery;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.scoring.ServingControl;
import org.pricingengine.job.scoring.ServingReport;

/** Builds the job's Kafka sources and sinks from the configuration. */
public final class KafkaEndpoints {
    private KafkaEndpoints() {}

    public static PricingSources sources(PricingConfig config) {
        EventParser parser = new EventParser(validationRules(config));
        int maxChars = config.get(PricingConfig.DEAD_LETTER_MAX_CHARS);
        // User ids become pseudonyms as they are read: nothing after the sources sees a raw one.
        PseudonymKey userIdKey = userIdKey(config);
        return new PricingSources(
                        source(
                                config,
                                config.get(PricingConfig.TOPIC_BEHAVIOUR),
                                new InboundRecordDeserializer(InputTopic.BEHAVIOUR_EVENTS, parser, maxChars, userIdKey),
                                Fetching.BATCHED),
                        source(
                                config,
                                config.get(PricingConfig.TOPIC_CATALOG),
                                new InboundRecordDeserializer(InputTopic.CATALOG_UPDATES, parser, maxChars),
                                // Fetched record by record, the catalog's fetcher cost 2.2 times as much
                                // (BENCHMARKS.md).
                                Fetching.BATCHED),
                        source(
                                config,
                                config.get(PricingConfig.TOPIC_REQUESTS),
                                new InboundRecordDeserializer(InputTopic.PRICE_REQUESTS, parser, maxChars, userIdKey),
                                Fetching.AT_ONCE),
                        config.get(PricingConfig.LEARNING_ENABLED) ? feedbackReadBack(config) : null,
                        config.get(PricingConfig.TOPIC_MODEL_CONTROL).isBlank() ? null : servingControl(config))
                .withCompetitorPrices(
                        config.get(PricingConfig.TOPIC_COMPETITOR_PRICES).isBlank()
                                ? null
                                : source(
                                        config,
                                        config.get(PricingConfig.TOPIC_COMPETITOR_PRICES),
                                        new InboundRecordDeserializer(InputTopic.COMPETITOR_PRICES, parser, maxChars),
                                        Fetching.BATCHED))
                .withErasureRequests(erasureRequests(config, parser, maxChars, userIdKey));
    }

    /**
     * Where the tasks read the key of the user-id pseudonyms; null when ids stay raw. Read once here, so a
     * job without a usable key fails where it is built, before it is submitted, with a message that names
     * where the key was looked for and never the key.
     *
     * @throws IllegalArgumentException pseudonymous ids without a usable key
     */
    public static PseudonymKey userIdKey(PricingConfig config) {
        if (config.get(PricingConfig.USER_IDS) != PricingConfig.UserIds.PSEUDONYMOUS) {
            return null;
        }
        PseudonymKey key =
                new PseudonymKey(config.get(PricingConfig.USER_ID_KEY_FILE), config.get(PricingConfig.USER_ID_KEY_ENV));
        try {
            key.load();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "option 'privacy.user-ids' is pseudonymous but there is no usable key: " + e.getMessage());
        }
        return key;
    }

    /**
     * The erasure-request topic, null when switched off. Read like the inputs (same starting offsets,
     * dead letters for bad records), a record at a time: an erasure waits for nothing.
     */
    static KafkaSource<InboundRecord> erasureRequests(
            PricingConfig config, EventParser parser, int maxChars, PseudonymKey userIdKey) {
        String topic = config.get(PricingConfig.TOPIC_ERASURE);
        return topic.isBlank()
                ? null
                : source(
                        config,
                        topic,
                        new InboundRecordDeserializer(InputTopic.ERASURE_REQUESTS, parser, maxChars, userIdKey),
                        Fetching.AT_ONCE);
    }

    /**
     * The model-control topic. Read from the beginning on a fresh start (compacted: the last serving state
     * asked for is there), from the checkpoint's offsets after a restore; records older than what serves
     * are ignored by revision. Every scoring subtask gets every record (broadcast).
     */
    static KafkaSource<ServingControl> servingControl(PricingConfig config) {
        Properties props = config.kafkaClientProperties();
        props.putIfAbsent("fetch.max.wait.ms", "500");
        String group = config.get(PricingConfig.GROUP_ID) + "-model-control";
        KafkaSourceBuilder<ServingControl> builder = KafkaSource.<ServingControl>builder()
                .setBootstrapServers(config.get(PricingConfig.BOOTSTRAP_SERVERS))
                .setTopics(config.get(PricingConfig.TOPIC_MODEL_CONTROL))
                .setGroupId(group)
                .setClientIdPrefix(group)
                .setDeserializer(new ServingControlDeserializer())
                .setProperties(props)
                .setStartingOffsets(OffsetsInitializer.earliest());
        if (config.get(PricingConfig.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * The job's own feedback topic, committed outcomes only (an outcome of an aborted transaction never
     * happened), for the price-response learner. Its own consumer group; without a checkpoint it starts
     * from the committed offsets or the earliest, so a new deployment learns from the history the topic
     * still holds.
     */
    static KafkaSource<FeedbackOutcome> feedbackReadBack(PricingConfig config) {
        Properties props = config.kafkaClientProperties();
        props.setProperty("isolation.level", "read_committed");
        props.putIfAbsent("fetch.min.bytes", "32768");
        props.putIfAbsent("fetch.max.wait.ms", "100");
        String group = config.get(PricingConfig.GROUP_ID) + "-learner";
        KafkaSourceBuilder<FeedbackOutcome> builder = KafkaSource.<FeedbackOutcome>builder()
                .setBootstrapServers(config.get(PricingConfig.BOOTSTRAP_SERVERS))
                .setTopics(config.get(PricingConfig.TOPIC_FEEDBACK))
                .setGroupId(group)
                .setClientIdPrefix(group)
                .setDeserializer(new FeedbackOutcomeDeserializer())
                .setProperties(props)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        if (config.get(PricingConfig.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** How a source's consumer trades fetches (broker and job CPU) for latency. */
    private enum Fetching {
        /** Each fetch returns as soon as a record is there: for what a waiting shopper's decision needs. */
        AT_ONCE,
        /** Fetches wait up to 10 ms for 32 KB: for topics read for state, at most 10 ms behind. */
        BATCHED
    }

    public static ValidationRules validationRules(PricingConfig config) {
        return new ValidationRules(
                config.get(PricingConfig.MAX_RECORD_BYTES),
                ValidationRules.DEFAULTS.maxIdLength(),
                Instant.parse(config.get(PricingConfig.EARLIEST_EVENT_TIME)).toEpochMilli(),
                config.get(PricingConfig.MAX_FUTURE_SKEW).toMillis(),
                ValidationRules.DEFAULTS.maxPrice());
    }

    private static KafkaSource<InboundRecord> source(
            PricingConfig config, String topic, InboundRecordDeserializer deserializer, Fetching fetching) {
        Properties props = config.kafkaClientProperties();
        switch (fetching) {
            case AT_ONCE -> {
                // A waiting fetch returns as soon as one record is there; an idle topic costs two fetches a second.
                props.putIfAbsent("fetch.max.wait.ms", "500");
            }
            case BATCHED -> {
                // Fewer, fuller fetches; at most 10 ms later than one record at a time.
                props.putIfAbsent("fetch.min.bytes", "32768");
                props.putIfAbsent("fetch.max.wait.ms", "10");
            }
        }
        KafkaSourceBuilder<InboundRecord> builder = KafkaSource.<InboundRecord>builder()
                .setBootstrapServers(config.get(PricingConfig.BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(config.get(PricingConfig.GROUP_ID))
                .setClientIdPrefix(config.get(PricingConfig.GROUP_ID) + "-" + topic)
                .setDeserializer(deserializer)
                .setProperties(props)
                .setStartingOffsets(
                        switch (config.get(PricingConfig.STARTING_OFFSETS)) {
                            case EARLIEST -> OffsetsInitializer.earliest();
                            case LATEST -> OffsetsInitializer.latest();
                            case COMMITTED_OR_EARLIEST ->
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                        });
        if (config.get(PricingConfig.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static PricingSinks sinks(PricingConfig config) {
        return new PricingSinks(
                sink(
                        config,
                        new JsonRecordSerializer<PriceDecision>(
                                config.get(PricingConfig.TOPIC_DECISIONS), PriceDecision::userId),
                        "1",
                        config.get(PricingConfig.DELIVERY_DECISIONS),
                        "decisions"),
                publishedDecisions(config),
                // Outcomes and dead letters wait for nobody: batch them.
                sink(
                        config,
                        new JsonRecordSerializer<FeedbackOutcome>(
                                config.get(PricingConfig.TOPIC_FEEDBACK), FeedbackOutcome::userId),
                        "50",
                        config.get(PricingConfig.DELIVERY_FEEDBACK),
                        "feedback"),
                sink(
                        config,
                        new JsonRecordSerializer<DeadLetter>(
                                config.get(PricingConfig.TOPIC_DEAD_LETTERS), DeadLetter::sourceTopic),
                        "50",
                        Delivery.AT_LEAST_ONCE,
                        "dead-letters"),
                config.get(PricingConfig.TOPIC_DECISION_FEATURES).isBlank()
                        ? null
                        : sink(
                                config,
                                new JsonRecordSerializer<DecisionFeatures>(
                                        config.get(PricingConfig.TOPIC_DECISION_FEATURES),
                                        DecisionFeatures::decisionId),
                                "50",
                                Delivery.AT_LEAST_ONCE,
                                "decision-features"),
                config.get(PricingConfig.TOPIC_MODEL_CONTROL).isBlank()
                        ? null
                        : sink(
                                config,
                                new JsonRecordSerializer<ServingReport>(
                                        config.get(PricingConfig.TOPIC_MODEL_SERVING),
                                        r -> Integer.toString(r.subtask())),
                                "0",
                                Delivery.AT_LEAST_ONCE,
                                "model-serving"));
    }

    /**
     * Where the policy reads back what it published after a restore; null when decisions are
     * exactly-once (a restart aborts what was not committed, so there is nothing to re-issue).
     */
    static PublishedDecisions publishedDecisions(PricingConfig config) {
        if (config.get(PricingConfig.DELIVERY_DECISIONS) != Delivery.AT_LEAST_ONCE) {
            return null;
        }
        return new PublishedDecisions(
                config.get(PricingConfig.BOOTSTRAP_SERVERS),
                config.get(PricingConfig.TOPIC_DECISIONS),
                config.kafkaClientProperties(),
                java.time.Duration.ofMinutes(2));
    }

    private static <T> KafkaSink<T> sink(
            PricingConfig config, JsonRecordSerializer<T> serializer, String lingerMs, Delivery delivery, String name) {
        Properties props = config.kafkaClientProperties();
        // Decisions are waited for by a shopper: sent at once rather than batched for throughput.
        props.putIfAbsent("linger.ms", lingerMs);
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(config.get(PricingConfig.BOOTSTRAP_SERVERS))
                .setRecordSerializer(serializer);
        if (delivery == Delivery.EXACTLY_ONCE) {
            // Flink's default (1 h) exceeds what brokers allow by default (15 min): InitProducerId would fail.
            props.putIfAbsent(
                    "transaction.timeout.ms",
                    Long.toString(config.get(PricingConfig.TRANSACTION_TIMEOUT).toMillis()));
            builder.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix(config.get(PricingConfig.TRANSACTIONAL_ID_PREFIX) + "-" + name);
        } else {
            builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return builder.setKafkaProducerConfig(props).build();
    }
}
