package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.job.scoring.CanaryArms;
import org.pricingengine.tools.local.Rees46Replayer;

/**
 * The whole job on a Flink MiniCluster (RocksDB state) against a real Kafka broker: a slice of the
 * bundled REES46 data, a few malformed records in between, and a scripted buyer and browser whose
 * feedback outcomes are known. A canary prices a quarter of the shoppers with v2. The job reads the
 * topics to their end (kafka.bounded) and finishes, which closes every attribution window.
 */
class PricingJobIT {
    private static final int ROWS = 3000;
    private static final int MALFORMED_EVERY = 300;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final String CANARY = "v2";
    private static final double CANARY_SHARE = 0.25;
    private static final TestTopics TOPICS = new TestTopics("it-e2e");
    private static long malformedSent;
    private static PricingConfig config;
    private static List<JsonNode> decisions;
    private static List<JsonNode> feedback;
    private static List<JsonNode> deadLetters;
    private static Set<String> validRequestIds;

    @BeforeAll
    static void replayAndRunTheJob() throws Exception {
        KAFKA.createTopics(2, TOPICS.all());
        Map<String, String> options = new LinkedHashMap<>(TOPICS.asOptions());
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.BOUNDED.key(), "true");
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), RepoPaths.models().toString());
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "2s");
        options.put(PricingConfig.PARALLELISM.key(), "2");
        // A canary runs throughout: a quarter of the shoppers are priced by v2, the rest by v1.
        options.put(PricingConfig.CANARY_MODEL_VERSION.key(), CANARY);
        options.put(PricingConfig.CANARY_SHARE.key(), Double.toString(CANARY_SHARE));
        config = PricingConfig.of(options);

        try (Rees46Replayer replayer = new Rees46Replayer(KAFKA.bootstrapServers(), config)) {
            replayer.replay(
                    RepoPaths.cosmetics(),
                    0,
                    ROWS,
                    MALFORMED_EVERY,
                    Rees46Replayer::sampleMalformed,
                    0,
                    () -> {},
                    scriptedShoppers());
            replayer.flush();
            malformedSent = replayer.malformedSent.get();
        }

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        env.execute("pricing-it");

        decisions = parse(KAFKA.readAll(TOPICS.decisions()));
        // Feedback is exactly-once (Kafka transactions): a trainer reads it with read_committed.
        feedback = parse(KAFKA.readAll(TOPICS.feedback(), Map.of("isolation.level", "read_committed")));
        deadLetters = parse(KAFKA.readAll(TOPICS.deadLetters()));
        validRequestIds = new HashSet<>();
        for (String raw : KAFKA.readAll(TOPICS.requests())) {
            try {
                JsonNode n = Json.mapper().readTree(raw);
                if (n.hasNonNull("user_id")
                        && n.hasNonNull("request_id")
                        && n.path("request_time").asText().startsWith("2019")) {
                    validRequestIds.add(n.get("request_id").asText());
                }
            } catch (IOException malformed) {
                // The malformed samples among the requests are not valid requests.
            }
        }
    }

    /**
     * 00:10:30 two shoppers ask for prices; 00:20 one of them buys. Sent among the slice's rows at their
     * event time, as a live storefront would.
     */
    private static List<ReplayRecord> scriptedShoppers() {
        long t = Instant.parse("2019-10-01T00:10:00Z").toEpochMilli();
        List<ReplayRecord> scripted = new ArrayList<>();
        for (String item : List.of("it-item-buy", "it-item-idle")) {
            scripted.add(new ReplayRecord(
                    ReplayRecord.Role.CATALOG,
                    item,
                    new CatalogUpdate(item, "it-cat", "it-brand", 10.00, 6.00, 5L, t),
                    t));
        }
        scripted.add(new ReplayRecord(
                ReplayRecord.Role.REQUEST,
                "it-buyer",
                new PriceRequest("it-req-buy", "it-buyer", "it-item-buy", t + 30_000, "web", "mobile"),
                t + 30_000));
        scripted.add(new ReplayRecord(
                ReplayRecord.Role.REQUEST,
                "it-browser",
                new PriceRequest("it-req-idle", "it-browser", "it-item-idle", t + 30_000, "web", null),
                t + 30_000));
        // An empty shelf: what the item asks of every price. (Competitor prices are checked live by MarketStockIT:
        // a fresh bounded job reads its topics side by side, so its first requests may come before them.)
        scripted.add(new ReplayRecord(
                ReplayRecord.Role.CATALOG,
                "it-item-sold-out",
                new CatalogUpdate("it-item-sold-out", "it-cat", "it-brand", 10.00, 6.00, 0L, t),
                t));
        scripted.add(new ReplayRecord(
                ReplayRecord.Role.REQUEST,
                "it-shopper",
                new PriceRequest(
                        "it-req-it-item-sold-out", "it-shopper", "it-item-sold-out", t + 30_000, "app", "tablet"),
                t + 30_000));
        scripted.add(new ReplayRecord(
                ReplayRecord.Role.BEHAVIOUR,
                "it-buyer",
                new BehaviourEvent(
                        "it-ev-buy",
                        "it-buyer",
                        "it-item-buy",
                        EventType.PURCHASE,
                        t + 600_000,
                        9.70,
                        "s",
                        "it-cat",
                        "it-brand"),
                t + 600_000));
        return scripted;
    }

    private static List<JsonNode> parse(List<String> raw) {
        return raw.stream()
                .map(s -> {
                    try {
                        return Json.mapper().readTree(s);
                    } catch (IOException e) {
                        throw new UncheckedIOException("job wrote a record that is not JSON: " + s, e);
                    }
                })
                .toList();
    }

    @Test
    void exactlyOneDecisionPerValidRequestWithDistinctIds() {
        assertTrue(validRequestIds.size() > 1000, "slice should hold many views, got " + validRequestIds.size());
        Map<String, Long> perRequest = decisions.stream()
                .collect(Collectors.groupingBy(d -> d.get("request_id").asText(), Collectors.counting()));
        assertEquals(validRequestIds, perRequest.keySet(), "every valid request, and only those, has a decision");
        perRequest.forEach((id, n) -> assertEquals(1L, n, "decisions for request " + id));
        Set<String> decisionIds =
                decisions.stream().map(d -> d.get("decision_id").asText()).collect(Collectors.toSet());
        assertEquals(decisions.size(), decisionIds.size());
        decisions.forEach(d -> assertEquals(
                PriceDecision.decisionIdFor(
                        d.get("request_id").asText(),
                        d.get("user_id").asText(),
                        d.get("item_id").asText()),
                d.get("decision_id").asText()));
    }

    @Test
    void everyPriceIsInsideItsGuardrailsAndTaggedWithTheModelVersion() {
        double maxDiscount = config.get(PricingConfig.MAX_DISCOUNT);
        double minMargin = config.get(PricingConfig.MIN_MARGIN);
        int priced = 0;
        int modelPriced = 0;
        for (JsonNode d : decisions) {
            boolean canary = CanaryArms.inCanary(d.get("user_id").asText(), CANARY, CANARY_SHARE);
            assertEquals(canary ? "canary" : "control", d.get("arm").asText(), d.toString());
            assertEquals(canary ? CANARY : "v1", d.get("model_version").asText(), d.toString());
            assertTrue(d.get("reason_codes").size() > 0, d.toString());
            if (!d.hasNonNull("price")) {
                assertTrue(d.get("fallback").asBoolean(), d.toString());
                continue;
            }
            priced++;
            double price = d.get("price").asDouble();
            double list = d.get("list_price").asDouble();
            double cost = d.get("unit_cost").asDouble();
            double floor = Math.min(list, Math.max(list * (1 - maxDiscount), cost * (1 + minMargin)));
            assertTrue(price <= list + 1e-9 && price >= floor - 0.01, "price outside guardrails: " + d);
            if (!d.get("fallback").asBoolean()) {
                modelPriced++;
                assertTrue(d.get("personalized").asBoolean());
                assertTrue(d.get("disclosure").asText().contains("ALGORITHM"));
                // A reused stable quote has no fresh estimate when the model failed for the repeat request, and
                // an item out of stock has none at all: nobody can buy it.
                if (d.hasNonNull("expected_conversion")) {
                    double conversion = d.get("expected_conversion").asDouble();
                    assertTrue(conversion >= 0 && conversion <= 1, d.toString());
                } else {
                    assertTrue(
                            List.of(ReasonCode.STABLE_QUOTE, ReasonCode.OUT_OF_STOCK)
                                    .contains(ReasonCode.ofCode(
                                            d.get("reason_codes").get(0).asText())),
                            d.toString());
                }
            }
        }
        assertTrue(priced > 1000);
        assertTrue(
                modelPriced > priced * 0.95,
                "the model should price nearly all requests: " + modelPriced + "/" + priced);
    }

    @Test
    void anEmptyShelfIsQuotedTheListPriceAndExplained() {
        JsonNode soldOut = decisionFor("it-req-it-item-sold-out");
        assertEquals(10.00, soldOut.get("price").asDouble(), 1e-9, "an empty shelf is never discounted: " + soldOut);
        assertTrue(soldOut.get("reason_codes").toString().contains("OUT_OF_STOCK"), soldOut.toString());
        assertFalse(soldOut.path("experiment").has("base_logit"), "no curve: its outcome is not learned from");
        assertEquals("app", soldOut.get("channel").asText());
        assertEquals("tablet", soldOut.get("device").asText());
        assertTrue(soldOut.path("explanation").path("summary").asText().startsWith("Quoted"), soldOut.toString());
        assertEquals(
                "STOCK",
                soldOut.path("explanation")
                        .path("factors")
                        .get(0)
                        .path("factor")
                        .asText());
    }

    private static JsonNode decisionFor(String requestId) {
        return decisions.stream()
                .filter(d -> d.get("request_id").asText().equals(requestId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no decision for " + requestId));
    }

    @Test
    void malformedRecordsAreDeadLetteredWithReasonsWhileTheJobKeptPricing() {
        assertTrue(malformedSent >= 10);
        assertEquals(malformedSent, deadLetters.size());
        Set<String> reasons = new HashSet<>();
        for (JsonNode dl : deadLetters) {
            assertTrue(dl.get("source_topic").asText().startsWith("it-e2e."), dl.toString());
            assertTrue(dl.get("offset").asLong() >= 0);
            reasons.add(dl.get("reason").asText().split(":")[0]);
        }
        assertTrue(
                reasons.containsAll(List.of(
                        "MALFORMED_JSON",
                        "UNKNOWN_EVENT_TYPE",
                        "INVALID_PRICE",
                        "MISSING_FIELD",
                        "TIMESTAMP_OUT_OF_RANGE")),
                reasons.toString());
    }

    @Test
    void theCanaryPricesItsShareOfShoppersAndOutcomesCarryTheArm() {
        Map<String, Set<String>> armsPerUser = new HashMap<>();
        Map<String, JsonNode> decisionByRequest = new HashMap<>();
        for (JsonNode d : decisions) {
            armsPerUser
                    .computeIfAbsent(d.get("user_id").asText(), u -> new HashSet<>())
                    .add(d.get("arm").asText());
            decisionByRequest.put(d.get("request_id").asText(), d);
        }
        armsPerUser.forEach((user, arms) -> assertEquals(1, arms.size(), "one arm per shopper: " + user));
        long canaryUsers =
                armsPerUser.values().stream().filter(a -> a.contains("canary")).count();
        double share = canaryUsers / (double) armsPerUser.size();
        assertTrue(armsPerUser.size() > 300, "shoppers: " + armsPerUser.size());
        // About 400 shoppers: the binomial standard deviation of the share is about 2 points; allow 4 of them.
        assertEquals(CANARY_SHARE, share, 0.085, canaryUsers + " of " + armsPerUser.size() + " shoppers in the canary");
        long modelPricedCanary = decisions.stream()
                .filter(d -> d.get("arm").asText().equals("canary")
                        && !d.get("fallback").asBoolean())
                .count();
        assertTrue(modelPricedCanary > 100, "the canary model priced its shoppers: " + modelPricedCanary);
        for (JsonNode f : feedback) {
            JsonNode d = decisionByRequest.get(f.get("request_id").asText());
            assertEquals(d.get("arm").asText(), f.get("arm").asText(), f.toString());
            assertEquals(d.get("model_version").asText(), f.get("model_version").asText(), f.toString());
        }
    }

    @Test
    void purchaseAfterAPricedViewIsAPurchaseOutcomeAndAnIdleViewIsNone() {
        Map<String, JsonNode> byRequest = new HashMap<>();
        feedback.forEach(f -> byRequest.put(f.get("request_id").asText(), f));
        assertEquals(decisions.size(), feedback.size(), "one outcome per decision once every window has closed");

        JsonNode bought = byRequest.get("it-req-buy");
        assertEquals("purchase", bought.get("outcome").asText(), bought.toString());
        assertEquals(9.70, bought.get("revenue").asDouble(), 1e-9);
        assertEquals(570.0, bought.get("seconds_to_outcome").asDouble(), 1e-9);
        assertEquals(
                CanaryArms.inCanary("it-buyer", CANARY, CANARY_SHARE) ? CANARY : "v1",
                bought.get("model_version").asText());
        assertEquals(3600, bought.get("attribution_window_s").asLong());

        JsonNode idle = byRequest.get("it-req-idle");
        assertEquals("none", idle.get("outcome").asText(), idle.toString());
        assertEquals(0.0, idle.get("revenue").asDouble());

        long purchases = feedback.stream()
                .filter(f -> f.get("outcome").asText().equals("purchase"))
                .count();
        assertTrue(purchases >= 2, "real shoppers in the slice bought after priced views too: " + purchases);
    }
}
