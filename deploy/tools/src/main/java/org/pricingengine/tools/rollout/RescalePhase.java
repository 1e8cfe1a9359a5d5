package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.CanaryArms;
import org.pricingengine.tools.local.Rees46Replayer;
import org.pricingengine.tools.local.TopicReading;

/**
 * The rollout scenario's last phase: the running deployment rescaled from {@link #PARALLELISM} to
 * {@link #SCALED_UP} subtasks and back on a cluster of {@link #TASK_MANAGERS} TaskManagers while traffic
 * flows, each rescale a savepoint restored at the new parallelism ({@link ModelRollout#rescale}), which
 * moves every shopper's keyed state to another subtask, and often to another TaskManager process. Then it
 * checks what moving keys could break: every request still decided, repeated decisions identical, the
 * probe shoppers seen with the same history, each shopper still on the arm the canary split gives him,
 * and requests decided before the rescales, asked again with the same request_id (a client retry), given
 * the very decision they were given before. It also measures how long storefronts waited ({@link
 * DecisionGap}).
 */
public final class RescalePhase {
    /** TaskManager processes of the scenario's cluster, 2 slots each by default: room for 4 subtasks. */
    static final int TASK_MANAGERS = 2;

    /** The job's parallelism from its submission, and back to it after the phase. */
    static final int PARALLELISM = 2;

    static final int SCALED_UP = 4;

    /** Already-decided requests asked again after the rescales, each from another shopper. */
    static final int REISSUES = 20;

    /**
     * Traffic for when the scenario's own log is through before the phase ends: the cosmetics shop's rows
     * from this day on (real REES46 rows, event times after the multi-category log's, so they do not
     * arrive behind its watermark).
     */
    private static final String FOLLOW_ON_LOG = "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv";

    private static final String FOLLOW_ON_FROM = "2019-10-31";
    private static final String PROBE_USER_PREFIX = "rollout-probe-";
    private static final Duration REISSUE_WAIT = Duration.ofSeconds(90);

    /** One round of the scenario's probe shoppers: per shopper, the history its decision saw. */
    interface ProbeRound {
        Map<String, Integer> ask(String round) throws InterruptedException;
    }

    /**
     * What the phase found, unwrapped into the scenario's {@code rollout: {json}} line. {@code
     * rescale_missing}: requests of the whole run without a decision; {@code rescale_duplicate_decisions}
     * and {@code rescale_differing_duplicates}: decision records published during the phase under a
     * decision id already published, and those of them that are not byte for byte the copy published just
     * before them (the rollbacks earlier in the scenario price some requests again on purpose); {@code
     * rescale_decisions} and {@code rescale_wrong_arm}: decisions published from the first rescaled job's
     * start on, and those whose model version or arm is not the canary split's for their shopper; {@code
     * reissued_requests}, {@code reissues_identical}: decided requests sent again after the rescales and the
     * answers that are the original decision byte for byte; {@code rescale_gap_s}: the longest stretch with
     * requests waiting and no decision published over both rescales ({@code rescale_steps}: each step's
     * {@link DecisionGap.Figures}, from its command to the end of its health check).
     */
    @JsonPropertyOrder({
        "rescale_up_outcome",
        "rescale_down_outcome",
        "rescale_problems",
        "rescale_missing",
        "rescale_duplicate_decisions",
        "rescale_differing_duplicates",
        "probe_history_after_rescale",
        "rescale_probes_carried",
        "rescale_decisions",
        "rescale_wrong_arm",
        "reissued_requests",
        "reissues_identical",
        "reissues_differing",
        "rescale_gap_s",
        "rescale_steps",
        "rescale_seconds",
        "rescale_ok"
    })
    public record Result(
            @JsonProperty("rescale_up_outcome") String upOutcome,
            @JsonProperty("rescale_down_outcome") String downOutcome,

            @JsonProperty("rescale_problems") @JsonInclude(JsonInclude.Include.NON_NULL)
            List<List<String>> problems,

            @JsonProperty("rescale_missing") long missing,
            @JsonProperty("rescale_duplicate_decisions") long duplicateDecisions,
            @JsonProperty("rescale_differing_duplicates") long differingDuplicates,
            @JsonProperty("probe_history_after_rescale") Map<String, Integer> probeHistoryAfterRescale,
            @JsonProperty("rescale_probes_carried") boolean probesCarried,
            @JsonProperty("rescale_decisions") long decisions,
            @JsonProperty("rescale_wrong_arm") long wrongArm,
            @JsonProperty("reissued_requests") int reissuedRequests,
            @JsonProperty("reissues_identical") int reissuesIdentical,

            @JsonProperty("reissues_differing") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            List<String> reissuesDiffering,

            @JsonProperty("rescale_gap_s") double gapSeconds,
            @JsonProperty("rescale_steps") Map<String, DecisionGap.Figures> steps,
            @JsonProperty("rescale_seconds") long seconds,
            @JsonProperty("rescale_ok") boolean ok) {}

