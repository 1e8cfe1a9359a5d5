package org.pricingengine.job.scoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A scoring subtask's answer to the serving state it was asked for (model-serving topic): {@code SERVING}
 * once it scores with the asked versions, {@code REFUSED} with the reasons when a version failed a check
 * (the subtask keeps serving what it served: {@code serving_*}). Also written when a subtask starts,
 * for what it serves after a restore.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServingReport(
        @JsonProperty("revision") long revision,
        @JsonProperty("subtask") int subtask,
        @JsonProperty("subtasks") int subtasks,
        @JsonProperty("status") Status status,
        @JsonProperty("asked") String asked,
        @JsonProperty("serving_revision") long servingRevision,
        @JsonProperty("serving_model_version") String servingModelVersion,
        @JsonProperty("serving_canary_model_version") String servingCanaryModelVersion,
        @JsonProperty("serving_canary_share") double servingCanaryShare,
        @JsonProperty("load_ms") long loadMs,
        @JsonProperty("reasons") List<String> reasons,
        @JsonProperty("reported_at_ms") long reportedAtMs) {

    public enum Status {
        /** The subtask scores with the asked state. */
        SERVING,
        /** The asked state failed a check; the subtask serves what it served before. */
        REFUSED
    }

    static ServingReport serving(int subtask, int subtasks, ServingControl now, long loadMs) {
        return new ServingReport(
                now.revision(),
                subtask,
                subtasks,
                Status.SERVING,
                now.describe(),
                now.revision(),
                now.modelVersion(),
                now.hasCanary() ? now.canaryModelVersion() : null,
                now.hasCanary() ? now.canaryShare() : 0,
                loadMs,
                null,
                System.currentTimeMillis());
    }

    static ServingReport refused(
            int subtask, int subtasks, ServingControl asked, ServingControl still, List<String> reasons) {
        return new ServingReport(
                asked.revision(),
                subtask,
                subtasks,
                Status.REFUSED,
                asked.modelVersion() == null ? null : asked.describe(),
                still.revision(),
                still.modelVersion(),
                still.hasCanary() ? still.canaryModelVersion() : null,
                still.hasCanary() ? still.canaryShare() : 0,
                0,
                List.copyOf(reasons),
                System.currentTimeMillis());
    }
}
