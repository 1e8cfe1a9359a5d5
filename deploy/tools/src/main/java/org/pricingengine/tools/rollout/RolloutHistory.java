package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.events.Json;

/** Every submission, rollout and rollback, one JSON line each, appended to {@code rollout-history.jsonl}. */
public final class RolloutHistory {
    static final String FILE = "rollout-history.jsonl";

    /** One entry. {@code outcome}: SUBMITTED, PROMOTED, REFUSED, ROLLED_BACK, ROLLBACK_DONE or FAILED. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(
            @JsonProperty("time") String time,
            @JsonProperty("action") String action,
            @JsonProperty("from") String from,
            @JsonProperty("to") String to,
            @JsonProperty("savepoint") String savepoint,
            @JsonProperty("outcome") String outcome,
            @JsonProperty("job_id") String jobId,
            @JsonProperty("detail") String detail) {

        static Entry now(
                String action, String from, String to, String savepoint, String outcome, String jobId, String detail) {
            return new Entry(Instant.now().toString(), action, from, to, savepoint, outcome, jobId, detail);
        }
    }

    private final Path file;

    public RolloutHistory(Path stateDir) {
        this.file = stateDir.resolve(FILE);
    }

    public synchronized void append(Entry e) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    Json.mapper().writeValueAsString(e) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot append to " + file, ex);
        }
    }

    public List<Entry> entries() {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            List<Entry> entries = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    entries.add(Json.mapper().readValue(line, Entry.class));
                }
            }
            return entries;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }

    /** The history as a table, oldest first. */
    public String format() {
        StringBuilder sb = new StringBuilder(String.format(
                "%-24s %-9s %-24s %-24s %-13s %s%n", "time", "action", "from", "to", "outcome", "savepoint / detail"));
        for (Entry e : entries()) {
            String where = e.savepoint() == null ? "" : e.savepoint();
            if (e.detail() != null) {
                where = where.isEmpty() ? e.detail() : where + "  (" + e.detail() + ")";
            }
            sb.append(String.format(
                    "%-24s %-9s %-24s %-24s %-13s %s%n",
                    e.time(), e.action(), e.from() == null ? "-" : e.from(), e.to(), e.outcome(), where));
        }
        return sb.toString();
    }
}