    private final ModelRollout rollout;
    private final String bootstrap;
    private final PricingConfig config;
    private final Path work;
    private final Path repo;
    private final double rate;
    private final String from;
    private final String to;
    private final double canaryShare;

    private long startedAtMs;
    private long seconds;
    private ModelRollout.Outcome up;
    private ModelRollout.Outcome down;
    private long rescaledAtMs;
    private final Map<String, DecisionGap.Window> steps = new LinkedHashMap<>();
    /** decision_id to the decision's JSON as first published, for the requests asked again. */
    private Map<String, String> originals = Map.of();
    /** decision_id to the JSON of the first decision published for it after it was asked again. */
    private Map<String, String> answers = Map.of();

    private Map<String, Integer> probes = Map.of();

    RescalePhase(
            ModelRollout rollout,
            String bootstrap,
            PricingConfig config,
            Path repo,
            Path work,
            double rate,
            String from,
            String to,
            double canaryShare) {
        this.rollout = rollout;
        this.bootstrap = bootstrap;
        this.config = config;
        this.repo = repo;
        this.work = work;
        this.rate = rate;
        this.from = from;
        this.to = to;
        this.canaryShare = canaryShare;
    }

    /**
     * Rescales up and back down while traffic flows, then asks again for decided requests and the probe
     * shoppers. {@code traffic} is the scenario's replay: when it is through, the phase's own follow-on
     * traffic takes over, so the health checks of the rescales have decisions to judge. The follow-on
     * traffic stops before this returns; the scenario's own is left to the scenario.
     *
     * @param currentSinceMs when the running deployment started: decisions picked to be asked again are
     *     from it, so it routes their requests the same way
     */
    void run(Thread traffic, long currentSinceMs, ProbeRound probeRound) throws Exception {
        startedAtMs = System.currentTimeMillis();
        Thread followOn = followOnTraffic(traffic);
        try {
            originals = pickDecided(currentSinceMs);
            Map<String, byte[]> requests = requestsOf(originals);

            long stepFromMs = System.currentTimeMillis();
            up = rollout.rescale(SCALED_UP);
            steps.put("up_to_" + SCALED_UP, new DecisionGap.Window(stepFromMs, System.currentTimeMillis()));
            rescaledAtMs = rollout.current().submittedAtMs();
            Deployment current = rollout.current();
            if (current.parallelism() != PARALLELISM) {
                stepFromMs = System.currentTimeMillis();
                down = rollout.rescale(PARALLELISM);
                steps.put("down_to_" + PARALLELISM, new DecisionGap.Window(stepFromMs, System.currentTimeMillis()));
            } else {
                // Refused or rolled back: the job still runs at the first parallelism, nothing to scale back.
                down = new ModelRollout.Outcome(
                        "rescale",
                        current.describe(),
                        current.describe(),
                        "NOT_RUN",
                        null,
                        current.jobId(),
                        List.of("the rescale to " + SCALED_UP + " did not take"),
                        ModelRollout.Figures.NONE);
            }

            answers = askAgain(requests);
            probes = probeRound.ask("after-rescale");
        } finally {
            followOn.interrupt();
            followOn.join(30_000);
            seconds = (System.currentTimeMillis() - startedAtMs) / 1000;
        }
    }

