package org.pricingengine.job.scoring;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One record of the model-control topic: the serving state an operator wants (see
 * model-assets/CONTRACT.md, "Serving control"). Every scoring subtask applies the newest revision it has
 * seen without a restart, or refuses it with a reason and keeps serving what it serves. It is also the
 * serving operator's state type: its field names and types are part of the savepoint format.
 *
 * @param revision           orders the records: a subtask ignores one whose revision is not above the last
 *                           it applied (replays after a restore, a stale writer); the rollout tool uses
 *                           epoch milliseconds
 * @param modelVersion       the version pricing the control arm
 * @param canaryModelVersion the version pricing the canary arm; null: no canary
 * @param canaryShare        the share of shoppers on the canary arm (by user id, {@link CanaryArms})
 * @param exploration        the policy's randomization while this state serves; null: as the job was started
 * @param issuedBy           who asked, for the record (a person, a tool); free text
 * @param problem            set only on a record that could not be read: why (such a record is refused)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServingControl(
        @JsonProperty("revision") long revision,
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("canary_model_version") String canaryModelVersion,
        @JsonProperty("canary_share") double canaryShare,
        @JsonProperty("exploration") Exploration exploration,
        @JsonProperty("issued_by") String issuedBy,
        @JsonProperty("problem") String problem) {

    /** Model versions are folder names under model.dir: nothing that could leave that folder. */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * The policy's randomization: {@code mode} "thompson" or "off" (as {@code pricing.exploration}), the
     * uniform share and the holdout share (as {@code pricing.exploration.uniform-share} and
     * {@code pricing.holdout-share}).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Exploration(
            @JsonProperty("mode") String mode,
            @JsonProperty("uniform_share") double uniformShare,
            @JsonProperty("holdout_share") double holdoutShare)
            implements java.io.Serializable {
        public boolean thompson() {
            return "thompson".equals(mode);
        }
    }

    /** What the job serves when it starts without a control record: its own options. */
    public static ServingControl initial(
            long revision, String modelVersion, String canaryModelVersion, double canaryShare) {
        return new ServingControl(revision, modelVersion, canaryModelVersion, canaryShare, null, "job options", null);
    }

    /** A control record that could not be read: refused with the reason. */
    public static ServingControl unreadable(String why) {
        return new ServingControl(-1, null, null, 0, null, null, why);
    }

    public boolean hasCanary() {
        return canaryModelVersion != null && !canaryModelVersion.isBlank() && canaryShare > 0;
    }

    /** The versions this state needs loaded: the control arm's, then the canary's if any. */
    public List<String> versions() {
        return hasCanary() ? List.of(modelVersion, canaryModelVersion) : List.of(modelVersion);
    }

    /** Whether both ask for the same models and the same split (exploration and revision aside). */
    public boolean sameModels(ServingControl other) {
        return other != null
                && modelVersion.equals(other.modelVersion)
                && hasCanary() == other.hasCanary()
                && (!hasCanary()
                        || (canaryModelVersion.equals(other.canaryModelVersion) && canaryShare == other.canaryShare));
    }

    /**
     * What is wrong with the state as such, before any model is looked at; empty when nothing. A record
     * from the topic must also have a positive revision ({@link #problemsAsRecord}).
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (problem != null) {
            problems.add(problem);
            return problems;
        }
        if (modelVersion == null || !VERSION.matcher(modelVersion).matches()) {
            problems.add("model_version must be a version folder name ([A-Za-z0-9._-], up to 64), is " + modelVersion);
        }
        if (canaryModelVersion != null && !canaryModelVersion.isBlank()) {
            if (!VERSION.matcher(canaryModelVersion).matches()) {
                problems.add("canary_model_version must be a version folder name, is " + canaryModelVersion);
            } else if (canaryModelVersion.equals(modelVersion)) {
                problems.add("canary_model_version must differ from model_version (" + modelVersion + ")");
            }
        }
        if (!(canaryShare >= 0 && canaryShare <= 1)) {
            problems.add("canary_share must be in [0, 1], is " + canaryShare);
        }
        if (exploration != null) {
            if (!"thompson".equals(exploration.mode()) && !"off".equals(exploration.mode())) {
                problems.add("exploration.mode must be thompson or off, is " + exploration.mode());
            }
            if (!(exploration.uniformShare() >= 0 && exploration.uniformShare() <= 1)) {
                problems.add("exploration.uniform_share must be in [0, 1], is " + exploration.uniformShare());
            }
            if (!(exploration.holdoutShare() >= 0 && exploration.holdoutShare() <= 1)) {
                problems.add("exploration.holdout_share must be in [0, 1], is " + exploration.holdoutShare());
            }
        }
        return problems;
    }

    /** {@link #problems} of a record read from the control topic: its revision must be positive too. */
    public List<String> problemsAsRecord() {
        List<String> problems = problems();
        if (problem == null && revision <= 0) {
            problems.add(0, "revision must be positive, is " + revision);
        }
        return problems;
    }

    /** For logs and reports: "v2", "v1 + canary v2 (30%)". */
    public String describe() {
        return hasCanary()
                ? modelVersion + " + canary " + canaryModelVersion + " (" + Math.round(canaryShare * 100) + "%)"
                : modelVersion;
    }
}
