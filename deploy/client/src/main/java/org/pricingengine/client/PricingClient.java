package org.pricingengine.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The storefront's way to ask the pricing job for prices over Kafka: sends a price request (keyed by user
 * id) and waits for the decision with the same request id on the decisions topic, until a deadline; without
 * a decision by then the query's list price is the answer, marked as the client's fallback.
 *
 * <p>One reader thread serves every waiting request: it reads all partitions of the decisions topic
 * (assigned, no consumer group, so any number of storefront instances each see every decision) and
 * completes the waiting request a decision names; decisions for requests it does not wait for are
 * skipped. It starts at the end of the topic, and the constructor returns only once that position is
 * fixed, so no decision of a request sent afterwards can be missed. Waiting requests are bounded; above the
 * bound a query is answered with its list price at once.
 *
 * <p>Every Kafka client setting comes from the properties given (bootstrap servers, {@code
 * security.protocol}, {@code sasl.*}, {@code ssl.*}, ...): they go to both the producer and the reader as
 * they are; only the serializers, and the reader's group and offset handling, are the client's own.
 * Thread-safe; close it once at shutdown.
 */
public final class PricingClient implements AutoCloseable {
    /** What a storefront page can afford to wait by default. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(500);

    public static final int DEFAULT_MAX_PENDING = 10_000;

    private final Topics topics;
    private final Duration deadline;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> reader;
    private final Thread readerThread;
    private final ScheduledThreadPoolExecutor deadlines;
    private final ConcurrentHashMap<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private final Map<String, Boolean> givenUp;
    private final ClientMetrics metrics = new ClientMetrics();
    private final CompletableFuture<Void> readerReady = new CompletableFuture<>();
    private volatile boolean closed;
    private volatile Throwable readerFailure;

    private record Waiting(PriceQuery query, long sentAtNanos, CompletableFuture<Quote> answer) {}

    private PricingClient(Builder b) throws TimeoutException {
        this.topics = b.topics;
        this.deadline = b.deadline;
        this.slots = new Semaphore(b.maxPending);
        int remembered = b.maxPending;
        this.givenUp = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > remembered;
            }
        });

        Map<String, Object> producerProps = new LinkedHashMap<>();
        // Kafka 4 waits 5 ms by default to batch; a shopper is waiting, so send at once unless told otherwise.
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producerProps.putAll(b.kafka);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        Map<String, Object> readerProps = new LinkedHashMap<>(b.kafka);
        // Assigned partitions, own positions: nothing to commit, no group to join or rebalance.
        readerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        readerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        readerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        readerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        readerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        this.producer = new KafkaProducer<>(producerProps);
        try {
            this.reader = new KafkaConsumer<>(readerProps);
        } catch (RuntimeException badSettings) {
            producer.close(Duration.ZERO);
            throw badSettings;
        }
        this.deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pricing-client-deadlines");
            t.setDaemon(true);
            return t;
        });
        // Answered requests take their deadline task out of the queue, which stays as small as the waiting.
        deadlines.setRemoveOnCancelPolicy(true);
        this.readerThread = new Thread(() -> readDecisions(b.startTimeout), "pricing-client-decisions");
        readerThread.setDaemon(true);
        readerThread.start();
        try {
            readerReady.get(b.startTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            // The first request must not wait for the requests topic's metadata either.
            producer.partitionsFor(topics.priceRequests());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (ExecutionException e) {
            close();
            throw new IllegalStateException(
                    "cannot read " + topics.priceDecisions() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Asks for a price; the answer comes by the client's deadline. */
    public CompletableFuture<Quote> requestPrice(PriceQuery query) {
        return requestPrice(query, deadline);
    }

