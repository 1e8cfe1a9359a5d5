package org.pricingengine.tools.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.rees46.Rees46Converter;
import org.pricingengine.features.rees46.Rees46Reader;
import org.pricingengine.features.rees46.Rees46Row;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.job.config.PricingConfig;

/**
 * Replays a REES46-format log into the job's input topics: behaviour events, catalog updates, and a
 * price request for every view (see {@link Rees46Converter}). Rows go out at a fixed rate, whatever
 * their original spacing; event times stay as logged. Optionally slips in malformed records, to show
 * the dead-letter path.
 */
public final class Rees46Replayer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String behaviourTopic;
    private final String catalogTopic;
    private final String requestTopic;
    private final String competitorTopic;

    public final AtomicLong rowsSent = new AtomicLong();
    public final AtomicLong requestsSent = new AtomicLong();
    public final AtomicLong behaviourSent = new AtomicLong();
    public final AtomicLong catalogSent = new AtomicLong();
    public final AtomicLong malformedSent = new AtomicLong();
    /** Sees every record sent, after it is sent (e.g. a feed that reacts to the catalog). */
    private java.util.function.Consumer<ReplayRecord> onSent = r -> {};

    public Rees46Replayer(String bootstrapServers, PricingConfig topics) {
        Properties p = new Properties();
        p.putAll(topics.kafkaClientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p);
        this.behaviourTopic = topics.get(PricingConfig.TOPIC_BEHAVIOUR);
        this.catalogTopic = topics.get(PricingConfig.TOPIC_CATALOG);
        this.requestTopic = topics.get(PricingConfig.TOPIC_REQUESTS);
        this.competitorTopic = topics.get(PricingConfig.TOPIC_COMPETITOR_PRICES);
    }

    /**
     * Sends the file's rows at {@code rowsPerSecond} (0 = as fast as possible), stopping after
     * {@code maxRows} rows (0 = all). Every {@code malformedEvery}-th row (0 = never) is followed by a
     * malformed record from {@code malformed}.
     */
    public void replay(
            Path csv, double rowsPerSecond, long maxRows, int malformedEvery, IntFunction<MalformedRecord> malformed)
            throws IOException, InterruptedException {
        replay(csv, rowsPerSecond, maxRows, malformedEvery, malformed, 0, () -> {}, List.of());
    }

    /**
     * As above; after {@code pauseAfterRows} rows (0 = never) it flushes and runs {@code pause} before going
     * on, and it sends the {@code scripted} records among the file's rows at their event time (each before
     * the first row at or after it, the rest at the end): appended after the file instead, a scripted
     * record would reach the job behind a watermark that the file's later rows have already moved past.
     */
    public void replay(
            Path csv,
            double rowsPerSecond,
            long maxRows,
            int malformedEvery,
            IntFunction<MalformedRecord> malformed,
            long pauseAfterRows,
            Runnable pause,
            List<ReplayRecord> scripted)
            throws IOException, InterruptedException {
        Rees46Converter converter = new Rees46Converter(Rees46Converter.sourceTagOf(csv));
        Deque<ReplayRecord> due = new ArrayDeque<>(scripted.stream()
                .sorted(Comparator.comparingLong(ReplayRecord::eventTimeMs))
                .toList());
        long start = System.nanoTime();
        long paceFrom = 0;
        try (Rees46Reader reader = new Rees46Reader(csv)) {
            while (reader.hasNext() && (maxRows <= 0 || rowsSent.get() < maxRows)) {
                Rees46Row row = reader.next();
                List<ReplayRecord> records = converter.convert(row);
                long rowTime =
                        records.isEmpty() ? Long.MIN_VALUE : records.get(0).eventTimeMs();
                while (!due.isEmpty() && due.peekFirst().eventTimeMs() <= rowTime) {
                    send(due.pollFirst());
                }
                for (ReplayRecord record : records) {
                    send(record);
                }
                long n = rowsSent.incrementAndGet();
                if (n == pauseAfterRows) {
                    producer.flush();
                    pause.run();
                    start = System.nanoTime();
                    paceFrom = n;
                }
                if (malformedEvery > 0 && n % malformedEvery == 0) {
                    MalformedRecord bad = malformed.apply((int) (n / malformedEvery));
                    // Keyed: the catalog topic is compacted and a compacted topic refuses records without a key.
                    producer.send(new ProducerRecord<>(
                            topicFor(bad.role()), ("malformed-" + n).getBytes(StandardCharsets.UTF_8), bad.value()));
                    malformedSent.incrementAndGet();
                }
                if (rowsPerSecond > 0) {
                    long dueAt = start + (long) ((n - paceFrom) * 1e9 / rowsPerSecond);
                    long wait = dueAt - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        }
        due.forEach(this::send);
        producer.flush();
    }

    /** {@code listener} sees every record this replayer sends, right after it is sent. */
    public void onSent(java.util.function.Consumer<ReplayRecord> listener) {
        this.onSent = listener;
    }

    public void send(ReplayRecord record) {
        byte[] key = record.key().getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topicFor(record.role()), key, Json.toBytes(record.value())));
        onSent.accept(record);
        switch (record.role()) {
            case REQUEST -> requestsSent.incrementAndGet();
            case BEHAVIOUR -> behaviourSent.incrementAndGet();
            case CATALOG -> catalogSent.incrementAndGet();
        }
    }

    public void flush() {
        producer.flush();
    }

    private String topicFor(ReplayRecord.Role role) {
        return switch (role) {
            case BEHAVIOUR -> behaviourTopic;
            case CATALOG -> catalogTopic;
            case REQUEST -> requestTopic;
            case COMPETITOR_PRICE -> competitorTopic;
        };
    }

    /** A deliberately broken record and the topic it goes to. */
    public record MalformedRecord(ReplayRecord.Role role, byte[] value) {}

    /** A small rotating set of the ways real producers get records wrong. */
    public static MalformedRecord sampleMalformed(int i) {
        List<MalformedRecord> samples = List.of(
                new MalformedRecord(
                        ReplayRecord.Role.BEHAVIOUR,
                        "{\"event_id\":\"x\",\"user_id\":".getBytes(StandardCharsets.UTF_8)),
                new MalformedRecord(
                        ReplayRecord.Role.BEHAVIOUR,
                        ("{\"event_id\":\"bad-" + i + "\",\"user_id\":\"u1\",\"item_id\":\"i1\","
                                        + "\"event_type\":\"click\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":1.0}")
                                .getBytes(StandardCharsets.UTF_8)),
                new MalformedRecord(
                        ReplayRecord.Role.BEHAVIOUR,
                        ("{\"event_id\":\"bad-" + i + "\",\"user_id\":\"u1\",\"item_id\":\"i1\","
                                        + "\"event_type\":\"view\",\"event_time\":\"2019-10-01T00:00:00Z\",\"price\":-4.5}")
                                .getBytes(StandardCharsets.UTF_8)),
                new MalformedRecord(
                        ReplayRecord.Role.REQUEST,
                        ("{\"request_id\":\"bad-" + i + "\",\"item_id\":\"5773203\","
                                        + "\"request_time\":\"2019-10-01T00:00:00Z\"}")
                                .getBytes(StandardCharsets.UTF_8)),
                new MalformedRecord(
                        ReplayRecord.Role.REQUEST,
                        ("{\"request_id\":\"bad-" + i + "\",\"user_id\":\"u1\",\"item_id\":\"5773203\","
                                        + "\"request_time\":\"1970-01-01T00:00:00Z\"}")
                                .getBytes(StandardCharsets.UTF_8)),
                new MalformedRecord(
                        ReplayRecord.Role.CATALOG,
                        ("{\"item_id\":\"i1\",\"list_price\":\"NaN\"," + "\"update_time\":\"2019-10-01T00:00:00Z\"}")
                                .getBytes(StandardCharsets.UTF_8)),
                new MalformedRecord(ReplayRecord.Role.REQUEST, new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}));
        return samples.get(i % samples.size());
    }

    @Override
    public void close() {
        producer.close();
    }
}
