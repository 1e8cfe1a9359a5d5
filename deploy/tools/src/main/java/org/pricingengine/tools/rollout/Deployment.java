package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.scoring.ServingControl;

/**
 * What runs on the cluster now, as the rollout tool submitted it: the job, its model version and canary,
 * its parallelism, and the job options it was given (so a rollout resubmits the same job with only the
 * model changed, and a rescale with only the parallelism changed). Kept in {@code deployment.json} in the
 * tool's state directory. A parallelism of 0 leaves it to the cluster's default (and to a {@code --config}
 * file among the job options); a deployment recorded before the field existed reads as 0. {@code
 * serving_revision} is the model-control revision its models stand for (the job's
 * {@code model.serving-revision}; 0: none), and {@code submitted_at_ms} the time its models started serving:
 * the job's submission, or the moment every scoring subtask reported the hot swap done.
 */
public record Deployment(
        @JsonProperty("job_id") String jobId,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("canary_model_version") String canaryModelVersion,
        @JsonProperty("canary_share") double canaryShare,
        @JsonProperty("job_args") List<String> jobArgs,
        @JsonProperty("restored_from") String restoredFrom,
        @JsonProperty("submitted_at_ms") long submittedAtMs,
        @JsonProperty("parallelism") int parallelism,
        @JsonProperty("serving_revision") long servingRevision) {

    static final String FILE = "deployment.json";
    static final String PARALLELISM_ARG = "--" + PricingConfig.PARALLELISM.key();
    static final String REVISION_ARG = "--" + PricingConfig.MODEL_SERVING_REVISION.key();

    /** The serving state this deployment asks for, as a model-control record. */
    public ServingControl serving(String issuedBy) {
        boolean canary = canaryModelVersion != null && !canaryModelVersion.isBlank();
        return new ServingControl(
                servingRevision,
                modelVersion,
                canary ? canaryModelVersion : null,
                canary ? canaryShare : 0,
                null,
                issuedBy,
                null);
    }

    /** The same deployment under a new model-control revision, above every earlier one. */
    public Deployment withNewRevision() {
        long revision = Math.max(System.currentTimeMillis(), servingRevision + 1);
        return new Deployment(
                jobId,
                modelVersion,
                canaryModelVersion,
                canaryShare,
                jobArgs,
                restoredFrom,
                submittedAtMs,
                parallelism,
                revision);
    }

    /** The same deployment, serving since {@code atMs} in the running job {@code id} (a hot swap). */
    Deployment servingSince(String id, long atMs) {
        return new Deployment(
                id,
                modelVersion,
                canaryModelVersion,
                canaryShare,
                jobArgs,
                restoredFrom,
                atMs,
                parallelism,
                servingRevision);
    }

    /** The job's program arguments: its options plus the model version, canary and parallelism. */
    public List<String> programArgs() {
        List<String> args = new ArrayList<>(jobArgs);
        if (parallelism > 0) {
            args.add(PARALLELISM_ARG);
            args.add(Integer.toString(parallelism));
        }
        if (servingRevision > 0) {
            args.add(REVISION_ARG);
            args.add(Long.toString(servingRevision));
        }
        args.add("--model.version");
        args.add(modelVersion);
        if (canaryModelVersion != null && !canaryModelVersion.isBlank()) {
            args.add("--canary.model-version");
            args.add(canaryModelVersion);
            args.add("--canary.share");
            args.add(Double.toString(canaryShare));
        }
        return args;
    }

    public String describe() {
        String models = canaryModelVersion == null || canaryModelVersion.isBlank()
                ? modelVersion
                : modelVersion + " + canary " + canaryModelVersion + " (" + Math.round(canaryShare * 1000) / 10.0
                        + "% of users)";
        return parallelism > 0 ? models + " at parallelism " + parallelism : models;
    }

    public Deployment withModels(String model, String canary, double share) {
        return new Deployment(
                        jobId,
                        model,
                        canary,
                        canary == null ? 0 : share,
                        jobArgs,
                        restoredFrom,
                        submittedAtMs,
                        parallelism,
                        servingRevision)
                .withNewRevision();
    }

    public Deployment withParallelism(int newParallelism) {
        if (newParallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + newParallelism);
        }
        return new Deployment(
                jobId,
                modelVersion,
                canaryModelVersion,
                canaryShare,
                jobArgs,
                restoredFrom,
                submittedAtMs,
                newParallelism,
                servingRevision);
    }

    /** The same deployment, not yet submitted, to be started from {@code savepoint} (null: empty state). */
    Deployment startingFrom(String savepoint) {
        return new Deployment(
                null,
                modelVersion,
                canaryModelVersion,
                canaryShare,
                jobArgs,
                savepoint,
                0,
                parallelism,
                servingRevision);
    }

    /**
     * The parallelism the job options ask for ({@code --job.parallelism N}, the last one wins); 0 when they
     * name none.
     */
    static int parallelismIn(List<String> args) {
        int p = 0;
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals(PARALLELISM_ARG)) {
                try {
                    p = Integer.parseInt(args.get(i + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            PARALLELISM_ARG + " must be a whole number, got '" + args.get(i + 1) + "'", e);
                }
                if (p < 0) {
                    throw new IllegalArgumentException(PARALLELISM_ARG + " must not be negative, got " + p);
                }
            }
        }
        return p;
    }

    static Deployment load(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.mapper().readValue(file.toFile(), Deployment.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    void save(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            Path tmp = stateDir.resolve(FILE + ".tmp");
            Json.mapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
            Files.move(
                    tmp, stateDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stateDir.resolve(FILE), e);
        }
    }

    /** Strips the options the tool owns (model, canary, parallelism), so they are set in one place only. */
    static List<String> withoutModelOptions(List<String> args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String key = args.get(i);
            if ((key.equals("--model.version")
                            || key.equals("--canary.model-version")
                            || key.equals("--canary.share")
                            || key.equals(PARALLELISM_ARG)
                            || key.equals(REVISION_ARG))
                    && i + 1 < args.size()) {
                i++;
            } else {
                kept.add(key);
            }
        }
        return kept;
    }
}
