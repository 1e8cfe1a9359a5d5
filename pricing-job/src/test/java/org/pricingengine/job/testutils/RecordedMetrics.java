package org.pricingengine.job.testutils;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * Flink's real metric groups with a registry that keeps what operators register: each metric by its
 * logical scope and name (what a reporter turns into a metric name, e.g.
 * {@code taskmanager.job.task.operator.pricing.model_version.arm.decisions}) and its variables (the
 * reporter's labels, without the angle brackets). A test hands {@link #environment()} to an operator test
 * harness.
 */
public final class RecordedMetrics {
    /** One registered metric. */
    public record Recorded(String name, Map<String, String> labels, Metric metric) {}

    private final Map<String, Recorded> byKey = new ConcurrentHashMap<>();
    private final TaskMetricGroup task;

    public RecordedMetrics() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setDelimiter('.')
                .setRegisterConsumer(this::registered)
                .build();
        task = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), "pricing")
                .addTask(ExecutionAttemptID.randomId(), "task");
    }

    private void registered(Metric metric, String name, AbstractMetricGroup<?> group) {
        String full = group.getLogicalScope(s -> s, '.') + "." + name;
        Map<String, String> labels = new TreeMap<>();
        group.getAllVariables().forEach((k, v) -> labels.put(k.substring(1, k.length() - 1), v));
        byKey.put(key(full, labels), new Recorded(full, labels, metric));
    }

    private static String key(String name, Map<String, String> labels) {
        return name + new TreeMap<>(labels);
    }

    /** An environment whose task metric group records into this. */
    public MockEnvironment environment() {
        return new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** The operator metric group of a test's own, for metric classes tested without an operator. */
    public org.apache.flink.metrics.groups.OperatorMetricGroup operatorGroup() {
        return task.getOrAddOperator("operator");
    }

    /**
     * The metric named {@code name} (logical scope and name, after "taskmanager.job.task.operator.") whose
     * labels include {@code labels}; fails when there is none.
     */
    public Metric metric(String name, Map<String, String> labels) {
        String full = "taskmanager.job.task.operator." + name;
        return byKey.values().stream()
                .filter(r -> r.name().equals(full) && r.labels().entrySet().containsAll(labels.entrySet()))
                .map(Recorded::metric)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + full + " with " + labels + "; registered: "
                        + byKey.values().stream()
                                .map(r -> r.name() + selected(r.labels()))
                                .sorted()
                                .toList()));
    }

    public long count(String name, Map<String, String> labels) {
        return ((Counter) metric(name, labels)).getCount();
    }

    public double gauge(String name, Map<String, String> labels) {
        return ((Number) ((Gauge<?>) metric(name, labels)).getValue()).doubleValue();
    }

    /** Labels a test asks about, without the job's and task's ids. */
    private static Map<String, String> selected(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet()
                .removeIf(k -> k.startsWith("job_")
                        || k.startsWith("task_")
                        || k.startsWith("tm_")
                        || k.equals("host")
                        || k.startsWith("operator_")
                        || k.equals("subtask_index")
                        || k.equals("attempt_num"));
        return out;
    }
}