    /**
     * Asks for a price with this deadline. The future always completes with a quote, never exceptionally:
     * the decision, or the list price as the client's fallback (deadline passed, too many waiting, send
     * failed, client closed or its reader failed).
     *
     * @throws IllegalArgumentException if a request with this id is already waiting
     */
    public CompletableFuture<Quote> requestPrice(PriceQuery query, Duration timeout) {
        Objects.requireNonNull(query, "query");
        metrics.requested();
        if (closed) {
            return fellBack(query, Quote.ClientFallback.CLOSED, 0);
        }
        if (readerFailure != null) {
            return fellBack(query, Quote.ClientFallback.UNAVAILABLE, 0);
        }
        if (!slots.tryAcquire()) {
            return fellBack(query, Quote.ClientFallback.OVERLOADED, 0);
        }
        Waiting w = new Waiting(query, System.nanoTime(), new CompletableFuture<>());
        if (waiting.putIfAbsent(query.requestId(), w) != null) {
            slots.release();
            throw new IllegalArgumentException("a request with id " + query.requestId() + " is already waiting");
        }
        ScheduledFuture<?> expiry;
        try {
            expiry = deadlines.schedule(
                    () -> {
                        if (w.answer.complete(
                                Quote.fallback(query, Quote.ClientFallback.TIMEOUT, timeout.toMillis()))) {
                            givenUp.put(query.requestId(), Boolean.TRUE);
                        }
                    },
                    timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // close() ran between the check above and now: nobody would answer this request.
            waiting.remove(query.requestId(), w);
            slots.release();
            return fellBack(query, Quote.ClientFallback.CLOSED, 0);
        }
        // The caller gets the stage after the bookkeeping: metrics and slots are up to date when it sees the quote.
        CompletableFuture<Quote> answered = w.answer.whenComplete((quote, error) -> {
            expiry.cancel(false);
            if (waiting.remove(query.requestId(), w)) {
                slots.release();
            }
            if (quote != null && quote.clientFallback() != null) {
                metrics.fellBack(quote.clientFallback());
            } else if (quote != null) {
                metrics.decided(
                        quote.decision().fallback(), TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - w.sentAtNanos));
            }
        });
        PriceRequest request = query.toRequest(Instant.now());
        try {
            producer.send(
                    new ProducerRecord<>(topics.priceRequests(), request.userId(), Wire.toBytes(request)),
                    (metadata, error) -> {
                        if (error != null) {
                            w.answer.complete(
                                    Quote.fallback(query, Quote.ClientFallback.SEND_FAILED, elapsedMs(w.sentAtNanos)));
                        }
                    });
        } catch (RuntimeException e) {
            w.answer.complete(Quote.fallback(query, Quote.ClientFallback.SEND_FAILED, elapsedMs(w.sentAtNanos)));
        }
        return answered;
    }

    /** Asks and waits: the decision, or the list price once the deadline has passed. */
    public Quote quote(PriceQuery query) {
        return requestPrice(query).join();
    }

    /**
     * Publishes a catalog entry (keyed by item id: the topic is compacted). The retailer's catalog service
     * does this in a real shop; demos and tests use it to describe the items they ask for.
     */
    public CompletableFuture<Void> publishCatalogUpdate(CatalogUpdate update) {
        return send(topics.catalogUpdates(), update.itemId(), Wire.toBytes(update));
    }

    /** Publishes what a shopper did (keyed by user id): views, carts and purchases feed the job's learning. */
    public CompletableFuture<Void> publishBehaviourEvent(BehaviourEvent event) {
        return send(topics.behaviourEvents(), event.userId(), Wire.toBytes(event));
    }

