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

/**
 * What runs on the cluster now, as the rollout tool submitted it: the job, its model version and canary,
 * and the job options it was given (so a rollout resubmits the same job with only the model changed).
 * Kept in {@code deployment.json} in the tool's state directory.
 */
public record Deployment(
        @JsonProperty("job_id") String jobId,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("canary_model_version") String canaryModelVersion,
        @JsonProperty("canary_share") double canaryShare,
        @JsonProperty("job_args") List<String> jobArgs,
        @JsonProperty("restored_from") String restoredFrom,
        @JsonProperty("submitted_at_ms") long submittedAtMs) {

    static final String FILE = "deployment.json";

    /** The job's program arguments: its options plus the model version and canary. */
    public List<String> programArgs() {
        List<String> args = new ArrayList<>(jobArgs);
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
        return canaryModelVersion == null || canaryModelVersion.isBlank()
                ? modelVersion
                : modelVersion + " + canary " + canaryModelVersion + " (" + Math.round(canaryShare * 1000) / 10.0
                        + "% of users)";
    }

    public Deployment withModels(String model, String canary, double share) {
        return new Deployment(jobId, model, canary, canary == null ? 0 : share, jobArgs, restoredFrom, submittedAtMs);
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

    /** Strips the options the tool owns, so they are set in one place only. */
    static List<String> withoutModelOptions(List<String> args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String key = args.get(i);
            if ((key.equals("--model.version") || key.equals("--canary.model-version") || key.equals("--canary.share"))
                    && i + 1 < args.size()) {
                i++;
            } else {
                kept.add(key);
            }
        }
        return kept;
    }
}
