package org.pricingengine.job.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.pricingengine.features.flink.ScoringRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot swap of models inside the running job. First input: the requests on their way to scoring, passed on
 * untouched. Second input: the model-control topic, broadcast to every subtask. A control record with a
 * newer revision is loaded off the task thread (manifest, checksum, feature fingerprint, graph, warm-up,
 * probe: {@link LiveServing#load}); then, on the task thread between two requests, the scoring function
 * chained after this operator gets the new serving ({@link ServingSlots}). Requests already at a model
 * finish there; nothing waits for the load. A record that fails a check is refused: the subtask keeps
 * serving, and its report on the {@link #REPORTS} side output says why.
 *
 * <p>State (broadcast, so every subtask and every rescaled subtask has it): the last control record
 * asked for and the last one this subtask serves. A restore tries them and the job's own options
 * ({@code model.serving-revision}) newest revision first: after a restart or a savepoint the job serves
 * what the control topic last asked for, or the last good state when that was refused, unless it was
 * submitted with newer options.
 */
public final class ServingControlOperator extends AbstractStreamOperator<ScoringRequest>
        implements TwoInputStreamOperator<ScoringRequest, ServingControl, ScoringRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ServingControlOperator.class);

    /** Each subtask's answer to each control record, and what it serves after a start or a restore. */
    public static final OutputTag<ServingReport> REPORTS =
            new OutputTag<>("model-serving-reports", TypeInformation.of(ServingReport.class));

    static final MapStateDescriptor<String, ServingControl> SERVING_STATE =
            new MapStateDescriptor<>("model-serving-state", Types.STRING, TypeInformation.of(ServingControl.class));
    private static final String ASKED = "asked";
    private static final String SERVED = "served";

    private final ModelScoringFunction.Settings settings;

    private transient MailboxExecutor mailbox;
    private transient BroadcastState<String, ServingControl> state;
    private transient ExecutorService loader;
    private transient ServingSlots.Slot slot;
    private transient String slotKey;
    /** The newest control record asked for; a load that finishes for an older one is dropped. */
    private transient ServingControl newestAsked;
    /** Reports made before the operator could emit (restore), emitted with the first mail. */
    private transient List<ServingReport> startupReports;

    private transient Counter switches;
    private transient Counter refusals;

    public ServingControlOperator(ModelScoringFunction.Settings settings) {
        this.settings = settings.controlled(true);
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        if (mailbox == null) {
            // Set by Flink for operators it creates from a factory; an operator test harness does not.
            mailbox = getContainingTask()
                    .getMailboxExecutorFactory()
                    .createExecutor(getOperatorConfig().getChainIndex());
        }
        state = context.getOperatorStateStore().getBroadcastState(SERVING_STATE);
        startupReports = new ArrayList<>();
        slotKey = ServingSlots.keyOf(getRuntimeContext());
        slot = ServingSlots.attach(slotKey);
        // Restored before any request: what the control topic last asked for, else the last state served,
        // else the job's options. The loads run here, on the task thread: nothing is waiting yet.
        ServingControl asked = state.get(ASKED);
        ServingControl served = state.get(SERVED);
        // Newest revision first; on a tie the restored state (it may carry exploration the options lack).
        List<ServingControl> tries = new ArrayList<>();
        ServingControl initial = settings.initialServing();
        for (ServingControl c : new ServingControl[] {asked, served, initial}) {
            if (c != null && tries.stream().noneMatch(t -> t.revision() == c.revision())) {
                tries.add(c);
            }
        }
        tries.sort(java.util.Comparator.comparingLong(ServingControl::revision).reversed());
        newestAsked = asked;
        for (ServingControl t : tries) {
            try {
                // The job's own options are served as submitted (checked then); a restored state is a switch.
                LiveServing live = LiveServing.load(t, settings, t != initial);
                slot.install(live);
                state.put(SERVED, t);
                startupReports.add(ServingReport.serving(subtask(), subtasks(), t, live.loadMs));
                LOG.info("Serving subtask {} starts with {} (revision {})", subtask(), t.describe(), t.revision());
                return;
            } catch (ModelContractException e) {
                if (t == tries.get(tries.size() - 1)) {
                    throw e; // nothing this subtask could serve: fail loudly rather than price blind
                }
                ServingControl fallback = tries.get(tries.indexOf(t) + 1);
                startupReports.add(ServingReport.refused(subtask(), subtasks(), t, fallback, List.of(e.getMessage())));
                LOG.warn(
                        "Serving subtask {} cannot serve {} after the restore: {}",
                        subtask(),
                        t.describe(),
                        e.getMessage());
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        switches = getMetricGroup().counter("modelSwitches");
        refusals = getMetricGroup().counter("modelRefusals");
        getMetricGroup().gauge("servingRevision", () -> {
            LiveServing live = slot == null ? null : slot.current;
            return live == null ? -1L : live.control.revision();
        });
        loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "model-loader-" + subtask());
            t.setDaemon(true);
            return t;
        });
        List<ServingReport> reports = startupReports;
        startupReports = null;
        mailbox.execute(() -> reports.forEach(this::report), "report serving after start");
    }

    @Override
    public void processElement1(StreamRecord<ScoringRequest> element) {
        output.collect(element);
    }

    @Override
    public void processElement2(StreamRecord<ServingControl> element) throws Exception {
        ServingControl asked = element.getValue();
        LiveServing live = slot.current;
        List<String> problems = asked.problemsAsRecord();
        if (!problems.isEmpty()) {
            refuse(asked, problems);
            return;
        }
        // Replays after a restore, and records older than what already serves, change nothing.
        long applied = Math.max(live.control.revision(), newestAsked == null ? Long.MIN_VALUE : newestAsked.revision());
        if (asked.revision() <= applied) {
            return;
        }
        state.put(ASKED, asked);
        newestAsked = asked;
        if (asked.sameModels(live.control)) {
            // Same sessions, new exploration or revision: nothing to load.
            switchTo(LiveServing.sameModels(live, asked, settings));
            return;
        }
        loader.execute(() -> {
            LiveServing loaded;
            try {
                loaded = LiveServing.load(asked, settings);
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                onTaskThread(() -> refuse(asked, List.of(why)), "refuse serving revision " + asked.revision());
                return;
            }
            if (!onTaskThread(() -> switchTo(loaded), "switch serving to revision " + asked.revision())) {
                loaded.release(); // the task is closing: nobody will serve it
            }
        });
    }

    /** Hands an action to the task thread; false when the task no longer takes any (it is closing). */
    private boolean onTaskThread(
            org.apache.flink.util.function.ThrowingRunnable<? extends Exception> action, String description) {
        try {
            mailbox.execute(action, description);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }

    /** On the task thread: the scoring function picks the new serving up with the next request. */
    private void switchTo(LiveServing next) throws Exception {
        if (newestAsked != null && next.control.revision() < newestAsked.revision()) {
            next.release(); // a newer record came in while this one loaded: it wins
            return;
        }
        LiveServing previous = slot.current;
        slot.install(next);
        state.put(SERVED, next.control);
        switches.inc();
        report(ServingReport.serving(subtask(), subtasks(), next.control, next.loadMs));
        LOG.info(
                "Serving subtask {} switched from {} to {} (revision {}, loaded in {} ms)",
                subtask(),
                previous.control.describe(),
                next.control.describe(),
                next.control.revision(),
                next.loadMs);
        previous.release();
    }

    private void refuse(ServingControl asked, List<String> problems) {
        refusals.inc();
        LiveServing live = slot.current;
        report(ServingReport.refused(subtask(), subtasks(), asked, live.control, problems));
        LOG.warn(
                "Serving subtask {} refused revision {} ({}), keeps serving {}: {}",
                subtask(),
                asked.revision(),
                asked.modelVersion(),
                live.control.describe(),
                problems);
    }

    private void report(ServingReport report) {
        output.collect(REPORTS, new StreamRecord<>(report));
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    private int subtasks() {
        return getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    }

    @Override
    public void close() throws Exception {
        shutDown();
        super.close();
    }

    private void shutDown() {
        if (loader != null) {
            loader.shutdownNow();
            loader = null;
        }
        if (slot != null) {
            LiveServing live = slot.current;
            slot.current = null;
            if (live != null) {
                live.release();
            }
            ServingSlots.detach(slotKey);
            slot = null;
        }
    }
}
