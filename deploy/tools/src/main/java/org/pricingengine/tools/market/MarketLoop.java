package org.pricingengine.tools.market;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.state.Hashing;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.policy.PricingPolicy;
import org.pricingengine.tools.evaluation.OffPolicyEvaluation;
import org.pricingengine.tools.evaluation.TargetPolicy;
import org.pricingengine.tools.local.CompetitorFeed;

/**
 * The market side of the closed loop, talking to the job only through Kafka. It replays the bundled
 * REES46 traffic ({@link MarketTemplate}) re-keyed to fresh shoppers on every pass, sends catalog
 * updates (unit cost = list x the world's cost ratio), views and a price request per view; reads the
 * decisions, and for each one draws what the shopper does at the quoted price from the world's truth
 * ({@link TrueDemand}): a purchase (after a cart, for a share of them), an abandoned cart (cart, then
 * remove) or nothing, sent back as behaviour events a little later in event time, so that the job's
 * feedback outcomes carry real consequences. Each decision is priced under the truth into the
 * {@link TruthLedger} along with what other policies would have earned.
 *
 * <p>Event time: at most {@code maxOutstanding} requests are waiting for a decision, and nothing is
 * sent with an event time more than half an attribution window past the oldest request still waiting:
 * the shopper's answer then always reaches the job before the watermark can close the decision's window.
 * At the end, one record per partition far enough ahead closes every window.
 *
 * <p>Stock ({@link StockLedger}, the world's {@code stock}): a drawn purchase of an item with no unit left
 * is lost (no cart, no purchase is sent). Every change of an item's units goes to the job at once as a
 * catalog update with the inventory, at the event time of the change, as a retailer's inventory feed
 * would send it: batching per simulated hour would hide a sell-out for what the loop's time scale counts
 * as a day. Competitors (the world's {@code competitors}): {@link CompetitorFeed}'s prices go to the
 * competitor-prices topic right after the record of the item that prompted them.
 */
public final class MarketLoop {
    /** Longest quiet gap of the replay, in event time: keeps attribution windows closing every few thousand requests. */
    static final long MAX_GAP_MS = 2000;

    private static final long MIN_OUTCOME_DELAY_MS = 5_000;
    private static final long MAX_OUTCOME_DELAY_MS = 180_000;

    /**
     * A round's settings. {@code shopperTag} makes the shoppers (and request and event ids) of this run
     * distinct from any other run on the same topics; {@code retryShare}: share of requests the
     * storefront sends a second time once answered (a client retry), whose answer must be identical.
     */
    public record Settings(
            String bootstrapServers,
            PricingConfig config,
            World world,
            long requests,
            String modelVersion,
            int round,
            String shopperTag,
            int maxOutstanding,
            double retryShare,
            Path dataDir,
            Duration decisionTimeout,
            Duration outcomeTimeout,
            boolean progress,
            String opePolicy,
            long startAfterMs) {}

    /** Throws when the job is no longer healthy; called while the loop waits. */
    public interface JobWatch {
        void check() throws Exception;
    }

    /**
     * What a shopper has done so far, as the job can know it at a request's time: the shopper's drawn
     * carts, purchases and removals are sent at once but happen later (their event time); they count
     * only for requests after that time, as the job's features count only events before the request.
     */
    private static final class History {
        final int index;
        final TrueDemand.Shopper hidden;
        long events;
        long purchases;
        long carts;
        long removes;
        final Map<String, Integer> itemViews = new HashMap<>();
        /** Drawn events not yet happened: {event time, event type ordinal}, earliest first. */
        final java.util.PriorityQueue<long[]> scheduled =
                new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(e -> e[0]));

        History(int index, TrueDemand.Shopper hidden) {
            this.index = index;
            this.hidden = hidden;
        }

        void schedule(long timeMs, EventType type) {
            scheduled.add(new long[] {timeMs, type.ordinal()});
        }

