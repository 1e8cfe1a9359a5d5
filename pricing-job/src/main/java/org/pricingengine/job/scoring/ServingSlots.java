package org.pricingengine.job.scoring;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Where the serving operator hands what it serves to the scoring function chained after it. The two
 * run in one task (same thread), but Flink gives an async function no second input: the control
 * records reach the operator before it, which loads and checks new models off the task thread and
 * then switches the slot's {@link LiveServing} on the task thread, between two requests. Slots are
 * per task attempt of a job, in the job's classloader.
 */
final class ServingSlots {
    /** One task's serving. {@code current} is only written on the task thread; volatile for metrics. */
    static final class Slot {
        volatile LiveServing current;
        private int users;
        /**
         * Work for when the first serving is installed. On a restore Flink opens the scoring operator (the
         * tail of the chain) first, and it scores its restored in-flight requests right away; the serving
         * operator, the head, restores the serving state after it.
         */
        private final java.util.List<Runnable> waiting = new java.util.ArrayList<>();

        /** Installs a serving (task thread) and runs what waited for the first one. */
        void install(LiveServing serving) {
            current = serving;
            if (!waiting.isEmpty()) {
                java.util.List<Runnable> run = new java.util.ArrayList<>(waiting);
                waiting.clear();
                run.forEach(Runnable::run);
            }
        }

        /** Runs {@code work} once a serving is installed (task thread). */
        void whenServing(Runnable work) {
            if (current != null) {
                work.run();
            } else {
                waiting.add(work);
            }
        }
    }

    private static final Map<String, Slot> SLOTS = new HashMap<>();

    private ServingSlots() {}

    /** The slot of the task this context belongs to: the same for every operator chained in it. */
    static String keyOf(RuntimeContext context) {
        return context.getJobInfo().getJobId() + "/" + context.getTaskInfo().getTaskName() + "/"
                + context.getTaskInfo().getIndexOfThisSubtask() + "/"
                + context.getTaskInfo().getAttemptNumber();
    }

    static synchronized Slot attach(String key) {
        Slot slot = SLOTS.computeIfAbsent(key, k -> new Slot());
        slot.users++;
        return slot;
    }

    static synchronized void detach(String key) {
        Slot slot = SLOTS.get(key);
        if (slot != null && --slot.users <= 0) {
            SLOTS.remove(key);
        }
    }

    static synchronized int open() {
        return SLOTS.size();
    }
}
