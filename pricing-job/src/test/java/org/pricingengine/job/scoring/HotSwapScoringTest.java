package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig.ModelDevice;

/**
 * The scoring function under serving control, on the shipped models: requests already at a model when
 * the serving switches finish on it, the next ones go to the new model, and the old session closes once
 * its last request is done (not at the switch, not only when the job stops).
 */
class HotSwapScoringTest {
    /** Batches wait this long for company: requests are still at the model when the switch comes. */
    private static final long BATCH_WAIT_NANOS = 400_000_000L;

    @Test
    void inFlightRequestsFinishOnTheirModelAndTheOldSessionClosesAfterThem() throws Exception {
        ModelScoringFunction.Settings settings = controlledSettings(BATCH_WAIT_NANOS);
        int sessionsBefore = SharedModels.openSessions();
        OneInputStreamOperatorTestHarness<ScoringRequest, ScoredRequest> harness = harness(settings);
        harness.open();
        // What the serving operator chained before the function would do: install a serving in the task's slot.
        String key = ServingSlots.keyOf(harness.getOperator().getRuntimeContext());
        ServingSlots.Slot slot = ServingSlots.attach(key);
        slot.current = LiveServing.load(settings.initialServing(), settings);
        // Loaded before the requests, as the serving operator loads off the task thread: the switch itself is
        // a reference swap, well inside the batch wait even on a busy machine.
        LiveServing v2 = LiveServing.load(new ServingControl(7, "v2", null, 0, null, "test", null), settings);

        for (int n = 0; n < 10; n++) {
            harness.processElement(request("before-" + n), n);
        }
        // The switch, while the ten wait in v1's batch: v1's arm retires, v2 takes the next requests.
        LiveServing v1 = slot.current;
        slot.current = v2;
        v1.release();
        for (int n = 0; n < 10; n++) {
            harness.processElement(request("after-" + n), 10 + n);
        }
        assertEquals(2, SharedModels.openSessions() - sessionsBefore, "v1 is still at work for the first ten");
        harness.endInput();

        Map<String, String> versionByRequest = new TreeMap<>();
        for (ScoredRequest s : harness.extractOutputValues()) {
            assertEquals(null, s.failure(), s.toString());
            versionByRequest.put(s.enriched().request().requestId(), s.modelVersion());
        }
        assertEquals(20, versionByRequest.size());
        versionByRequest.forEach(
                (request, version) -> assertEquals(request.startsWith("before") ? "v1" : "v2", version, request));
        // v1's arm closes on a thread of its own once its last request is done.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (SharedModels.openSessions() - sessionsBefore > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, SharedModels.openSessions() - sessionsBefore, "only v2's session is left open");

        harness.close();
        slot.current.release();
        ServingSlots.detach(key);
        assertEquals(sessionsBefore, SharedModels.openSessions(), "nothing left open");
        assertEquals(0, ServingSlots.open());
    }

    @Test
    void requestsScoredBeforeTheServingIsRestoredWaitForIt() throws Exception {
        ModelScoringFunction.Settings settings = controlledSettings(1_000_000L);
        OneInputStreamOperatorTestHarness<ScoringRequest, ScoredRequest> harness = harness(settings);
        harness.open();
        // On a restore Flink opens the scoring operator first; it scores its restored requests at once.
        for (int n = 0; n < 5; n++) {
            harness.processElement(request("restored-" + n), n);
        }
        String key = ServingSlots.keyOf(harness.getOperator().getRuntimeContext());
        ServingSlots.Slot slot = ServingSlots.attach(key);
        // Then the serving operator restores the serving state: the waiting requests are scored with it.
        slot.install(LiveServing.load(new ServingControl(3, "v2", null, 0, null, "test", null), settings));
        harness.endInput();
        List<ScoredRequest> out = harness.extractOutputValues();
        assertEquals(5, out.size());
        out.forEach(s -> {
            assertEquals(null, s.failure(), s.toString());
            assertEquals("v2", s.modelVersion(), "scored with the restored serving");
        });
        harness.close();
        slot.current.release();
        ServingSlots.detach(key);
    }

    /** v1 on the CPU, serving control on; batches of up to 64 that wait {@code batchWaitNanos} for company. */
    private static ModelScoringFunction.Settings controlledSettings(long batchWaitNanos) {
        return new ModelScoringFunction.Settings(
                TestModels.root().toString(),
                "v1",
                ModelDevice.CPU,
                0,
                1,
                64,
                batchWaitNanos,
                1024,
                1000,
                1000,
                null,
                0,
                0L,
                true);
    }

    private static OneInputStreamOperatorTestHarness<ScoringRequest, ScoredRequest> harness(
            ModelScoringFunction.Settings settings) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(
                        new ModelScoringFunction(settings), 60_000, 100, AsyncDataStream.OutputMode.UNORDERED),
                TypeInformation.of(ScoringRequest.class).createSerializer(new SerializerConfigImpl()));
    }

    private static ScoringRequest request(String id) {
        float[] context = new float[FeatureSpec.CONTEXT_DIM];
        Arrays.fill(context, 1f);
        float[] padding = new float[FeatureSpec.SEQUENCE_LENGTH];
        Arrays.fill(padding, 1f);
        FeatureVector features =
                new FeatureVector(new float[FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM], padding, context);
        ItemSnapshot item = new ItemSnapshot("i", "c", "b", 50.0, 20.0, null, 0, 0, 0);
        return new ScoringRequest(
                new EnrichedRequest(new PriceRequest(id, "u-" + id, "i", 1000L, null, null), 1000L, item), features);
    }
}
