package org.pricingengine.job.policy;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.metrics.MetricGroup;

/**
 * Metrics per model version and arm, under metric variables {@code model_version} and {@code arm}
 * (labels in Prometheus): each pair's metrics are made on its first use and found again by two map
 * lookups, without building a key per record. The policy's decision metrics and attribution's outcome
 * metrics keep theirs here.
 *
 * @param <T> the metrics of one model version and arm, made from their metric group
 */
public final class PerModelArm<T> {
    /** What a decision or outcome without a model version or arm is counted under. */
    public static final String NONE = "none";

    private final MetricGroup group;
    private final Function<MetricGroup, T> make;
    private final Map<String, Map<String, T>> byVersion = new HashMap<>();

    public PerModelArm(MetricGroup group, Function<MetricGroup, T> make) {
        this.group = group;
        this.make = make;
    }

    /** The metrics of this model version and arm (null of either counts as {@link #NONE}). */
    public T get(String modelVersion, String arm) {
        String version = modelVersion == null ? NONE : modelVersion;
        String armName = arm == null ? NONE : arm;
        return byVersion
                .computeIfAbsent(version, v -> new HashMap<>())
                .computeIfAbsent(
                        armName,
                        a -> make.apply(group.addGroup("model_version", version).addGroup("arm", a)));
    }
}
