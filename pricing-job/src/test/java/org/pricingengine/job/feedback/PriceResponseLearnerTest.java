package org.pricingengine.job.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.policy.PriceResponsePosterior;
import org.pricingengine.job.policy.SegmentPosterior;

class PriceResponseLearnerTest {
    private static final String SEGMENT = "price:1/shopper:new/item:first";
    private static final double[] BANDS = {10, 50};
    private static final double[] TRAITS = {1, 0, 0, 0, 0, 0};
    private KeyedOneInputStreamOperatorTestHarness<String, FeedbackOutcome, PriceResponsePosterior> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PriceResponseLearner(
                        PolicySettings.from(PricingConfig.defaults()).prior(),
                        BANDS,
                        true,
                        10,
                        Duration.ofSeconds(2),
                        Duration.ofDays(30)),
                PriceResponseLearner::keyOf,
                Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    static FeedbackOutcome outcome(
            String id, String model, double price, double list, boolean bought, Double baseLogit) {
        return outcome(id, model, SEGMENT, TRAITS, price, list, bought, baseLogit);
    }

    static FeedbackOutcome outcome(
            String id,
            String model,
            String segment,
            double[] traits,
            double price,
            double list,
            boolean bought,
            Double baseLogit) {
        PriceExperiment e = new PriceExperiment(
                "thompson-ladder",
                PriceExperiment.POLICY,
                segment,
                new double[] {list, price},
                new double[] {0.5, 0.5},
                1,
                0.5,
                true,
                false,
                price,
                list,
                baseLogit,
                baseLogit == null ? null : 0.5,
                new double[] {0, 0},
                new double[] {1, 2},
                new double[] {0, 0},
                0,
                "fs-1",
                false,
                traits);
        return new FeedbackOutcome(
                id,
                "r-" + id,
                "u",
                "i",
                price,
                list,
                list * 0.6,
                model,
                "control",
                false,
                bought ? FeedbackOutcome.PURCHASE : FeedbackOutcome.NONE,
                bought ? price : 0,
                null,
                3600,
                0L,
                e);
    }

    @Test
    void publishesAfterEnoughOutcomesAndTheRestWhenTheIntervalEnds() throws Exception {
        for (int i = 0; i < 15; i++) {
            harness.processElement(outcome("d" + i, "v1", 9.0, 10.0, i % 3 == 0, -2.0), 0);
        }
        List<PriceResponsePosterior> published = harness.extractOutputValues();
        assertEquals(1, published.size(), "one publication after 10 outcomes");
        assertEquals(10, published.get(0).observations);
        assertEquals("v1", published.get(0).modelVersion);

        harness.setProcessingTime(2_000);
        published = harness.extractOutputValues();
        assertEquals(2, published.size(), "the interval publishes the 5 outcomes since");
        assertEquals(15, published.get(1).observations);
        assertEquals(0, harness.numProcessingTimeTimers(), "no timer left behind");
        harness.setProcessingTime(10_000);
        assertEquals(2, harness.extractOutputValues().size(), "nothing new, nothing published");
    }

    @Test
    void eachModelVersionLearnsApartAndFallbacksTeachNothing() throws Exception {
        assertNull(PriceResponseLearner.keyOf(outcome("f", "v1", 10.0, 10.0, true, null)));
        Random random = new Random(3);
        for (int i = 0; i < 3000; i++) {
            double price = i % 2 == 0 ? 10.0 : 8.5;
            // v2's shoppers respond strongly to the discount, v1's not at all.
            harness.processElement(outcome("a" + i, "v1", price, 10.0, random.nextDouble() < 0.2, -1.4), 0);
            harness.processElement(
                    outcome("b" + i, "v2", price, 10.0, random.nextDouble() < (price < 10 ? 0.4 : 0.2), -1.4), 0);
        }
        harness.setProcessingTime(5_000);
        SegmentPosterior v1 = null;
        SegmentPosterior v2 = null;
        int segment = org.pricingengine.job.policy.PriceSegments.index(SEGMENT, BANDS);
        for (PriceResponsePosterior p : harness.extractOutputValues()) {
            if (p.modelVersion.equals("v1")) {
                v1 = p.forRequest("v1", segment, TRAITS, -1.4);
            } else {
                v2 = p.forRequest("v2", segment, TRAITS, -1.4);
            }
        }
        assertEquals(3000, v1.observations);
        assertEquals(3000, v2.observations);
        assertTrue(v2.meanShift > v1.meanShift + 3, v1 + " / " + v2);
        assertEquals(2, harness.numKeyedStateEntries() / 2, "a posterior and its publication mark per key");
    }

    @Test
    void outcomesOfUnknownSegmentsOrWithoutTraitsAreNotLearned() throws Exception {
        harness.processElement(outcome("x", "v1", "price:7/shopper:new/item:first", TRAITS, 9.0, 10.0, true, -2.0), 0);
        FeedbackOutcome untraited = outcome("y", "v1", SEGMENT, null, 9.0, 10.0, true, -2.0);
        assertNull(PriceResponseLearner.keyOf(untraited));
        harness.setProcessingTime(5_000);
        assertEquals(0, harness.extractOutputValues().size(), "nothing learned, nothing published");
    }
}
