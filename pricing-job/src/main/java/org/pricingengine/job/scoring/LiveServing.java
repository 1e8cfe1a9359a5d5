package org.pricingengine.job.scoring;

import java.util.ArrayList;
import java.util.List;

/**
 * What one scoring subtask serves: the control record that asked for it and the loaded models, which
 * passed their checks (manifest, checksum, feature fingerprint, graph, warm-up) and the probe. Holds one
 * reference to each model in {@link SharedModels}; the scoring arms that score with a model take their
 * own, so a session closes only when the last in-flight request on it is done.
 */
final class LiveServing {
    final ServingControl control;
    final DemandModel model;
    final DemandModel canary;
    final long loadMs;

    private LiveServing(ServingControl control, DemandModel model, DemandModel canary, long loadMs) {
        this.control = control;
        this.model = model;
        this.canary = canary;
        this.loadMs = loadMs;
    }

    /**
     * Loads and checks every model {@code control} asks for; throws {@link ModelContractException} with
     * every reason when one fails, having given back what it had loaded.
     */
    static LiveServing load(ServingControl control, ModelScoringFunction.Settings settings) {
        return load(control, settings, true);
    }

    /**
     * @param probe whether the probe must pass too: it gates a switch; the job's own versions at its start
     *              were checked when it was submitted, and a model that fails on live requests is handled
     *              there by the fallbacks and the circuit breaker, not by refusing to start
     */
    static LiveServing load(ServingControl control, ModelScoringFunction.Settings settings, boolean probe) {
        List<String> problems = control.problems();
        if (!problems.isEmpty()) {
            throw new ModelContractException(String.join("; ", problems));
        }
        long start = System.nanoTime();
        List<DemandModel> loaded = new ArrayList<>();
        try {
            for (String version : control.versions()) {
                DemandModel m = SharedModels.acquire(settings.location(version), settings.session());
                loaded.add(m);
                if (probe) {
                    problems.addAll(m.probe());
                }
            }
        } catch (RuntimeException e) {
            loaded.forEach(SharedModels::release);
            throw e instanceof ModelContractException ? e : new ModelContractException(e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            loaded.forEach(SharedModels::release);
            throw new ModelContractException(String.join("; ", problems));
        }
        return new LiveServing(
                control,
                loaded.get(0),
                loaded.size() > 1 ? loaded.get(1) : null,
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * The serving {@code live} already has, under a new control record that asks for the same models (a new
     * exploration, say): takes its own references to the same sessions, nothing is loaded.
     */
    static LiveServing sameModels(LiveServing live, ServingControl control, ModelScoringFunction.Settings settings) {
        DemandModel model = SharedModels.acquire(settings.location(live.model.version()), settings.session());
        DemandModel canary = live.canary == null
                ? null
                : SharedModels.acquire(settings.location(live.canary.version()), settings.session());
        return new LiveServing(control, model, canary, 0);
    }

    void release() {
        SharedModels.release(model);
        if (canary != null) {
            SharedModels.release(canary);
        }
    }
}
