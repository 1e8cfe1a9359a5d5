package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.tools.evaluation.FeedbackExamples;

/**
 * The exporter reads the job's topics as the job writes them: transactional, over several partitions,
 * read_committed to their end. Records of an aborted transaction are never exported.
 */
class FeedbackExamplesKafkaIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    private static final String FEEDBACK = "fx.feedback-outcomes";
    private static final String FEATURES = "fx.decision-features";

    @Test
    void exportsCommittedRandomizedDecisionsOnly(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        KAFKA.createTopics(2, List.of(FEEDBACK, FEATURES));
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 6; i++) {
                send(producer, "d" + i, i % 2 == 0 ? 0.5 : 0.25, i < 5);
            }
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, "aborted", 0.5, true);
            producer.flush();
            producer.abortTransaction();
        }

        FeedbackExamples export = new FeedbackExamples(FeedbackExamples.DEFAULT_WEIGHT_CLIP, dir.resolve("models"));
        long deadline = System.currentTimeMillis() + 60_000;
        PricingConfig config = PricingConfig.of(Map.of());
        export.readOutcomesTopic(KAFKA.bootstrapServers(), config, FEEDBACK, deadline);
        export.readFeaturesTopic(KAFKA.bootstrapServers(), config, FEATURES, deadline);
        FeedbackExamples.Result r = export.write(dir.resolve("examples"));

        assertEquals(6, r.outcomes(), "the aborted outcome is not read");
        assertEquals(5, r.featureRecords());
        assertEquals(1, r.withoutFeatures());
        assertEquals(5, r.examples());
        assertEquals(5 * 4L, Files.size(dir.resolve("examples/ipw.f32")));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String id, double propensity, boolean features) {
        PriceExperiment e = new PriceExperiment(
                "thompson-ladder",
                PriceExperiment.POLICY,
                "s",
                new double[] {10.0, 9.0},
                new double[] {1 - propensity, propensity},
                1,
                propensity,
                true,
                false,
                9.0,
                10.0,
                -2.0,
                1.0,
                new double[] {0, 0},
                new double[] {1, 1},
                new double[] {0, 0},
                0,
                FeatureSpec.VERSION,
                features);
        FeedbackOutcome o = new FeedbackOutcome(
                id,
                "r" + id,
                "u" + id,
                "7",
                9.0,
                10.0,
                6.0,
                "v1",
                "control",
                false,
                "none",
                0,
                null,
                3600,
                1_700_000_000_000L,
                e);
        producer.send(new ProducerRecord<>(FEEDBACK, bytes("u" + id), Json.toBytes(o)));
        if (features) {
            float[] mask = new float[FeatureSpec.SEQUENCE_LENGTH];
            Arrays.fill(mask, 1f);
            FeatureVector v = new FeatureVector(
                    new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM],
                    mask,
                    new float[FeatureSpec.CONTEXT_DIM]);
            producer.send(new ProducerRecord<>(
                    FEATURES, bytes(id), Json.toBytes(DecisionFeatures.of(id, FeatureSpec.VERSION, "v1", v))));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "feedback-examples-it");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
