package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.flink.StateTtl;
import org.pricingengine.features.privacy.UserPseudonyms;
import org.pricingengine.features.state.RecentEventIds;
import org.pricingengine.features.state.UserBehaviour;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.AttributionWindow;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.QuoteMemo;

/**
 * Shoppers A and B view, are priced and cart items on a running job with pseudonymous user ids; then A
 * asks to be erased. Savepoints of the job, read with the State Processor API, show A in every operator
 * that keeps per-shopper state before the erasure and nowhere after it (neither the raw id nor the
 * pseudonym), while B is still everywhere. No raw id reaches a decision or an outcome, and a drained stop
 * writes outcomes for B's decisions only.
 */
class ErasureIT {
    private static final String KEY = "erasure-it-user-id-key-0123456789abcdef";
    private static final String A = "shopper-A-7f3";
    private static final String B = "shopper-B-2c9";
    private static final UserPseudonyms PSEUDONYMS = UserPseudonyms.withKey(KEY);

    /** Every operator that keeps state keyed by shopper (attribution: by shopper and item). */
    private static final List<String> PER_SHOPPER_UIDS = List.of(
            "behaviour-duplicates-and-late-events", "user-behaviour-state", "pricing-policy", "feedback-attribution");

    @TempDir
    static Path TEMP;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            // Two for the job under test, one for reading its savepoints.
            .setNumberSlotsPerTaskManager(3)
            .build());

    @Test
    void anErasedShopperIsNowhereInTheJobsStateAndOtherShoppersAreUntouched() throws Exception {
        TestTopics topics = new TestTopics("it-erasure");
        KAFKA.createTopics(2, topics.all());
        Path keyFile = TEMP.resolve("user-id.key");
        Files.writeString(keyFile, KEY + "\n");
        Map<String, String> options = new LinkedHashMap<>(topics.asOptions());
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), RepoPaths.models().toString());
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "1s");
        options.put(PricingConfig.PARALLELISM.key(), "2");
        options.put(PricingConfig.TRANSACTIONAL_ID_PREFIX.key(), "it-erasure");
        options.put(PricingConfig.USER_IDS.key(), "pseudonymous");
        options.put(PricingConfig.USER_ID_KEY_FILE.key(), keyFile.toString());
        PricingConfig config = PricingConfig.of(options);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobClient job = env.executeAsync("pricing-erasure-it");
        try {
            exerciseAndCheck(job, topics);
        } catch (Throwable t) {
            job.cancel().get(1, TimeUnit.MINUTES);
            throw t;
        }
    }

    private void exerciseAndCheck(JobClient job, TestTopics topics) throws Exception {

        String a = PSEUDONYMS.of(A);
        String b = PSEUDONYMS.of(B);
        Instant t0 = Instant.now().minusSeconds(600);
        try (KafkaProducer<String, String> producer = producer()) {
            for (String item : List.of("i-1", "i-2")) {
                send(
                        producer,
                        topics.catalog(),
                        item,
                        "{\"item_id\":\"" + item + "\",\"category\":\"c\",\"brand\":\"b\","
                                + "\"list_price\":20.0,\"update_time\":\"" + t0 + "\"}");
            }
            // Request and event ids name the shopper by a label only: no raw id may hide in them.
            for (String user : List.of(A, B)) {
                String label = label(user);
                send(producer, topics.behaviour(), user, event("v-" + label, user, "i-1", "view", t0.plusSeconds(10)));
                send(producer, topics.behaviour(), user, event("v2-" + label, user, "i-2", "view", t0.plusSeconds(11)));
                for (String item : List.of("i-1", "i-2")) {
                    send(
                            producer,
                            topics.requests(),
                            user,
                            "{\"request_id\":\"r-" + label + "-" + item
                                    + "\",\"user_id\":\"" + user + "\",\"item_id\":\"" + item + "\",\"request_time\":\""
                                    + t0.plusSeconds(20) + "\"}");
                }
            }
            producer.flush();
            List<String> decisions = awaitRecords(topics.decisions(), 4);
            for (String d : decisions) {
                assertFalse(d.contains(A) || d.contains(B), "a raw id in a decision: " + d);
                assertTrue(d.contains(a) || d.contains(b), "a decision names the pseudonym: " + d);
            }
            // Carts after the decisions: attribution holds them in the decisions' windows (1 h, still open).
            for (String user : List.of(A, B)) {
                send(
                        producer,
                        topics.behaviour(),
                        user,
                        event("c-" + label(user), user, "i-1", "cart", t0.plusSeconds(30)));
            }
            producer.flush();

            Map<String, String> before = awaitState(job, state -> PER_SHOPPER_UIDS.stream()
                    .allMatch(
                            uid -> state.get(uid).contains(a) && state.get(uid).contains(b)));
            for (String uid : PER_SHOPPER_UIDS) {
                assertTrue(before.get(uid).contains(a), uid + " holds A before the erasure: " + before.get(uid));
                assertFalse(before.get(uid).contains(A) || before.get(uid).contains(B), uid + " holds a raw id");
            }

            send(
                    producer,
                    topics.erasures(),
                    A,
                    "{\"erasure_id\":\"x-1\",\"user_id\":\"" + A + "\",\"request_time\":\""
                            + Instant.now().minusSeconds(1) + "\"}");
            send(producer, topics.erasures(), A, "{\"erasure_id\":\"x-2\",\"request_time\":\"" + Instant.now() + "\"}");
            producer.flush();

            Map<String, String> after = awaitState(job, state -> PER_SHOPPER_UIDS.stream()
                    .noneMatch(uid -> state.get(uid).contains(a)));
            for (String uid : PER_SHOPPER_UIDS) {
                System.out.println("erasure: " + uid + " keys before "
                        + before.get(uid).lines().count() + ", after "
                        + after.get(uid).lines().count());
            }
            for (String uid : PER_SHOPPER_UIDS) {
                String held = after.get(uid);
                assertFalse(held.contains(a) || held.contains(A), uid + " still holds A after the erasure: " + held);
                assertTrue(held.contains(b), uid + " lost B: " + held);
            }
            List<String> deadLetters = awaitRecords(topics.deadLetters(), 1);
            assertTrue(
                    deadLetters.stream()
                            .anyMatch(d -> d.contains("MISSING_FIELD: user_id") && d.contains(topics.erasures())),
                    "the bad erasure request is a dead letter with its reason: " + deadLetters);
        }

        // Draining closes every attribution window: only B's decisions have an outcome, with no raw id.
        job.stopWithSavepoint(true, TEMP.resolve("final").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        List<String> outcomes = KAFKA.readAll(topics.feedback(), Map.of("isolation.level", "read_committed"));
        assertEquals(2, outcomes.size(), "B's two decisions: " + outcomes);
        for (String o : outcomes) {
            assertTrue(o.contains("\"user_id\":\"" + b + "\""), o);
            assertFalse(o.contains(A) || o.contains(B) || o.contains(a), o);
        }
        assertTrue(outcomes.stream().anyMatch(o -> o.contains("\"outcome\":\"cart\"")), "B's cart was attributed");
    }

    private static String label(String user) {
        return user.equals(A) ? "a" : "b";
    }

    private static String event(String id, String user, String item, String type, Instant at) {
        return "{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"item_id\":\"" + item
                + "\",\"event_type\":\"" + type + "\",\"event_time\":\"" + at + "\",\"price\":20.0}";
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, String value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    private static List<String> awaitRecords(String topic, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            List<String> records = KAFKA.readAll(topic);
            if (records.size() >= count) {
                return records;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(topic + ": " + records.size() + " of " + count + " records after 2 minutes");
            }
            Thread.sleep(500);
        }
    }

    /**
     * Savepoints of the running job until one's per-shopper state passes {@code done} (state moves through
     * the job in milliseconds, but the test cannot see when); gives the last one read after 2 minutes.
     */
    private static Map<String, String> awaitState(JobClient job, java.util.function.Predicate<Map<String, String>> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        int n = 0;
        while (true) {
            String path;
            try {
                path = job.triggerSavepoint(
                                TEMP.resolve("savepoint-" + n++).toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                // A task still starting (the exactly-once sinks set up their transactions) refuses the savepoint.
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(1000);
                continue;
            }
            Map<String, String> state = perShopperState(path);
            if (done.test(state) || System.nanoTime() > deadline) {
                return state;
            }
            Thread.sleep(1000);
        }
    }

    /** Each per-shopper uid's keys and values in the savepoint, as text. */
    private static Map<String, String> perShopperState(String savepoint) throws Exception {
        // Beside the running job, in the slot left free for it.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SavepointReader reader = SavepointReader.read(env, savepoint, new HashMapStateBackend());
        Map<String, String> state = new LinkedHashMap<>();
        for (String uid : PER_SHOPPER_UIDS) {
            List<String> entries = new ArrayList<>();
            try (CloseableIterator<String> it = reader.readKeyedState(
                            OperatorIdentifier.forUid(uid), new StateAsText(uid), Types.STRING, Types.STRING)
                    .executeAndCollect()) {
                it.forEachRemaining(entries::add);
            }
            state.put(uid, String.join("\n", entries));
        }
        return state;
    }

    /**
     * Registers the operator's keyed states by their names and types (as the job declares them, TTL
     * included) and writes each key with everything held under it.
     */
    static final class StateAsText extends KeyedStateReaderFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private final String uid;
        private transient List<ValueState<?>> values;
        private transient List<MapState<?, ?>> maps;

        StateAsText(String uid) {
            this.uid = uid;
        }

        @Override
        public void open(OpenContext context) {
            values = new ArrayList<>();
            maps = new ArrayList<>();
            switch (uid) {
                case "behaviour-duplicates-and-late-events" ->
                    values.add(getRuntimeContext()
                            .getState(withTtl(new ValueStateDescriptor<>("recent-event-ids", RecentEventIds.class))));
                case "user-behaviour-state" ->
                    values.add(getRuntimeContext()
                            .getState(withTtl(new ValueStateDescriptor<>("user-behaviour", UserBehaviour.class))));
                case "pricing-policy" -> {
                    maps.add(getRuntimeContext()
                            .getMapState(withTtl(
                                    new MapStateDescriptor<>("recent-quotes-by-item", String.class, QuoteMemo.class))));
                    maps.add(getRuntimeContext()
                            .getMapState(withTtl(new MapStateDescriptor<>(
                                    "published-decisions-by-id", String.class, PriceDecision.class))));
                    maps.add(getRuntimeContext()
                            .getMapState(
                                    withTtl(new MapStateDescriptor<>("decisions-by-id", String.class, String.class))));
                }
                case "feedback-attribution" -> {
                    values.add(getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("attribution-window", AttributionWindow.class)));
                    maps.add(getRuntimeContext()
                            .getMapState(new MapStateDescriptor<>(
                                    "decisions-awaiting-outcome", String.class, PriceDecision.class)));
                    maps.add(getRuntimeContext()
                            .getMapState(new MapStateDescriptor<>(
                                    "carts-and-purchases",
                                    String.class,
                                    org.pricingengine.features.events.BehaviourEvent.class)));
                }
                default -> throw new IllegalArgumentException("no per-shopper state known for " + uid);
            }
        }

        private static <S extends StateDescriptor<?, ?>> S withTtl(S descriptor) {
            descriptor.enableTimeToLive(StateTtl.afterLastWrite(Duration.ofDays(1)));
            return descriptor;
        }

        @Override
        public void readKey(String key, Context ctx, Collector<String> out) throws Exception {
            StringBuilder text = new StringBuilder(key);
            for (ValueState<?> v : values) {
                Object value = v.value();
                if (value != null) {
                    text.append(' ').append(Json.toJson(value));
                }
            }
            for (MapState<?, ?> m : maps) {
                Set<String> entries = new HashSet<>();
                for (Map.Entry<?, ?> e : m.entries()) {
                    entries.add(e.getKey() + "=" + Json.toJson(e.getValue()));
                }
                if (!entries.isEmpty()) {
                    text.append(' ').append(entries);
                }
            }
            text.append(" timers=").append(ctx.registeredEventTimeTimers());
            out.collect(text.toString());
        }
    }
}