    /**
     * The figures, once every request of the run has its decision.
     *
     * @param sentRequests every request of the run, with its Kafka timestamp
     * @param steadyP99Ms the latency p99 of steady serving, what a waiting request is measured against
     * @param probeBefore the probe shoppers' history before any rollout
     */
    Result verdict(List<DecisionGap.Timed> sentRequests, long steadyP99Ms, Map<String, Integer> probeBefore) {
        Map<String, String> lastCopy = new HashMap<>();
        Set<String> decidedRequests = new HashSet<>();
        List<DecisionGap.Timed> decisions = new ArrayList<>();
        long[] counts = new long[4]; // duplicates and differing ones in the phase, decisions and wrong arm after
        RolloutScenario.readTopic(bootstrap, config, config.get(PricingConfig.TOPIC_DECISIONS), r -> {
            String raw = new String(r.value(), StandardCharsets.UTF_8);
            JsonNode d = json(raw);
            String requestId = d.path("request_id").asText();
            decidedRequests.add(requestId);
            decisions.add(new DecisionGap.Timed(requestId, r.timestamp()));
            String before = lastCopy.put(d.path("decision_id").asText(), raw);
            // Judged from the phase on, against the copy published just before: earlier in the scenario,
            // decisions of a candidate rolled back (automatically or on demand) are priced again by the
            // deployment restored, which is meant to differ (EarlierDecisions re-issues only what the running
            // deployment routes the same way). The phase runs one deployment: every repeat must be the same.
            if (before != null && r.timestamp() >= startedAtMs) {
                counts[0]++;
                if (!before.equals(raw)) {
                    counts[1]++;
                }
            }
            if (r.timestamp() >= rescaledAtMs) {
                counts[2]++;
                String user = d.path("user_id").asText();
                boolean canary = CanaryArms.inCanary(user, to, canaryShare);
                if (!d.path("model_version").asText().equals(canary ? to : from)
                        || !d.path("arm").asText().equals(canary ? CanaryArms.CANARY : CanaryArms.CONTROL)) {
                    counts[3]++;
                }
            }
        });
        long missing = sentRequests.stream()
                .map(DecisionGap.Timed::requestId)
                .distinct()
                .filter(id -> !decidedRequests.contains(id))
                .count();

        // A retry inside the quote TTL is answered from the policy's keyed state with the PriceDecision kept
        // when it was first decided (EarlierDecisions.kept), written by the same sink: no field is made
        // again, decision_time and latency_ms included, so the whole record must be the same bytes.
        int identical = 0;
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, String> e : originals.entrySet()) {
            String again = answers.get(e.getKey());
            if (e.getValue().equals(again)) {
                identical++;
            } else if (differing.size() < 3) {
                differing.add("first: " + e.getValue() + " again: " + again);
            }
        }

        DecisionGap measured = new DecisionGap(sentRequests, decisions);
        Map<String, DecisionGap.Figures> figures = new LinkedHashMap<>();
        steps.forEach((step, window) -> figures.put(step, measured.during(window, steadyP99Ms)));
        double gap = figures.values().stream()
                .mapToDouble(DecisionGap.Figures::gapSeconds)
                .max()
                .orElse(Double.NaN);

