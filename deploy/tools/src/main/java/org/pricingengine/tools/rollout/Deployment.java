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

/**
 * What runs on the cluster now, as the rollout tool submitted it: the job, its model version and canary,
 * its parallelism, and the job options it was given (so a rollout resubmits the same job with only the
 * model changed, and a rescale with only the parallelism changed). Kept in {@code deployment.json} in the
 * tool's state directory. A parallelism of 0 leaves it to the cluster's default (and to a {@code --config}
 * file among the job options); a deployment recorded before the field existed reads as 0.
 */
public record Deployment(
        @JsonProperty("job_id") String jobId,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("canary_model_version") String canaryModelVersion,
        @JsonProperty("canary_share") double canaryShare,
        @JsonProperty("job_args") List<String> jobArgs,
        @JsonProperty("restored_from") String restoredFrom,
        @JsonProperty("submitted_at_ms") long submittedAtMs,
        @JsonProperty("parallelism") int parallelism) {

    static final String FILE = "deployment.json";
    static final String PARALLELISM_ARG = "--" + PricingConfig.PARALLELISM.key();

    /** The job's program arguments: its options plus the model version, canary and parallelism. */
    public List<String> programArgs() {
        List<String> args = new ArrayList<>(jobArgs);
        if (parallelism > 0) {
            args.add(PARALLELISM_ARG);
            args.add(Integer.toString(parallelism));
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
                jobId, model, canary, canary == null ? 0 : share, jobArgs, restoredFrom, submittedAtMs, parallelism);
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
                newParallelism);
    }

    /** The same deployment, not yet submitted, to be started from {@code savepoint} (null: empty state). */
    Deployment startingFrom(String savepoint) {
        return new Deployment(null, modelVersion, canaryModelVersion, canaryShare, jobArgs, savepoint, 0, parallelism);
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
                            || key.equals(PARALLELISM_ARG))
                    && i + 1 < args.size()) {
                i++;
            } else {
                kept.add(key);
            }
        }
        return kept;
    }
}
