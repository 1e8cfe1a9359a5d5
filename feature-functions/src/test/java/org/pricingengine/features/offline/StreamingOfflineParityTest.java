package org.pricingengine.features.offline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureVectorizer;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.features.flink.ItemStateFunction;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.features.flink.UserBehaviourFunction;
import org.pricingengine.features.flink.UserInput;
import org.pricingengine.features.rees46.Rees46Converter;
import org.pricingengine.features.rees46.Rees46Reader;
import org.pricingengine.features.rees46.Rees46Row;
import org.pricingengine.features.rees46.ReplayRecord;

/**
 * The features the streaming operators compute for a request equal the features in the training
 * example the offline extractor wrote for it: same events, same code path, bit for bit.
 */
class StreamingOfflineParityTest {
    private static final Path DATA = Path.of("..", "model-assets", "data", "rees46", "cosmetics_2019-10_2019-11.csv");

    @Test
    void streamingFeaturesEqualTrainingExamplesOnRealData() throws Exception {
        List<Rees46Row> rows = Rees46Reader.readAll(DATA).subList(0, 6000);
        Map<String, TrainingExampleExtractor.Example> offline = new HashMap<>();
        for (TrainingExampleExtractor.Example e : new TrainingExampleExtractor(
                        TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY)
                .extract(rows, "cosmetics_2019-10_2019-11", FeatureVectorizer::compute)) {
            offline.put(e.requestId(), e);
        }

        try (KeyedOneInputStreamOperatorTestHarness<String, InboundRecord, EnrichedRequest> items =
                        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                                new ItemStateFunction(Duration.ofDays(90), Duration.ofSeconds(2), 100),
                                InboundRecord::itemId,
                                Types.STRING);
                KeyedOneInputStreamOperatorTestHarness<String, UserInput, ScoringRequest> users =
                        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                                new UserBehaviourFunction(
                                        TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY, Duration.ofDays(30)),
                                UserInput::userId,
                                Types.STRING)) {
            items.open();
            users.open();
            Rees46Converter converter = new Rees46Converter("cosmetics_2019-10_2019-11");
            int compared = 0;
            for (Rees46Row row : rows) {
                for (ReplayRecord record : converter.convert(row)) {
                    long t = record.eventTimeMs();
                    switch (record.role()) {
                        case CATALOG -> items.processElement(InboundRecord.of((CatalogUpdate) record.value()), t);
                        case BEHAVIOUR -> {
                            BehaviourEvent event = (BehaviourEvent) record.value();
                            items.processElement(InboundRecord.of(event), t);
                            users.processElement(UserInput.of(event), t);
                        }
                        case REQUEST -> {
                            items.processElement(InboundRecord.of((PriceRequest) record.value(), 0L), t);
                            for (EnrichedRequest enriched : items.extractOutputValues()) {
                                users.processElement(UserInput.of(enriched), t);
                            }
                            items.getOutput().clear();
                            for (ScoringRequest scored : users.extractOutputValues()) {
                                TrainingExampleExtractor.Example example =
                                        offline.get(scored.enriched().request().requestId());
                                if (example == null) {
                                    continue; // No shown price: the extractor makes no example, the job still prices
                                    // it.
                                }
                                assertArrayEquals(
                                        example.features().sequence(),
                                        scored.features().sequence());
                                assertArrayEquals(
                                        example.features().paddingMask(),
                                        scored.features().paddingMask());
                                assertArrayEquals(
                                        example.features().contextRaw(),
                                        scored.features().contextRaw(),
                                        "context of " + example.requestId());
                                compared++;
                            }
                            users.getOutput().clear();
                        }
                    }
                }
            }
            assertEquals(offline.size(), compared, "every training example has its streaming twin");
            assertTrue(compared > 2000, "compared " + compared);
        }
    }
}