        /** Counts the drawn events that happened before {@code timeMs}. */
        void happenedBefore(long timeMs) {
            while (!scheduled.isEmpty() && scheduled.peek()[0] < timeMs) {
                long type = scheduled.poll()[1];
                events++;
                if (type == EventType.CART.ordinal()) {
                    carts++;
                } else if (type == EventType.PURCHASE.ordinal()) {
                    purchases++;
                } else if (type == EventType.REMOVE_FROM_CART.ordinal()) {
                    removes++;
                }
            }
        }
    }

    private record Pending(
            long seq,
            String requestId,
            String shopperId,
            String itemId,
            long timeMs,
            long nextSameItemRequestMs,
            History history,
            TrueDemand.Curve truth,
            boolean retry,
            byte[] requestBytes) {}

    private final Settings s;
    private final JobWatch watch;
    private final TrueDemand truth;
    private final PricingPolicy policy;
    private final MarketTemplate template;
    private final long lagMs;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String behaviourTopic;
    private final String catalogTopic;
    private final String requestTopic;
    /** Where the synthetic competitor feed goes; null without one. */
    private final String competitorTopic;

    private final CompetitorFeed competitors;
    private final StockLedger stock;
    /** Expected purchases per hour of event time at list price, without the price-level effect: requests per hour. */
    private final Map<String, Double> requestsPerHour;
    /** Each item's last catalog record as sent (event time aside): inventory updates repeat it with new units. */
    private final Map<String, CatalogUpdate> catalog = new ConcurrentHashMap<>();

    private final Map<String, AtomicLong> reasonCodes = new ConcurrentHashMap<>();
    private final AtomicLong inventoryUpdates = new AtomicLong();
    private final AtomicLong stockOuts = new AtomicLong();

    private final TruthLedger ledger = new TruthLedger();
    private final Map<String, Pending> pendingByRequest = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, Long> unresolved = new ConcurrentSkipListMap<>();
    private final Map<Integer, Map<String, History>> shoppersByPass = new ConcurrentHashMap<>();
    private final Map<String, Double> listPrices = new HashMap<>();
    private final Map<String, Long> decisionHashes = new ConcurrentHashMap<>();
    private final Map<String, String> drawnOutcomes = new ConcurrentHashMap<>();
    private final Set<String> outcomeIds = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> consumerError = new AtomicReference<>();
    private final AtomicBoolean consuming = new AtomicBoolean(true);
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong mismatches = new AtomicLong();
    private final AtomicLong retriesSent = new AtomicLong();
    private final AtomicLong outcomes = new AtomicLong();
    private long endOfTimeMs;
    private java.util.function.BooleanSupplier enough = () -> false;
    private long sent;
    /** Randomized outcomes of this run, and the true margin of each of their candidates: off-policy evaluation. */
    private final List<FeedbackOutcome> randomizedOutcomes =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    private final Map<String, float[]> candidateTruth = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong outcomesWithExperiment = new AtomicLong();
    private final AtomicLong attributionMismatches = new AtomicLong();
    private final AtomicLong purchasesDrawn = new AtomicLong();
    private final AtomicLong purchasesAttributed = new AtomicLong();
    private int shopperCount;

    private MarketLoop(Settings s, JobWatch watch) throws Exception {
        this.s = s;
        this.watch = watch;
        this.truth = new TrueDemand(s.world());
        this.policy = new PricingPolicy(PolicySettings.from(s.config()));
        this.template = MarketTemplate.bundled(s.dataDir(), MAX_GAP_MS);
        long window = s.config().get(PricingConfig.ATTRIBUTION_WINDOW).toMillis();
        if (window < 4 * MAX_OUTCOME_DELAY_MS) {
            throw new IllegalArgumentException("the attribution window (" + window / 1000
                    + " s) must be at least four times the longest outcome delay (" + MAX_OUTCOME_DELAY_MS / 1000
                    + " s)");
        }
        this.lagMs = window / 2;
        Properties p = new Properties();
        p.putAll(s.config().kafkaClientProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p);
        this.behaviourTopic = s.config().get(PricingConfig.TOPIC_BEHAVIOUR);
        this.catalogTopic = s.config().get(PricingConfig.TOPIC_CATALOG);
        this.requestTopic = s.config().get(PricingConfig.TOPIC_REQUESTS);
        this.stock = new StockLedger(s.world().stock(), s.world().seed());
        this.requestsPerHour = requestsPerHour(template);
        String topic = s.config().get(PricingConfig.TOPIC_COMPETITOR_PRICES);
        boolean feed = s.world().competitors() != null && !topic.isBlank();
        this.competitors =
                feed ? new CompetitorFeed(s.world().competitors(), s.world().seed()) : null;
        this.competitorTopic = feed ? topic : null;
    }

    /** Requests per hour of event time for each item over one pass of the traffic. */
    static Map<String, Double> requestsPerHour(MarketTemplate template) {
        Map<String, Double> perHour = new HashMap<>();
        double hours = template.spanMs / 3_600_000.0;
        for (MarketTemplate.Entry e : template.entries) {
            if (e.record().role() == org.pricingengine.features.rees46.ReplayRecord.Role.REQUEST) {
                perHour.merge(((PriceRequest) e.record().value()).itemId(), 1 / hours, Double::sum);
            }
        }
        return perHour;
    }

    /**
     * The item's expected purchases per hour at list price, what the world's stock is measured in:
     * requests per hour x the purchase probability at list price of a new shopper with no history.
     */
    double expectedUnitsPerHour(String itemId, double listPrice) {
        World w = s.world();
        double[] weights = World.weightsByTrait(w.propensity().weights());
        double a = w.propensity().intercept()
                + weights[World.Trait.PRICE_LEVEL.ordinal()] * Math.log(listPrice / w.referencePrice());
        return requestsPerHour.getOrDefault(itemId, 0.0) / (1 + Math.exp(-a));
    }

    /** Runs the loop for {@code settings.requests()} requests and waits for their outcomes. */
    public static LoopReport.Summary run(Settings settings, JobWatch watch) throws Exception {
        return run(settings, watch, () -> false);
    }

    /**
     * As above, but stops sending once {@code enough} says so (traffic that lasts as long as something
     * else takes, e.g. a rollout), then waits for the outcomes of what was sent.
     */
    public static LoopReport.Summary run(Settings settings, JobWatch watch, java.util.function.BooleanSupplier enough)
            throws Exception {
        MarketLoop loop = new MarketLoop(settings, watch);
        loop.enough = enough;
        try {
            return loop.run();
        } finally {
            loop.producer.close(Duration.ofSeconds(10));
        }
    }

    private LoopReport.Summary run() throws Exception {
        long started = System.nanoTime();
        Thread consumer = new Thread(this::consume, "market-loop-consumer");
        consumer.setDaemon(true);
        consumer.start();
        try {
            long lastRequestMs = send(started);
            awaitAll("decisions for every request", () -> unresolved.isEmpty(), s.decisionTimeout());
            awaitAll(
                    "answers to the client retries",
                    () -> duplicates.get() >= retriesSent.get(),
                    Duration.ofSeconds(60));
            endOfTimeMs = lastRequestMs
                    + s.config().get(PricingConfig.ATTRIBUTION_WINDOW).toMillis()
                    + 60_000;
            closeEveryWindow(endOfTimeMs);
            boolean complete = awaitAll(
                    "feedback outcomes of every decision", () -> outcomes.get() >= ledger.size(), s.outcomeTimeout());
            if (!complete) {
                System.out.printf(
                        "  warning: %d of %d decisions have no feedback outcome after %d s%n",
                        ledger.size() - outcomes.get(),
                        ledger.size(),
                        s.outcomeTimeout().toSeconds());
            }
        } finally {
            consuming.set(false);
            consumer.join(10_000);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        LoopReport.Counts counts = new LoopReport.Counts(
                sent,
                duplicates.get(),
                mismatches.get(),
                retriesSent.get(),
                outcomes.get(),
                outcomesWithExperiment.get(),
                Math.max(0, ledger.size() - outcomes.get()),
                attributionMismatches.get(),
                purchasesDrawn.get(),
                purchasesAttributed.get(),
                elapsed);
        LoopReport.Summary summary = LoopReport.summarise(
                s.world().name(),
                s.modelVersion(),
                s.round(),
                ledger.entries(),
                counts,
                TruthLedger.uniformDiscounts(policy.settings().priceLadder()));
        Map<String, Long> codes = new java.util.TreeMap<>();
        reasonCodes.forEach((k, v) -> codes.put(k, v.get()));
        return (s.opePolicy() == null ? summary : withOffPolicyEvaluation(summary))
                .withEndOfTime(endOfTimeMs)
                .withStock(new LoopReport.StockReport(ledger.size(), codes, stock.result()));
    }

    /**
     * Evaluates a policy the job did not run on this round's logged outcomes, as a user would (the
     * evaluator sees only what the feedback topic holds), and puts the truth next to it: the target's true
     * expected margin on the same randomized requests.
     */
    private LoopReport.Summary withOffPolicyEvaluation(LoopReport.Summary summary) {
        TargetPolicy target = TargetPolicy.parse(s.opePolicy(), version -> {
            throw new IllegalArgumentException(
                    "the loop evaluates list, uniform:D or greedy; a model version needs its logged inputs: deploy/ope.sh");
        });
        List<FeedbackOutcome> logged;
        synchronized (randomizedOutcomes) {
            logged = List.copyOf(randomizedOutcomes);
        }
        if (logged.isEmpty()) {
            return summary;
        }
        OffPolicyEvaluation.Result estimate =
                OffPolicyEvaluation.evaluate(logged, target, OffPolicyEvaluation.Settings.defaults());
        double truth = 0;
        long n = 0;
        for (FeedbackOutcome o : logged) {
            double[] probabilities = target.probabilities(o);
            float[] margins = candidateTruth.get(o.decisionId());
            if (probabilities == null || margins == null) {
                continue;
            }
            for (int k = 0; k < margins.length; k++) {
                truth += probabilities[k] * margins[k];
            }
            n++;
        }
        System.out.printf(
                "  off-policy: %s dr %.4f [%.4f, %.4f] (ess %.0f of %d randomized requests), truth %.4f%n",
                target.name(),
                estimate.dr(),
                estimate.drCiLow(),
                estimate.drCiHigh(),
                estimate.ess(),
                estimate.requests(),
                n == 0 ? Double.NaN : truth / n);
        return new LoopReport.Summary(
                summary.result()
                        .withOpe(
                                estimate.dr(),
                                estimate.drCiLow(),
                                estimate.drCiHigh(),
                                n == 0 ? null : Math.round(truth / n * 1e4) / 1e4,
                                target.name(),
                                estimate.requests(),
                                estimate.ess()),
                summary.details());
    }

    /** Sends the traffic; returns the event time of the last request. */
    private long send(long started) throws Exception {
        List<MarketTemplate.Entry> entries = template.entries;
        double costRatio = s.world().costRatio();
        double reference = s.world().referencePrice();
        Random retries = new Random(s.world().seed() ^ 0x5DEECE66DL);
        long seq = 0;
        int cursor = 0;
        int pass = 0;
        long lastRequestMs = 0;
        long progressEvery = Math.max(1, s.requests() / 10);
        while (seq < s.requests() && !(seq % 100 == 0 && enough.getAsBoolean())) {
            MarketTemplate.Entry e = entries.get(cursor);
            // A later round on the same job continues the job's event time: its windows must still be open.
            long passStart = Math.max(template.startMs, s.startAfterMs()) + pass * template.spanMs;
            long t = passStart + e.timeMs();
            String suffix = "~" + s.shopperTag() + pass;
            gate(t);
            switch (e.record().role()) {
                case CATALOG -> {
                    CatalogUpdate c = (CatalogUpdate) e.record().value();
                    listPrices.put(c.itemId(), c.listPrice());
                    double cost = Math.round(c.listPrice() * costRatio * 1e6) / 1e6;
                    Long units = stock.open(c.itemId(), expectedUnitsPerHour(c.itemId(), c.listPrice()), t);
                    stock.replenish(c.itemId(), t);
                    units = units == null ? null : stock.units(c.itemId());
                    CatalogUpdate update = new CatalogUpdate(
                            c.itemId(),
                            c.category(),
                            c.brand(),
                            c.listPrice(),
                            cost,
                            units == null ? c.inventory() : units,
                            t);
                    catalog.put(c.itemId(), update);
                    send(catalogTopic, c.itemId(), Json.toBytes(update));
                    sendCompetitorPrices(c.itemId(), c.listPrice(), t);
                }
                case BEHAVIOUR -> {
                    BehaviourEvent v = (BehaviourEvent) e.record().value();
                    String shopper = v.userId() + suffix;
                    History h = history(pass, shopper);
                    synchronized (h) {
                        h.events++;
                        h.itemViews.merge(v.itemId(), 1, Integer::sum);
                    }
                    send(
                            behaviourTopic,
                            shopper,
                            Json.toBytes(new BehaviourEvent(
                                    v.eventId() + suffix,
                                    shopper,
                                    v.itemId(),
                                    v.type(),
                                    t,
                                    v.price(),
                                    v.sessionId() == null ? null : v.sessionId() + suffix,
                                    v.category(),
                                    v.brand())));
                }
                case REQUEST -> {
                    PriceRequest q = (PriceRequest) e.record().value();
                    if (stock.replenish(q.itemId(), t)) {
                        sendInventory(q.itemId(), t);
                    }
                    Double known = listPrices.get(q.itemId());
                    if (known != null) {
                        sendCompetitorPrices(q.itemId(), known, t);
                    }
                    String shopper = q.userId() + suffix;
                    History h = history(pass, shopper);
                    Double list = listPrices.get(q.itemId());
                    Traits traits;
                    synchronized (h) {
                        h.happenedBefore(t);
                        traits = Traits.of(
                                list == null ? reference : list,
                                reference,
                                h.events,
                                h.purchases,
                                h.itemViews.getOrDefault(q.itemId(), 0),
                                h.carts,
                                h.removes);
                    }
                    PriceRequest request =
                            new PriceRequest(q.requestId() + suffix, shopper, q.itemId(), t, q.channel(), q.device());
                    byte[] bytes = Json.toBytes(request);
                    long next = e.nextSameItemRequestMs() == Long.MAX_VALUE
                            ? Long.MAX_VALUE
                            : passStart + e.nextSameItemRequestMs();
                    Pending pending = new Pending(
                            seq,
                            request.requestId(),
                            shopper,
                            q.itemId(),
                            t,
                            next,
                            h,
                            truth.curve(traits, h.hidden),
                            retries.nextDouble() < s.retryShare(),
                            bytes);
                    pendingByRequest.put(request.requestId(), pending);
                    unresolved.put(seq, t);
                    send(requestTopic, shopper, bytes);
                    lastRequestMs = t;
                    seq++;
                    if (s.progress() && seq % progressEvery == 0) {
                        progress(seq, started);
                    }
                }
            }
            cursor++;
            if (cursor == entries.size()) {
                cursor = 0;
                pass++;
                // Shoppers of two passes ago can no longer send anything: their state goes.
                shoppersByPass.remove(pass - 2);
            }
        }
        producer.flush();
        sent = seq;
        return lastRequestMs;
    }

    /**
     * A catalog update with the item's current units, as a retailer's inventory feed sends one on every
     * change: the job's stock rule sees a sale or a delivery at once, at the event time it happened.
     */
    private void sendInventory(String itemId, long timeMs) {
        CatalogUpdate last = catalog.get(itemId);
        Long units = stock.units(itemId);
        if (last == null || units == null) {
            return;
        }
        send(
                catalogTopic,
                itemId,
                Json.toBytes(new CatalogUpdate(
                        itemId, last.category(), last.brand(), last.listPrice(), last.unitCost(), units, timeMs)));
        inventoryUpdates.incrementAndGet();
    }

    /** The synthetic competitor feed's prices of the item, when it reports them (see {@link CompetitorFeed}). */
    private void sendCompetitorPrices(String itemId, double listPrice, long timeMs) {
        if (competitors == null) {
            return;
        }
        for (org.pricingengine.features.events.CompetitorPrice o : competitors.observe(itemId, listPrice, timeMs)) {
            send(competitorTopic, itemId, Json.toBytes(o));
        }
    }

    private History history(int pass, String shopper) {
        return shoppersByPass
                .computeIfAbsent(pass, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(shopper, k -> new History(shopperCount++, truth.shopper(k)));
    }

    private void progress(long seq, long started) {
        double seconds = (System.nanoTime() - started) / 1e9;
        double[] m = ledger.runningMeans();
        System.out.printf(
                Locale.ROOT,
                "  %3d%% requests %,9d | decisions %,9d (%,.0f/s) | outcomes %,9d | margin/request so far: policy %.4f list %.4f oracle %.4f%n",
                seq * 100 / s.requests(),
                seq,
                decisions.get(),
                decisions.get() / Math.max(seconds, 1e-9),
                outcomes.get(),
                m[0],
                m[1],
                m[2]);
    }

    /** Waits until a record at event time {@code t} may go out (see the class comment). */
    private void gate(long t) throws Exception {
        long lastChange = System.nanoTime();
        long lastDecisions = decisions.get();
        long lastCheck = System.nanoTime();
        while (true) {
            failIfConsumerFailed();
            Map.Entry<Long, Long> oldest = unresolved.firstEntry();
            if ((oldest == null || oldest.getValue() >= t - lagMs) && unresolved.size() < s.maxOutstanding()) {
                return;
            }
            long now = System.nanoTime();
            if (decisions.get() != lastDecisions) {
                lastDecisions = decisions.get();
                lastChange = now;
            } else if (now - lastChange > s.decisionTimeout().toNanos()) {
                throw new IllegalStateException(
                        "no decision for " + s.decisionTimeout().toSeconds() + " s; "
                                + unresolved.size() + " requests waiting, the oldest sent at event time "
                                + java.time.Instant.ofEpochMilli(oldest.getValue()));
            }
            if (now - lastCheck > TimeUnit.SECONDS.toNanos(2)) {
                watch.check();
                lastCheck = now;
            }
            Thread.sleep(1);
        }
    }

    private interface Condition {
        boolean holds();
    }

    /** Waits for {@code condition}, checking the job; false on timeout. */
    private boolean awaitAll(String what, Condition condition, Duration timeout) throws Exception {
        producer.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastCheck = System.nanoTime();
        while (!condition.holds()) {
            failIfConsumerFailed();
            if (System.nanoTime() > deadline) {
                if (what.startsWith("feedback")) {
                    return false;
                }
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            if (System.nanoTime() - lastCheck > TimeUnit.SECONDS.toNanos(2)) {
                watch.check();
                lastCheck = System.nanoTime();
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * One record on every partition of the three input topics at {@code endMs}: every partition's
     * watermark then passes the last attribution window (an idle partition would hold it back for the
     * idleness timeout). The tick request is priced like any other and left out of the ledger.
     */
    private void closeEveryWindow(long endMs) {
        String tick = "market-tick~" + s.shopperTag();
        for (PartitionInfo p : producer.partitionsFor(catalogTopic)) {
            producer.send(new ProducerRecord<>(
                    catalogTopic,
                    p.partition(),
                    bytes(tick + "-item-" + p.partition()),
                    Json.toBytes(
                            new CatalogUpdate(tick + "-item-" + p.partition(), null, null, 1.0, 0.6, null, endMs))));
        }
        for (PartitionInfo p : producer.partitionsFor(behaviourTopic)) {
            producer.send(new ProducerRecord<>(
                    behaviourTopic,
                    p.partition(),
                    bytes(tick),
                    Json.toBytes(new BehaviourEvent(
                            tick + "-view-" + p.partition(),
                            tick,
                            tick + "-item",
                            EventType.VIEW,
                            endMs,
                            1.0,
                            null,
                            null,
                            null))));
        }
        for (PartitionInfo p : producer.partitionsFor(requestTopic)) {
            producer.send(new ProducerRecord<>(
                    requestTopic,
                    p.partition(),
                    bytes(tick),
                    Json.toBytes(new PriceRequest(
                            tick + "-request-" + p.partition(), tick, tick + "-item", endMs, "web", null))));
        }
        producer.flush();
    }

    private void consume() {
        Properties p = new Properties();
        p.putAll(s.config().kafkaClientProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "market-loop-" + s.shopperTag() + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        String decisionTopic = s.config().get(PricingConfig.TOPIC_DECISIONS);
        String feedbackTopic = s.config().get(PricingConfig.TOPIC_FEEDBACK);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(decisionTopic, feedbackTopic));
            while (consuming.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    if (r.topic().equals(decisionTopic)) {
                        onDecision(r.value());
                    } else {
                        onOutcome(r.value());
                    }
                }
            }
        } catch (Throwable t) {
            consumerError.set(t);
        }
    }

    private void onDecision(byte[] bytes) throws Exception {
        PriceDecision d = PriceDecision.fromJson(bytes);
        long hash = fnv(bytes);
        Long first = decisionHashes.putIfAbsent(d.decisionId(), hash);
        if (first != null) {
            duplicates.incrementAndGet();
            if (first != hash) {
                mismatches.incrementAndGet();
            }
            return;
        }
        Pending q = pendingByRequest.remove(d.requestId());
        if (q == null) {
            return; // not one of this run's requests (a tick, another run on the same topics)
        }
        TruthLedger.Entry entry = TruthLedger.price(
                q.seq(), q.history().index, d, q.truth(), policy, s.world().costRatio());
        ledger.add(entry);
        if (d.reasonCodes() != null) {
            for (String code : d.reasonCodes()) {
                reasonCodes.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
            }
        }
        PriceExperiment x = d.experiment();
        if (s.opePolicy() != null && x != null && x.randomized() && d.listPrice() != null) {
            double cost = d.unitCost() != null
                    ? d.unitCost()
                    : d.listPrice() * s.world().costRatio();
            float[] margins = new float[x.candidates().length];
            for (int k = 0; k < margins.length; k++) {
                margins[k] = (float) q.truth().margin(x.candidates()[k], d.listPrice(), cost);
            }
            candidateTruth.put(d.decisionId(), margins);
        }
        drawnOutcomes.put(d.decisionId(), answer(d, q, entry.probabilityAtPrice()));
        decisions.incrementAndGet();
        if (q.retry()) {
            producer.send(new ProducerRecord<>(requestTopic, bytes(q.shopperId()), q.requestBytes()));
            retriesSent.incrementAndGet();
        }
        // Only now may event time move past this request: its answer is on its way ahead of anything later.
        unresolved.remove(q.seq());
    }

    /** Draws and sends what the shopper does at the quoted price; returns the outcome the job should attribute. */
    private String answer(PriceDecision d, Pending q, double probability) {
        if (d.price() == null) {
            return FeedbackOutcome.NONE;
        }
        World.Carts carts = s.world().carts();
        Random rng = new Random(s.world().seed() * 0x2545F4914F6CDD1DL ^ Hashing.hash(d.decisionId()));
        boolean purchase = rng.nextDouble() < probability;
        boolean cart = purchase
                ? rng.nextDouble() < carts.cartBeforePurchase()
                : rng.nextDouble() < Math.min(1, carts.abandonedPerPurchase() * probability);
        if (!purchase && !cart) {
            return FeedbackOutcome.NONE;
        }
        // Before the shopper's next request for the same item: last touch then credits this decision.
        long room = q.nextSameItemRequestMs() == Long.MAX_VALUE
                ? Long.MAX_VALUE
                : q.nextSameItemRequestMs() - q.timeMs() - 1;
        long last = Math.max(
                2,
                Math.min(
                        room,
                        MIN_OUTCOME_DELAY_MS
                                + (long) (rng.nextDouble() * (MAX_OUTCOME_DELAY_MS - MIN_OUTCOME_DELAY_MS))));
        long first = Math.max(1, Math.min(last - 1, (long) (last * (0.2 + 0.6 * rng.nextDouble()))));
        if (purchase) {
            double cost = d.unitCost() != null
                    ? d.unitCost()
                    : d.listPrice() * s.world().costRatio();
            StockLedger.Sale sale = stock.buy(q.itemId(), q.timeMs() + last, d.price(), cost);
            if (sale == StockLedger.Sale.LOST) {
                // Out of stock: the storefront cannot sell it, so the shopper neither carts nor buys.
                stockOuts.incrementAndGet();
                return FeedbackOutcome.NONE;
            }
            if (sale == StockLedger.Sale.SOLD) {
                sendInventory(q.itemId(), q.timeMs() + last);
            }
        }
        String id = "market:" + d.decisionId();
        History h = q.history();
        if (cart) {
            sendEvent(id + ":cart", q, EventType.CART, q.timeMs() + first, d.price());
        }
        if (purchase) {
            sendEvent(id + ":purchase", q, EventType.PURCHASE, q.timeMs() + last, d.price());
            purchasesDrawn.incrementAndGet();
        } else {
            sendEvent(id + ":remove", q, EventType.REMOVE_FROM_CART, q.timeMs() + last, d.price());
        }
        synchronized (h) {
            if (cart) {
                h.schedule(q.timeMs() + first, EventType.CART);
            }
            h.schedule(q.timeMs() + last, purchase ? EventType.PURCHASE : EventType.REMOVE_FROM_CART);
        }
        return purchase ? FeedbackOutcome.PURCHASE : FeedbackOutcome.CART;
    }

    private void sendEvent(String eventId, Pending q, EventType type, long timeMs, double price) {
        send(
                behaviourTopic,
                q.shopperId(),
                Json.toBytes(
                        new BehaviourEvent(eventId, q.shopperId(), q.itemId(), type, timeMs, price, null, null, null)));
    }

    private void onOutcome(byte[] bytes) throws Exception {
        FeedbackOutcome f = FeedbackOutcome.fromJson(bytes);
        String drawn = drawnOutcomes.get(f.decisionId());
        if (drawn == null || !outcomeIds.add(f.decisionId())) {
            return;
        }
        outcomes.incrementAndGet();
        if (f.experiment() != null) {
            outcomesWithExperiment.incrementAndGet();
            if (s.opePolicy() != null
                    && f.experiment().randomized()
                    && f.experiment().propensity() < 1) {
                randomizedOutcomes.add(f);
            }
        }
        if (f.purchased()) {
            purchasesAttributed.incrementAndGet();
        }
        if (!drawn.equals(f.outcome())) {
            attributionMismatches.incrementAndGet();
        }
    }

    private void failIfConsumerFailed() {
        Throwable t = consumerError.get();
        if (t != null) {
            throw new IllegalStateException("reading decisions and outcomes failed", t);
        }
    }

    private void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, bytes(key), value), (meta, e) -> {
            if (e != null) {
                consumerError.compareAndSet(null, e);
            }
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long fnv(byte[] data) {
        long h = 0xcbf29ce484222325L;
        for (byte b : data) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
