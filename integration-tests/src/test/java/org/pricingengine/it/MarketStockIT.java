package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.it.testutils.TestTopics;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.policy.ReasonCode;
import org.pricingengine.tools.market.LoopReport;
import org.pricingengine.tools.market.MarketLoop;
import org.pricingengine.tools.market.StockLedger;
import org.pricingengine.tools.market.World;

/**
 * The closed loop with limited stock and the synthetic competitor feed: the market keeps the true stock
 * (a drawn purchase of an empty item is lost), tells the job every change as a catalog update with the
 * inventory, and plays three competitors on the competitor-prices topic. Checked: stock is conserved,
 * every purchase sent was a unit sold, the job saw the inventory (empty shelves marked LOW_STOCK) and the
 * competitor prices (decisions naming the competitor that bound them), and attribution stays exact.
 */
class MarketStockIT {
    private static final int REQUESTS = 3000;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final TestTopics TOPICS = new TestTopics("it-stock");
    private static LoopReport.Summary summary;
    private static List<JsonNode> decisions;
    private static List<JsonNode> catalog;
    private static List<JsonNode> competitorPrices;

    @BeforeAll
    static void playTheMarket() throws Exception {
        World world = World.read(RepoPaths.root().resolve("integration-tests/src/test/resources/worlds/it-stock.json"));
        Map<String, String> options = new LinkedHashMap<>(TOPICS.asOptions());
        KAFKA.createTopics(2, TOPICS.all());
        options.put(PricingConfig.BOOTSTRAP_SERVERS.key(), KAFKA.bootstrapServers());
        options.put(PricingConfig.STARTING_OFFSETS.key(), "earliest");
        options.put(PricingConfig.MODEL_DIR.key(), RepoPaths.models().toString());
        options.put(PricingConfig.CHECKPOINT_INTERVAL.key(), "2s");
        options.put(PricingConfig.PARALLELISM.key(), "2");
        options.put(PricingConfig.TRANSACTIONAL_ID_PREFIX.key(), "it-stock");
        options.put(PricingConfig.ATTRIBUTION_WINDOW.key(), "15min");
        options.put(PricingConfig.WATERMARK_IDLENESS.key(), "3s");
        PricingConfig config = PricingConfig.of(options);

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PricingJob.flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        JobClient job = env.executeAsync("market-stock-it");
        try {
            summary = MarketLoop.run(
                    new MarketLoop.Settings(
                            KAFKA.bootstrapServers(),
                            config,
                            world,
                            REQUESTS,
                            config.get(PricingConfig.MODEL_VERSION),
                            1,
                            "it-",
                            1000,
                            0,
                            RepoPaths.root().resolve("model-assets/data/rees46"),
                            Duration.ofMinutes(2),
                            Duration.ofSeconds(60),
                            false,
                            null,
                            0),
                    () -> {
                        if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                            throw new IllegalStateException("the job ended");
                        }
                    });
            System.out.println("loop: " + Json.toJson(summary.result()));
            System.out.println("stock: " + Json.toJson(summary.stock()));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        decisions = parse(KAFKA.readAll(TOPICS.decisions()));
        catalog = parse(KAFKA.readAll(TOPICS.catalog()));
        competitorPrices = parse(KAFKA.readAll(TOPICS.competitorPrices()));
    }

    private static List<JsonNode> parse(List<String> raw) {
        return raw.stream()
                .map(s -> {
                    try {
                        return Json.mapper().readTree(s);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    @Test
    void everyRequestIsPricedAndEveryOutcomeAttributedAsDrawn() {
        assertEquals(REQUESTS, summary.result().decisions());
        assertEquals(0, summary.result().decisionsWithoutOutcome());
        assertEquals(0, summary.result().attributionMismatches());
        // Prices inside their guardrails. (A holdout shopper's stable quote may repeat an earlier price that a
        // competitor ceiling set, off the list price: the holdout check of the truth ledger is left out here.)
        assertEquals(0, summary.details().violations().outsideDecisionBounds());
        assertEquals(0, summary.details().violations().outsideHardBounds());
    }

    @Test
    void stockIsConservedAndEveryPurchaseSentWasAUnitSold() {
        StockLedger.Result stock = summary.stock().stock();
        for (StockLedger.ClassResult c : stock.classes()) {
            if (!c.name().equals(StockLedger.UNLIMITED)) {
                assertEquals(c.initialUnits() + c.replenishedUnits() - c.unitsSold(), c.unitsLeft(), c.name());
            }
        }
        assertEquals(summary.result().purchasesDrawn(), stock.total().unitsSold());
        assertTrue(stock.total().lostSales() > 0, "half an hour of stock runs out: " + stock.total());
        assertTrue(stock.total().replenishedUnits() > 0, "deliveries every six minutes: " + stock.total());
    }

    @Test
    void theJobHearsOfEveryChangeAndMarksEmptyShelves() {
        StockLedger.ClassResult scarce = summary.stock().stock().classes().get(0);
        long withInventory =
                catalog.stream().filter(c -> c.hasNonNull("inventory")).count();
        assertTrue(
                withInventory >= scarce.items() + scarce.unitsSold(),
                "a catalog update at the first sight of each item and after each sale: " + withInventory);
        assertTrue(catalog.stream()
                .anyMatch(c -> c.hasNonNull("inventory") && c.get("inventory").asLong() == 0));
        long lowStock = decisions.stream()
                .filter(d -> d.get("reason_codes").toString().contains("\"" + ReasonCode.LOW_STOCK.code() + "\""))
                .count();
        assertTrue(lowStock > 0, "an empty shelf is scarce stock to the job");
    }

    @Test
    void theCompetitorFeedReachesTheJob() {
        assertTrue(competitorPrices.size() > 100, "prices of three shops: " + competitorPrices.size());
        for (JsonNode p : competitorPrices) {
            assertTrue(p.get("price").asDouble() > 0);
            assertTrue(p.get("competitor").asText().matches("shop[ABC]"));
        }
        assertTrue(
                decisions.stream().anyMatch(d -> d.hasNonNull("competitor")),
                "some decisions name the competitor whose price bound them");
    }
}