        boolean probesCarried =
                probes.equals(probeBefore) && probeBefore.values().stream().allMatch(n -> n > 0);
        boolean promoted = up.outcome().equals("PROMOTED") && down.outcome().equals("PROMOTED");
        boolean ok = promoted
                && missing == 0
                && counts[1] == 0
                && probesCarried
                && counts[2] > 0
                && counts[3] == 0
                && originals.size() == REISSUES
                && identical == originals.size();
        return new Result(
                up.outcome(),
                down.outcome(),
                promoted ? null : List.of(up.problems(), down.problems()),
                missing,
                counts[0],
                counts[1],
                probes,
                probesCarried,
                counts[2],
                counts[3],
                originals.size(),
                identical,
                differing,
                gap,
                figures,
                seconds,
                ok);
    }

    /**
     * Up to {@link #REISSUES} decisions of the running deployment, each for another real shopper and with
     * a price, the only decision published so far for their request: decision_id to their JSON.
     */
    private Map<String, String> pickDecided(long sinceMs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Map<String, String> byId = new LinkedHashMap<>();
            Map<String, Integer> copies = new HashMap<>();
            Map<String, String> candidates = new LinkedHashMap<>(); // decision_id to user
            try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrap, config, false)) {
                // From the beginning: a request the running deployment decided may have had a decision from an
                // earlier one before (priced again after a rollback); only requests decided once are asked again.
                var end = TopicReading.assignFrom(consumer, config.get(PricingConfig.TOPIC_DECISIONS), Long.MIN_VALUE);
                while (!TopicReading.caughtUp(consumer, end)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        String raw = new String(r.value(), StandardCharsets.UTF_8);
                        JsonNode d = json(raw);
                        String id = d.path("decision_id").asText();
                        String user = d.path("user_id").asText();
                        if (copies.merge(id, 1, Integer::sum) == 1
                                && r.timestamp() >= sinceMs
                                && d.hasNonNull("price")
                                && !user.startsWith(PROBE_USER_PREFIX)) {
                            byId.put(id, raw);
                            candidates.put(id, user);
                        }
                    }
                }
            }
            Map<String, String> picked = new LinkedHashMap<>();
            Set<String> users = new HashSet<>();
            for (Map.Entry<String, String> e : candidates.entrySet()) {
                if (picked.size() < REISSUES && copies.get(e.getKey()) == 1 && users.add(e.getValue())) {
                    picked.put(e.getKey(), byId.get(e.getKey()));
                }
            }
            if (picked.size() == REISSUES || System.nanoTime() > deadline) {
                return picked;
            }
            Thread.sleep(2_000);
        }
    }

    /** The request records the decisions answered, as they are on the requests topic: decision_id to bytes. */
    private Map<String, byte[]> requestsOf(Map<String, String> decisions) {
        Map<String, String> idOfRequest = new HashMap<>();
        decisions.forEach(
                (id, raw) -> idOfRequest.put(json(raw).path("request_id").asText(), id));
        Map<String, byte[]> requests = new LinkedHashMap<>();
        RolloutScenario.readTopic(bootstrap, config, config.get(PricingConfig.TOPIC_REQUESTS), r -> {
            String id = idOfRequest.get(json(new String(r.value(), StandardCharsets.UTF_8))
                    .path("request_id")
                    .asText());
            if (id != null) {
                requests.putIfAbsent(id, r.value());
            }
        });
        return requests;
    }

    /**
     * Sends the requests again, byte for byte and keyed by shopper as the replay sends them (a client
     * retrying), and waits for the decisions published for them since: decision_id to the first one's JSON.
     */
    private Map<String, String> askAgain(Map<String, byte[]> requests) throws InterruptedException {
        long sentAtMs = System.currentTimeMillis();
        Properties p = new Properties();
        p.putAll(config.kafkaClientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (byte[] request : requests.values()) {
                String user = json(new String(request, StandardCharsets.UTF_8))
                        .path("user_id")
                        .asText();
                producer.send(new ProducerRecord<>(
                        config.get(PricingConfig.TOPIC_REQUESTS), user.getBytes(StandardCharsets.UTF_8), request));
            }
        }
        Map<String, String> answered = new HashMap<>();
        long deadline = System.nanoTime() + REISSUE_WAIT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrap, config, false)) {
            TopicReading.assignFrom(consumer, config.get(PricingConfig.TOPIC_DECISIONS), sentAtMs);
            while (answered.size() < requests.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String raw = new String(r.value(), StandardCharsets.UTF_8);
                    String id = json(raw).path("decision_id").asText();
                    if (requests.containsKey(id)) {
                        answered.putIfAbsent(id, raw);
                    }
                }
            }
        }
        return answered;
    }

    /** Replays the follow-on log once the scenario's traffic is through, until interrupted. */
    private Thread followOnTraffic(Thread traffic) throws IOException {
        Path log = followOnLog();
        Thread t = new Thread(
                () -> {
                    // A replayer of its own: a replayer paces by the rows it has sent in all, the scenario's too.
                    try (Rees46Replayer replayer = new Rees46Replayer(bootstrap, config)) {
                        traffic.join();
                        System.out.println("scenario: the replayed log is through; follow-on traffic from " + log);
                        replayer.replay(log, rate, 0, 0, i -> null);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        System.err.println("scenario: follow-on replay failed: " + e);
                    }
                },
                "rescale-traffic");
        t.start();
        return t;
    }

    /** The follow-on rows, header included, in a file of the work dir (its name tags their request ids). */
    private Path followOnLog() throws IOException {
        Path log = work.resolve("cosmetics_" + FOLLOW_ON_FROM + "_on.csv");
        try (Stream<String> lines = Files.lines(repo.resolve(FOLLOW_ON_LOG))) {
            List<String> rows = new ArrayList<>();
            lines.forEach(line -> {
                if (rows.isEmpty() || line.compareTo(FOLLOW_ON_FROM) >= 0) {
                    rows.add(line);
                }
            });
            Files.write(log, rows);
        }
        return log;
    }

    private static JsonNode json(String raw) {
        try {
            return Json.mapper().readTree(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("a record is not JSON: " + raw, e);
        }
    }
}