    private CompletableFuture<Void> send(String topic, String key, byte[] value) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                sent.completeExceptionally(error);
            } else {
                sent.complete(null);
            }
        });
        return sent;
    }

    public ClientMetrics.Snapshot metrics() {
        return metrics.snapshot(waiting.size());
    }

    public Topics topics() {
        return topics;
    }

    /** Why the decisions reader stopped, or null while it runs. */
    public Throwable failure() {
        return readerFailure;
    }

    private CompletableFuture<Quote> fellBack(PriceQuery query, Quote.ClientFallback why, long ms) {
        metrics.fellBack(why);
        return CompletableFuture.completedFuture(Quote.fallback(query, why, ms));
    }

    private static long elapsedMs(long sinceNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    private void readDecisions(Duration startTimeout) {
        try {
            List<PartitionInfo> infos = reader.partitionsFor(topics.priceDecisions(), startTimeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topics.priceDecisions() + " does not exist");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            reader.assign(partitions);
            reader.seekToEnd(partitions);
            // seekToEnd is lazy: ask for each position now, so the end is fixed before any request goes out.
            for (TopicPartition tp : partitions) {
                reader.position(tp, startTimeout);
            }
            readerReady.complete(null);
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofSeconds(1))) {
                    onDecision(r.value());
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                fail(e);
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            readerReady.completeExceptionally(new IllegalStateException("decisions reader stopped"));
            reader.close(Duration.ofSeconds(5));
        }
    }

    private void fail(Throwable t) {
        readerFailure = t;
        readerReady.completeExceptionally(t);
        for (Waiting w : List.copyOf(waiting.values())) {
            w.answer.complete(Quote.fallback(w.query, Quote.ClientFallback.UNAVAILABLE, elapsedMs(w.sentAtNanos)));
        }
    }

    private void onDecision(byte[] value) {
        if (value == null) {
            metrics.unreadable();
            return;
        }
        String json = new String(value, StandardCharsets.UTF_8);
        PriceDecision decision;
        try {
            JsonNode node = Wire.mapper().readTree(json);
            decision = Wire.mapper().treeToValue(node, PriceDecision.class);
        } catch (IOException | IllegalArgumentException e) {
            metrics.unreadable();
            return;
        }
        if (decision == null || decision.requestId() == null) {
            metrics.unreadable();
            return;
        }
        Waiting w = waiting.get(decision.requestId());
        // A request id names one request only together with its user and item (the job's decision id).
        if (w == null
                || !w.query.userId().equals(decision.userId())
                || !w.query.itemId().equals(decision.itemId())) {
            if (givenUp.remove(decision.requestId()) != null) {
                metrics.late();
            } else {
                metrics.unmatched();
            }
            return;
        }
        if (!w.answer.complete(Quote.decided(w.query, decision, json, elapsedMs(w.sentAtNanos)))) {
            metrics.late();
        }
    }

    /**
     * Stops reading, answers every waiting request with its list price ({@code CLOSED}), and closes the
     * producer after sending what it holds.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // From here on no deadline can be scheduled: a request racing with close() is answered CLOSED at once.
        deadlines.shutdown();
        reader.wakeup();
        try {
            readerThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Waiting w : List.copyOf(waiting.values())) {
            w.answer.complete(Quote.fallback(w.query, Quote.ClientFallback.CLOSED, elapsedMs(w.sentAtNanos)));
        }
        deadlines.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }

    /** The client's settings. */
    public static final class Builder {
        private final Map<String, Object> kafka = new LinkedHashMap<>();
        private Topics topics = Topics.DEFAULT;
        private Duration deadline = DEFAULT_DEADLINE;
        private int maxPending = DEFAULT_MAX_PENDING;
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            kafka.put("bootstrap.servers", servers);
            return this;
        }

        /**
         * Kafka client settings, passed to the producer and the reader as they are: {@code security.protocol},
         * {@code sasl.*}, {@code ssl.*}, timeouts, ... (e.g. a client.properties file loaded into Properties).
         */
        public Builder kafkaProperties(Map<?, ?> properties) {
            properties.forEach((k, v) -> kafka.put(String.valueOf(k), v));
            return this;
        }

        public Builder kafkaProperty(String key, Object value) {
            kafka.put(key, value);
            return this;
        }

        public Builder topics(Topics topics) {
            this.topics = Objects.requireNonNull(topics);
            return this;
        }

        /** How long a request waits for its decision before the list price is shown (default 500 ms). */
        public Builder deadline(Duration deadline) {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive");
            }
            this.deadline = deadline;
            return this;
        }

        /** Requests that may wait at once; more are answered with their list price (default 10,000). */
        public Builder maxPending(int maxPending) {
            if (maxPending <= 0) {
                throw new IllegalArgumentException("maxPending must be positive");
            }
            this.maxPending = maxPending;
            return this;
        }

        /** How long the constructor may take to find the decisions topic and its end (default 30 s). */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Connects and positions the reader at the end of the decisions topic.
         *
         * @throws IllegalStateException if the decisions topic cannot be read
         * @throws TimeoutException if that takes longer than the start timeout
         */
        public PricingClient build() throws TimeoutException {
            if (!kafka.containsKey("bootstrap.servers")) {
                throw new IllegalArgumentException("bootstrap.servers is not set");
            }
            return new PricingClient(this);
        }
    }
}
