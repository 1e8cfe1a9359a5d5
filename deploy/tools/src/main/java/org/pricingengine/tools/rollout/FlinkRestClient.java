package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The parts of Flink's REST API a rollout needs: upload and run a jar, find jobs, stop a job with a
 * savepoint, cancel. Plain JDK HTTP so the tool runs anywhere a JobManager is reachable.
 */
public final class FlinkRestClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRestClient(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    }

    public String baseUrl() {
        return base.toString();
    }

    /** One job as the JobManager reports it. */
    public record JobSummary(String id, String name, String state, long startTimeMs) {}

    /**
     * The cluster overview (slots, task managers, jobs by state), passed on untyped: its fields are Flink's,
     * and only printed, so a Flink upgrade that adds or renames one needs no change here.
     */
    public JsonNode overview() throws IOException {
        return get("overview");
    }

    public List<JobSummary> jobs() throws IOException {
        List<JobSummary> jobs = new ArrayList<>();
        for (JsonNode j : get("jobs/overview").path("jobs")) {
            jobs.add(new JobSummary(
                    j.path("jid").asText(),
                    j.path("name").asText(),
                    j.path("state").asText(),
                    j.path("start-time").asLong()));
        }
        return jobs;
    }

    public JobSummary job(String jobId) throws IOException {
        JsonNode j = get("jobs/" + jobId);
        return new JobSummary(
                j.path("jid").asText(),
                j.path("name").asText(),
                j.path("state").asText(),
                j.path("start-time").asLong());
    }

    /** True when the job and every one of its tasks is RUNNING (a restarting job is not). */
    public boolean allTasksRunning(String jobId) throws IOException {
        JsonNode j = get("jobs/" + jobId);
        if (!"RUNNING".equals(j.path("state").asText())) {
            return false;
        }
        for (JsonNode v : j.path("vertices")) {
            JsonNode tasks = v.path("tasks");
            int running = tasks.path("RUNNING").asInt() + tasks.path("FINISHED").asInt();
            if (running < v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** How often the job has restarted since it was submitted (from its exception history). */
    public int restarts(String jobId) throws IOException {
        JsonNode history =
                get("jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        return history.isArray() ? history.size() : 0;
    }

    /** Checkpoints of the job that completed so far. */
    public long completedCheckpoints(String jobId) throws IOException {
        return get("jobs/" + jobId + "/checkpoints")
                .path("counts")
                .path("completed")
                .asLong();
    }

    /**
     * Where the job's checkpoints held its tasks up: per vertex, the longest synchronous part (the task
     * thread processes no record meanwhile) and the longest barrier alignment of any subtask, over the
     * completed checkpoints Flink still keeps in its history (the newest ten by default), and what each
     * wrote per checkpoint on average (with incremental checkpoints: the new RocksDB files, in KB).
     */
    public record CheckpointHolds(
            long checkpoints,
            Map<String, Long> syncMaxMs,
            Map<String, Long> alignmentMaxMs,
            Map<String, Long> checkpointedKbMean) {}

    public CheckpointHolds checkpointHolds(String jobId) throws IOException {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode vertex : get("jobs/" + jobId).path("vertices")) {
            names.put(vertex.path("id").asText(), vertex.path("name").asText());
        }
        Map<String, Long> sync = new LinkedHashMap<>();
        Map<String, Long> alignment = new LinkedHashMap<>();
        Map<String, Long> written = new LinkedHashMap<>();
        long count = 0;
        for (JsonNode checkpoint : get("jobs/" + jobId + "/checkpoints").path("history")) {
            if (!"COMPLETED".equals(checkpoint.path("status").asText())) {
                continue;
            }
            count++;
            String id = checkpoint.path("id").asText();
            JsonNode tasks = get("jobs/" + jobId + "/checkpoints/details/" + id).path("tasks");
            for (String vertexId : names.keySet()) {
                written.merge(
                        names.get(vertexId),
                        tasks.path(vertexId).path("checkpointed_size").asLong(),
                        Long::sum);
                JsonNode summary = get("jobs/" + jobId + "/checkpoints/details/" + id + "/subtasks/" + vertexId)
                        .path("summary");
                sync.merge(
                        names.get(vertexId),
                        summary.path("checkpoint_duration")
                                .path("sync")
                                .path("max")
                                .asLong(),
                        Math::max);
                alignment.merge(
                        names.get(vertexId),
                        summary.path("alignment").path("duration").path("max").asLong(),
                        Math::max);
            }
        }
        long checkpoints = count;
        written.replaceAll((vertex, bytes) -> checkpoints == 0 ? 0 : bytes / checkpoints / 1024);
        return new CheckpointHolds(count, sync, alignment, written);
    }

    /**
     * An operator metric of the job's vertex whose name contains {@code vertexName}, averaged over its
     * subtasks: the first metric id ending in {@code metric} (ids carry the operator's name in front);
     * empty when there is no such vertex or metric.
     */
    public Optional<Double> vertexMetricAverage(String jobId, String vertexName, String metric) throws IOException {
        for (JsonNode vertex : get("jobs/" + jobId).path("vertices")) {
            if (!vertex.path("name").asText().contains(vertexName)) {
                continue;
            }
            String path = "jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            for (JsonNode id : get(path)) {
                String name = id.path("id").asText();
                if (name.endsWith(metric)) {
                    JsonNode values = get(path + "?get=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
                    return values.size() > 0 && values.get(0).has("avg")
                            ? Optional.of(values.get(0).path("avg").asDouble())
                            : Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * RocksDB's own memory over all of a job's stateful tasks, in MB, from its native metrics (the job
     * must enable them: {@code state.backend.rocksdb.metrics.*}; ids such as
     * {@code 0.<operator>.<state>.rocksdb_block-cache-usage}, the subtask index first). The block cache is shared by every
     * column family in a slot, so each reports the same figure: the cache counts once per subtask index
     * (the largest figure reported under it). Pinned blocks are part of the cache; memtables are per
     * column family and add up. Empty when no task reports them.
     */
    public record RocksDbMemory(long blockCacheMb, long pinnedMb, long memTablesMb) {}

    public Optional<RocksDbMemory> rocksDbMemory(String jobId) throws IOException {
        Map<String, Double> cacheBySubtask = new HashMap<>();
        Map<String, Double> pinnedBySubtask = new HashMap<>();
        double memTables = 0;
        boolean any = false;
        for (JsonNode vertex : get("jobs/" + jobId).path("vertices")) {
            String path = "jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode id : get(path)) {
                String name = id.path("id").asText();
                if (name.contains("rocksdb")) {
                    ids.add(name);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode v : get(path + "?get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8))) {
                String name = v.path("id").asText();
                String subtask = name.substring(0, name.indexOf('.'));
                double bytes = v.path("value").asDouble();
                any = true;
                if (name.endsWith("block-cache-usage")) {
                    cacheBySubtask.merge(subtask, bytes, Math::max);
                } else if (name.endsWith("block-cache-pinned-usage")) {
                    pinnedBySubtask.merge(subtask, bytes, Math::max);
                } else if (name.endsWith("cur-size-all-mem-tables")) {
                    memTables += bytes;
                }
            }
        }
        if (!any) {
            return Optional.empty();
        }
        double mb = 1 << 20;
        return Optional.of(new RocksDbMemory(
                Math.round(cacheBySubtask.values().stream().mapToDouble(d -> d).sum() / mb),
                Math.round(pinnedBySubtask.values().stream().mapToDouble(d -> d).sum() / mb),
                Math.round(memTables / mb)));
    }

    /** Heap of the first TaskManager's JVM in MB: "used" and "committed" (empty without a TaskManager). */
    public Map<String, Long> taskManagerHeapMb() throws IOException {
        Map<String, Long> heap = new HashMap<>();
        JsonNode first = get("taskmanagers").path("taskmanagers").path(0);
        if (first.isMissingNode()) {
            return heap;
        }
        for (JsonNode v : get("taskmanagers/" + first.path("id").asText()
                + "/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Committed")) {
            long mb = (long) (v.path("value").asDouble() / (1 << 20));
            heap.put(v.path("id").asText().endsWith("Used") ? "used" : "committed", mb);
        }
        return heap;
    }

    /** The root exception of a failing job, or null. */
    public String rootException(String jobId) throws IOException {
        JsonNode entries =
                get("jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
        if (!entries.isArray() || entries.isEmpty()) {
            return null;
        }
        String text = entries.get(0).path("stacktrace").asText("");
        int newline = text.indexOf('\n');
        return newline > 0 ? text.substring(0, newline) : text;
    }

    public String uploadJar(Path jar) throws IOException {
        String boundary = "pricing-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName() + "\"\r\nContent-Type: application/java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(base.resolve("jars/upload"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        String filename = send(request).path("filename").asText();
        if (filename.isEmpty()) {
            throw new IOException("jar upload of " + jar + " returned no file name");
        }
        return Path.of(filename).getFileName().toString();
    }

    public void deleteJar(String jarId) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("jars/" + jarId))
                .timeout(REQUEST_TIMEOUT)
                .DELETE()
                .build());
    }

    /**
     * Runs an uploaded jar; returns the new job id. {@code savepointPath} null starts with empty state.
     * Restoring refuses state that no operator claims (a renamed uid must not silently drop shopper state).
     */
    public String runJar(String jarId, String entryClass, List<String> programArgs, String savepointPath)
            throws IOException {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("entryClass", entryClass);
        body.set("programArgsList", MAPPER.valueToTree(programArgs));
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
            body.put("allowNonRestoredState", false);
        }
        String jobId = post("jars/" + jarId + "/run", body).path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IOException("running jar " + jarId + " returned no job id");
        }
        return jobId;
    }

    /**
     * Stops a job with a savepoint and waits for it; returns the savepoint path. No drain: event-time
     * timers (attribution windows, catalog waits) stay pending in the savepoint instead of firing early.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
            throws IOException, InterruptedException {
        return stopWithSavepoint(jobId, targetDirectory, timeout, false);
    }

    /**
     * With {@code drain}, the job first receives a final watermark: every event-time timer fires, so every
     * open attribution window closes and its outcome is written. For the end of a replay, not a rollout.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout, boolean drain)
            throws IOException, InterruptedException {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("drain", drain);
        if (targetDirectory != null) {
            body.put("targetDirectory", targetDirectory);
        }
        String trigger =
                post("jobs/" + jobId + "/stop", body).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.hasNonNull("location")) {
                    return op.path("location").asText();
                }
                throw new IOException("stop-with-savepoint of job " + jobId + " failed: "
                        + firstLine(op.path("failure-cause").path("stack-trace").asText(op.toString())));
            }
            Thread.sleep(250);
        }
        throw new IOException("stop-with-savepoint of job " + jobId + " did not finish within " + timeout);
    }

    public void cancel(String jobId) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel"))
                .timeout(REQUEST_TIMEOUT)
                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                .build());
    }

    /** Waits until the job reaches a terminal state (after cancel or stop). */
    public String awaitTerminal(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = job(jobId).state();
            if (state.equals("CANCELED") || state.equals("FINISHED") || state.equals("FAILED")) {
                return state;
            }
            Thread.sleep(200);
        }
        throw new IOException("job " + jobId + " still " + state + " after " + timeout);
    }

    private JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build());
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)))
                .build());
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + request.uri(), e);
        } catch (IOException e) {
            throw new IOException(
                    "Flink REST " + request.method() + " " + request.uri() + " failed: " + e
                            + " (is the cluster running? deploy/local/flink-cluster.sh status)",
                    e);
        }
        String body = response.body();
        if (response.statusCode() / 100 != 2) {
            throw new IOException("Flink REST " + request.method() + " " + request.uri() + " answered "
                    + response.statusCode() + ": " + errors(body));
        }
        return body == null || body.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(body);
    }

    /** Flink puts the cause in "errors"; its first lines are what a person needs. */
    private static String errors(String body) {
        try {
            JsonNode errors = MAPPER.readTree(body).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode e : errors) {
                    String text = e.asText();
                    for (String line : text.split("\n")) {
                        if (line.startsWith("Caused by:") || sb.isEmpty()) {
                            sb.append(sb.isEmpty() ? "" : " | ").append(line.strip());
                        }
                    }
                }
                return sb.toString();
            }
        } catch (IOException ignored) {
            // not JSON: show it as it is
        }
        return body;
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline > 0 ? text.substring(0, newline) : text;
    }
}
