package org.pricingengine.job.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.config.PricingConfig.ModelDevice;

/**
 * The serving operator on the shipped models: a newer control record switches the slot's serving once the
 * new version loaded, off the task thread; older revisions change nothing; a version that fails a check is
 * refused with a report and the subtask keeps serving; a restore serves what was last asked for, or the last
 * state served when that cannot load; closing gives every session back.
 */
class ServingControlOperatorTest {
    @TempDir
    Path models;

    private ModelScoringFunction.Settings settings() throws Exception {
        TestModels.copyOf("v1", models);
        TestModels.copyOf("v2", models);
        return new ModelScoringFunction.Settings(
                models.toString(), "v1", ModelDevice.CPU, 0, 1, 32, 1_000_000L, 64, 1000, 1000, null, 0, 0L, false);
    }

    private static ServingControl control(long revision, String version, String canary, double share) {
        return new ServingControl(revision, version, canary, share, null, "test", null);
    }

    @Test
    void switchesRefusesAndRestoresWhatWasAsked() throws Exception {
        ModelScoringFunction.Settings settings = settings();
        int sessionsBefore = SharedModels.openSessions();
        OperatorSubtaskState snapshot;
        ServingControlOperator operator = new ServingControlOperator(settings);
        try (TwoInputStreamOperatorTestHarness<ScoringRequest, ServingControl, ScoringRequest> harness =
                new TwoInputStreamOperatorTestHarness<>(operator)) {
            harness.open();
            runMails(harness, 1);
            ServingReport started = onlyReport(harness);
            assertEquals(ServingReport.Status.SERVING, started.status());
            assertEquals("v1", started.servingModelVersion());
            assertEquals(0, started.revision());
            ServingSlots.Slot slot = slotOf(harness);
            assertEquals("v1", slot.current.model.version());

            // v1 with a canary of v2 for 30%: loaded beside v1, then switched.
            harness.processElement2(new StreamRecord<>(control(5, "v1", "v2", 0.3)));
            assertEquals("v1", slot.current.model.version(), "nothing switches before the load is done");
            runMails(harness, 1);
            ServingReport switched = onlyReport(harness);
            assertEquals(ServingReport.Status.SERVING, switched.status(), switched.toString());
            assertEquals(5, switched.servingRevision());
            assertEquals("v2", switched.servingCanaryModelVersion());
            assertEquals("v2", slot.current.canary.version());
            assertEquals(0.3, slot.current.control.canaryShare());

            // An older revision (a replay) changes nothing and says nothing.
            harness.processElement2(new StreamRecord<>(control(4, "v2", null, 0)));
            assertTrue(!hasMail(harness), "an older revision loads nothing");
            assertTrue(reports(harness).isEmpty());

            // A version that is not there: refused after the load failed, v1 + canary v2 keeps serving.
            LiveServing before = slot.current;
            harness.processElement2(new StreamRecord<>(control(6, "v7", null, 0)));
            runMails(harness, 1);
            ServingReport refused = onlyReport(harness);
            assertEquals(ServingReport.Status.REFUSED, refused.status());
            assertEquals(6, refused.revision());
            assertEquals(5, refused.servingRevision());
            assertTrue(refused.reasons().get(0).contains("v7"), refused.toString());
            assertSame(before, slot.current);

            // A record that names a path outside the model folder is refused without touching the disk.
            harness.processElement2(new StreamRecord<>(control(8, "../v1", null, 0)));
            ServingReport outside = onlyReport(harness);
            assertEquals(ServingReport.Status.REFUSED, outside.status());
            assertTrue(outside.reasons().get(0).contains("model_version"), outside.toString());
            harness.processElement2(new StreamRecord<>(ServingControl.unreadable("not JSON")));
            assertEquals(List.of("not JSON"), onlyReport(harness).reasons());

            // Requests pass through untouched.
            ScoringRequest request = new ScoringRequest(
                    new EnrichedRequest(
                            new PriceRequest("r1", "u1", "i1", 1000L, null, null),
                            1000L,
                            new ItemSnapshot("i1", "c", "b", 50.0, 20.0, null, 0, 0, 0)),
                    null);
            harness.processElement1(new StreamRecord<>(request, 1L));
            assertEquals(List.of(request), harness.extractOutputValues());
            snapshot = harness.snapshot(1, 1);
        }
        assertEquals(sessionsBefore, SharedModels.openSessions(), "closing gives every session back");

        // Restored: v7 was asked for last and still cannot load, so the last state served comes back.
        try (TwoInputStreamOperatorTestHarness<ScoringRequest, ServingControl, ScoringRequest> restored =
                new TwoInputStreamOperatorTestHarness<>(new ServingControlOperator(settings))) {
            restored.initializeState(snapshot);
            restored.open();
            runMails(restored, 1);
            List<ServingReport> atStart = reports(restored);
            assertEquals(2, atStart.size(), atStart.toString());
            assertEquals(ServingReport.Status.REFUSED, atStart.get(0).status());
            assertEquals(6, atStart.get(0).revision());
            assertEquals(ServingReport.Status.SERVING, atStart.get(1).status());
            assertEquals(5, atStart.get(1).servingRevision());
            ServingSlots.Slot slot = slotOf(restored);
            assertEquals("v1", slot.current.model.version());
            assertEquals("v2", slot.current.canary.version());
            // The replayed record of revision 5 changes nothing; a new one for v2 alone switches.
            restored.processElement2(new StreamRecord<>(control(5, "v1", "v2", 0.3)));
            assertTrue(reports(restored).isEmpty());
            restored.processElement2(new StreamRecord<>(control(9, "v2", null, 0)));
            runMails(restored, 1);
            assertEquals("v2", onlyReport(restored).servingModelVersion());
            assertNull(slot.current.canary);
        }
        assertEquals(sessionsBefore, SharedModels.openSessions());
        assertEquals(0, ServingSlots.open(), "no slot left behind");
    }

    private static ServingSlots.Slot slotOf(TwoInputStreamOperatorTestHarness<?, ?, ?> harness) {
        ServingSlots.Slot slot =
                ServingSlots.attach(ServingSlots.keyOf(harness.getOperator().getRuntimeContext()));
        ServingSlots.detach(ServingSlots.keyOf(harness.getOperator().getRuntimeContext()));
        return slot;
    }

    private static boolean hasMail(TwoInputStreamOperatorTestHarness<?, ?, ?> harness) {
        return harness.getTaskMailbox().hasMail();
    }

    /** Runs mails as they come until {@code n} ran (a load finishes on the loader thread first). */
    private static void runMails(TwoInputStreamOperatorTestHarness<?, ?, ?> harness, int n) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        int ran = 0;
        while (ran < n) {
            Optional<Mail> mail = harness.getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
            if (mail.isPresent()) {
                mail.get().run();
                ran++;
            } else if (System.nanoTime() > deadline) {
                throw new AssertionError("no mail within 60 s");
            } else {
                Thread.sleep(10);
            }
        }
    }

    private static List<ServingReport> reports(TwoInputStreamOperatorTestHarness<?, ?, ?> harness) {
        ConcurrentLinkedQueue<StreamRecord<ServingReport>> side = harness.getSideOutput(ServingControlOperator.REPORTS);
        List<ServingReport> out = new ArrayList<>();
        if (side != null) {
            StreamRecord<ServingReport> r;
            while ((r = side.poll()) != null) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    private static ServingReport onlyReport(TwoInputStreamOperatorTestHarness<?, ?, ?> harness) {
        List<ServingReport> r = reports(harness);
        assertEquals(1, r.size(), r.toString());
        return r.get(0);
    }
}
