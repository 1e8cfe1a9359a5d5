package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.pricingengine.features.events.Json;

/**
 * What the benchmark reads from a running job through Flink's REST API: the job, its completed
 * checkpoints and operator metrics aggregated over subtasks. Every read is best effort (empty when the
 * API does not answer): a figure is left out of the report rather than failing a run.
 */
final class FlinkRest {
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;

    FlinkRest(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    private Optional<JsonNode> get(String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(Json.mapper().readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The id of the running job, if there is one. */
    Optional<String> runningJob() {
        return get("/jobs/overview").flatMap(o -> {
            for (JsonNode job : o.path("jobs")) {
                if ("RUNNING".equals(job.path("state").asText())) {
                    return Optional.of(job.path("jid").asText());
                }
            }
            return Optional.empty();
        });
    }

    /** Checkpoints the job has completed so far. */
    Optional<Long> completedCheckpoints(String job) {
        return get("/jobs/" + job + "/checkpoints")
                .map(c -> c.path("counts").path("completed").asLong());
    }

    /** Heap of the (first) TaskManager's JVM in MB: "used" and "committed"; empty when unknown. */
    Map<String, Long> taskManagerHeapMb() {
        Map<String, Long> heap = new HashMap<>();
        get("/taskmanagers").ifPresent(tms -> {
            JsonNode first = tms.path("taskmanagers").path(0);
            if (first.isMissingNode()) {
                return;
            }
            get("/taskmanagers/" + first.path("id").asText()
                            + "/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Committed")
                    .ifPresent(values -> {
                        for (JsonNode v : values) {
                            long mb = (long) (v.path("value").asDouble() / (1 << 20));
                            heap.put(v.path("id").asText().endsWith("Used") ? "used" : "committed", mb);
                        }
                    });
        });
        return heap;
    }

    /**
     * An operator metric of the job's vertex whose name contains {@code vertexName}, averaged over its
     * subtasks: the first metric id ending in {@code metric} (ids carry the operator's name in front).
     */
    Optional<Double> vertexMetricAverage(String job, String vertexName, String metric) {
        Optional<JsonNode> detail = get("/jobs/" + job);
        if (detail.isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode vertex : detail.get().path("vertices")) {
            if (!vertex.path("name").asText().contains(vertexName)) {
                continue;
            }
            String path = "/jobs/" + job + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            Optional<JsonNode> ids = get(path);
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            for (JsonNode id : ids.get()) {
                String name = id.path("id").asText();
                if (name.endsWith(metric)) {
                    return get(path + "?get=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                            .filter(values -> values.size() > 0 && values.get(0).has("avg"))
                            .map(values -> values.get(0).path("avg").asDouble());
                }
            }
        }
        return Optional.empty();
    }
}
