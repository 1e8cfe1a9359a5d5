package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.pricingengine.job.config.PricingConfig;

/**
 * Submits the pricing job to a Flink session cluster and changes its model through savepoints:
 * validate the candidate, stop the job with a savepoint, resubmit from it with the new model (shopper
 * state carries over: operator uids are stable and state types are POJOs/records, whose serializers
 * evolve), verify health from the decisions topic, and roll back to the previous version from the same
 * savepoint when anything fails. A rescale takes the same path with the parallelism changed instead of the
 * model: Flink redistributes the keyed shopper state over the new subtasks when it restores the savepoint
 * (key groups; their number, the job's max parallelism, is fixed for the life of the state). Every step
 * is recorded in the rollout history.
 */
public final class ModelRollout {
    public static final String ENTRY_CLASS = "org.pricingengine.job.PricingJob";
    static final String PREVIOUS_FILE = "previous-deployment.json";

    /**
     * When a freshly submitted job counts as healthy; defaults are documented in the README. Decisions of
     * the first {@code settle} after the job runs are reported but not judged: the job is catching up on
     * the requests that queued during the switch, on a cold JVM.
     */
    public record HealthCriteria(
            long minDecisions,
            Duration timeout,
            double maxModelFailureRate,
            double maxFallbackRateIncrease,
            Duration startTimeout,
            Duration settle) {
        public static HealthCriteria defaults() {
            return new HealthCriteria(
                    200, Duration.ofSeconds(120), 0.02, 0.10, Duration.ofSeconds(90), Duration.ofSeconds(15));
        }
    }

    /**
     * What a command did. {@code outcome}: PROMOTED, REFUSED, ROLLED_BACK (the rollout failed and the
     * previous version runs again), ROLLBACK_DONE, STOPPED, SUBMITTED, or FAILED (needs a person).
     */
    public record Outcome(
            String action,
            String from,
            String to,
            String outcome,
            String savepoint,
            String jobId,
            List<String> problems,
            Figures figures,
            String path) {
        /** How the switch went: {@link #HOT_SWAP} inside the running job, or through a savepoint. */
        public static final String HOT_SWAP = "hot-swap";

        public static final String SAVEPOINT = "savepoint";

        public Outcome(
                String action,
                String from,
                String to,
                String outcome,
                String savepoint,
                String jobId,
                List<String> problems,
                Figures figures) {
            this(action, from, to, outcome, savepoint, jobId, problems, figures, SAVEPOINT);
        }

        public boolean succeeded() {
            return List.of("PROMOTED", "ROLLBACK_DONE", "STOPPED", "SUBMITTED").contains(outcome);
        }
    }

    /**
     * What a rollout or rollback measured on the way, as far as it got: each candidate's validation (keyed
     * {@code validation_<version>}), the decisions of the minute before the switch ({@code baseline}), of
     * the settle period ({@code catch_up}) and of the health check ({@code after}), the new job's restarts,
     * and the decisions after a rollback ({@code after_rollback}). What a step did not reach is left out.
     */
    @JsonSerialize(using = Figures.Writer.class)
    public record Figures(
            Map<String, CandidateValidator.Figures> validation,
            DecisionSample.Summary baseline,
            DecisionSample.Summary catchUp,
            DecisionSample.Summary after,
            Integer restarts,
            DecisionSample.Summary afterRollback) {
        public static final Figures NONE = new Figures(Map.of(), null, null, null, null, null);

        public Figures {
            validation = validation == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(validation));
        }

        /**
         * Written by hand: the validation keys carry the version and come first, and Jackson 2.18 writes
         * {@code @JsonAnyGetter} entries after the named properties whatever the property order says.
         */
        static final class Writer extends StdSerializer<Figures> {
            Writer() {
                super(Figures.class);
            }

            @Override
            public void serialize(Figures f, JsonGenerator g, SerializerProvider provider) throws IOException {
                g.writeStartObject();
                for (Map.Entry<String, CandidateValidator.Figures> e :
                        f.validation().entrySet()) {
                    provider.defaultSerializeField("validation_" + e.getKey(), e.getValue(), g);
                }
                field(g, provider, "baseline", f.baseline());
                field(g, provider, "catch_up", f.catchUp());
                field(g, provider, "after", f.after());
                field(g, provider, "restarts", f.restarts());
                field(g, provider, "after_rollback", f.afterRollback());
                g.writeEndObject();
            }

            private static void field(JsonGenerator g, SerializerProvider provider, String name, Object value)
                    throws IOException {
                if (value != null) {
                    provider.defaultSerializeField(name, value, g);
                }
            }
        }
    }

    /** Collects a command's figures step by step; the steps that were not reached stay null. */
    private static final class FigureLog {
        final Map<String, CandidateValidator.Figures> validation = new LinkedHashMap<>();
        DecisionSample.Summary baseline;
        DecisionSample.Summary catchUp;
        DecisionSample.Summary after;
        Integer restarts;
        DecisionSample.Summary afterRollback;

        Figures figures() {
            return new Figures(validation, baseline, catchUp, after, restarts, afterRollback);
        }
    }

    private final FlinkRestClient flink;
    private final Path stateDir;
    private final Path jobJar;
    private final String bootstrapServers;
    private final PricingConfig topics;
    private final CandidateValidator validator;
    private final HealthCriteria health;
    private final RolloutHistory history;
    private final Consumer<String> log;
    private final ServingControlTopic control;

    public ModelRollout(
            FlinkRestClient flink,
            Path stateDir,
            Path jobJar,
            String bootstrapServers,
            PricingConfig topics,
            CandidateValidator validator,
            HealthCriteria health,
            Consumer<String> log) {
        this.flink = flink;
        this.stateDir = stateDir;
        this.jobJar = jobJar;
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.validator = validator;
        this.health = health;
        this.history = new RolloutHistory(stateDir);
        this.log = log;
        this.control = new ServingControlTopic(bootstrapServers, topics);
    }

    public RolloutHistory history() {
        return history;
    }

    public Deployment current() {
        return Deployment.load(stateDir);
    }

    /** First deployment (or a restart from a savepoint): validates the model, submits, waits until running. */
    public Deployment submit(String model, String canary, double canaryShare, List<String> jobArgs, String savepoint)
            throws IOException, InterruptedException {
        for (String version : versions(model, canary)) {
            CandidateValidator.Report report = validator.validate(version, null);
            if (!report.passed()) {
                history.append(RolloutHistory.Entry.now(
                        "submit", null, version, savepoint, "REFUSED", null, String.join("; ", report.problems())));
                throw new IllegalArgumentException("model " + version + " failed validation: " + report.problems());
            }
        }
        Deployment first = new Deployment(
                        null,
                        model,
                        canary,
                        canary == null ? 0 : canaryShare,
                        Deployment.withoutModelOptions(jobArgs),
                        savepoint,
                        0,
                        Deployment.parallelismIn(jobArgs),
                        0)
                .withNewRevision();
        announce(first, "submit");
        Deployment d = start(first);
        awaitRunning(d.jobId());
        history.append(RolloutHistory.Entry.now("submit", null, d.describe(), savepoint, "SUBMITTED", d.jobId(), null));
        return d;
    }

    /**
     * Moves the running job to {@code to} (and, optionally, a canary for a share of users). A refused
     * candidate leaves the running job untouched; a failure after the switch rolls back automatically.
     */
    public Outcome rollout(String to, String canary, double canaryShare) throws IOException, InterruptedException {
        return rollout(to, canary, canaryShare, false);
    }

    /**
     * As {@link #rollout(String, String, double)}; the path is a hot swap inside the running job when every
     * new version reads the features the running one does (same feature fingerprint) and the job has a
     * control topic, else (or with {@code viaSavepoint}) a savepoint and a resubmission.
     */
    public Outcome rollout(String to, String canary, double canaryShare, boolean viaSavepoint)
            throws IOException, InterruptedException {
        Deployment current = requireRunning();
        Deployment target = current.withModels(to, canary, canaryShare);
        return hotSwappable(current, target, viaSavepoint)
                ? hotSwap("rollout", current, target)
                : switchTo("rollout", current, target);
    }

    /**
     * Whether {@code target} can replace {@code current} inside the running job: same job options and
     * parallelism, a control topic, and every model of the target has the current model's feature
     * fingerprint (the job computes those features; another fingerprint needs another job build).
     */
    boolean hotSwappable(Deployment current, Deployment target, boolean viaSavepoint) {
        if (viaSavepoint || !control.enabled()) {
            return false;
        }
        if (current.parallelism() != target.parallelism() || !current.jobArgs().equals(target.jobArgs())) {
            return false;
        }
        String fingerprint = validator.featureFingerprint(current.modelVersion());
        if (fingerprint == null) {
            return false;
        }
        for (String version : versions(target.modelVersion(), target.canaryModelVersion())) {
            String other = validator.featureFingerprint(version);
            // An unreadable manifest is the validator's to refuse, on either path.
            if (other != null && !other.equals(fingerprint)) {
                log.accept("    " + version + " reads features " + other + ", the job computes " + fingerprint
                        + ": through a savepoint");
                return false;
            }
        }
        return true;
    }

    /**
     * A model change inside the running job: validation as on the savepoint path, then the control record;
     * every scoring subtask loads, checks, warms up and probes the new version beside the serving one and
     * switches between two requests (no restart, no state moved). Then the same health check as after a
     * resubmission, and on failure the same way back: a control record for the current state.
     */
    private Outcome hotSwap(String action, Deployment current, Deployment target)
            throws IOException, InterruptedException {
        FigureLog figures = new FigureLog();
        List<String> problems = validateCandidates(current, target, figures);
        if (!problems.isEmpty()) {
            return refused(action, current, target, problems, figures);
        }
        DecisionSample baseline = baseline(figures);
        int restartsBefore = flink.restarts(current.jobId());

        log.accept("2/5 asking job " + current.jobId() + " to serve " + target.describe() + " (hot swap, revision "
                + target.servingRevision() + ")");
        ServingControlTopic.Answer answer = askToServe(target, action);
        problems.addAll(answer.problems());
        Deployment next = target.servingSince(current.jobId(), System.currentTimeMillis());
        if (problems.isEmpty()) {
            log.accept("3/5 every scoring subtask (" + answer.subtasks() + ") serves " + target.describe());
            next.save(stateDir);
            log.accept("4/5 checking health of job " + next.jobId());
            problems.addAll(checkHealth(next, baseline, next.submittedAtMs(), figures, restartsBefore));
        }
        if (problems.isEmpty()) {
            log.accept("5/5 healthy: " + target.describe() + " is live");
            Files.writeString(stateDir.resolve(PREVIOUS_FILE), pretty(current));
            history.append(RolloutHistory.Entry.now(
                    action, current.describe(), target.describe(), null, "PROMOTED", next.jobId(), "hot swap"));
            return new Outcome(
                    action,
                    current.describe(),
                    target.describe(),
                    "PROMOTED",
                    null,
                    next.jobId(),
                    problems,
                    figures.figures(),
                    Outcome.HOT_SWAP);
        }
        log.accept("5/5 unhealthy (" + String.join("; ", problems) + "): back to " + current.describe());
        Deployment back = current.withNewRevision();
        ServingControlTopic.Answer backAnswer = askToServe(back, action + " (automatic rollback)");
        Deployment restored = back.servingSince(current.jobId(), System.currentTimeMillis());
        restored.save(stateDir);
        List<String> rollbackProblems = new ArrayList<>(backAnswer.problems());
        if (rollbackProblems.isEmpty()) {
            rollbackProblems.addAll(checkRollback(restored, figures));
        }
        String outcome = rollbackProblems.isEmpty() ? "ROLLED_BACK" : "FAILED";
        problems.addAll(rollbackProblems);
        history.append(RolloutHistory.Entry.now(
                action,
                current.describe(),
                target.describe(),
                null,
                outcome,
                restored.jobId(),
                "hot swap: " + String.join("; ", problems)));
        return new Outcome(
                action,
                current.describe(),
                target.describe(),
                outcome,
                null,
                restored.jobId(),
                problems,
                figures.figures(),
                Outcome.HOT_SWAP);
    }

    /** The decisions of the minute before a switch: what the health check compares with. */
    private DecisionSample baseline(FigureLog figures) {
        long now = System.currentTimeMillis();
        DecisionSample baseline =
                DecisionSample.read(bootstrapServers, topics, now - 60_000, now, 0, Duration.ofSeconds(20));
        figures.baseline = baseline.summary();
        return baseline;
    }

    /** Validates the models the target brings (one already serving passed validation when it went in). */
    private List<String> validateCandidates(Deployment current, Deployment target, FigureLog figures) {
        List<String> candidates = versions(target.modelVersion(), target.canaryModelVersion()).stream()
                .filter(v -> !v.equals(current.modelVersion()) && !v.equals(current.canaryModelVersion()))
                .toList();
        log.accept(
                candidates.isEmpty()
                        ? "1/5 no new model to validate for " + target.describe()
                        : "1/5 validating " + target.describe() + " against " + current.modelVersion());
        List<String> problems = new ArrayList<>();
        for (String version : candidates) {
            CandidateValidator.Report report = validator.validate(version, current.modelVersion());
            figures.validation.put(version, report.figures());
            if (!report.passed()) {
                report.problems().forEach(p -> problems.add(version + ": " + p));
            }
        }
        return problems;
    }

    private Outcome refused(
            String action, Deployment current, Deployment target, List<String> problems, FigureLog figures) {
        log.accept("refused: " + problems);
        history.append(RolloutHistory.Entry.now(
                action,
                current.describe(),
                target.describe(),
                null,
                "REFUSED",
                current.jobId(),
                String.join("; ", problems)));
        return new Outcome(
                action,
                current.describe(),
                target.describe(),
                "REFUSED",
                null,
                current.jobId(),
                problems,
                figures.figures());
    }

    /**
     * Moves the running job to {@code parallelism} subtasks per operator, same models and options: a
     * savepoint, a resubmission from it, the health check of a rollout, and on failure the automatic
     * rollback to the previous parallelism from the same savepoint. Refused while the cluster has fewer
     * task slots than asked for (the job would wait for them until the start timeout).
     */
    public Outcome rescale(int parallelism) throws IOException, InterruptedException {
        Deployment current = requireRunning();
        Deployment target = current.withParallelism(parallelism);
        if (parallelism == current.parallelism()) {
            throw new IllegalArgumentException(
                    "job " + current.jobId() + " already runs at parallelism " + parallelism);
        }
        int slots = flink.overview().path("slots-total").asInt();
        if (slots < parallelism) {
            String problem = "the cluster has " + slots + " task slot(s), parallelism " + parallelism + " needs "
                    + parallelism + " (start more TaskManagers: FLINK_TASK_MANAGERS)";
            log.accept("refused: " + problem);
            history.append(RolloutHistory.Entry.now(
                    "rescale", current.describe(), target.describe(), null, "REFUSED", current.jobId(), problem));
            return new Outcome(
                    "rescale",
                    current.describe(),
                    target.describe(),
                    "REFUSED",
                    null,
                    current.jobId(),
                    List.of(problem),
                    Figures.NONE);
        }
        return switchTo("rescale", current, target);
    }

    /**
     * Validates the target's new models, stops the running job with a savepoint, starts the target from it,
     * checks its health, and rolls back to {@code current} from the same savepoint when it is not healthy.
     */
    private Outcome switchTo(String action, Deployment current, Deployment target)
            throws IOException, InterruptedException {
        FigureLog figures = new FigureLog();
        List<String> problems = validateCandidates(current, target, figures);
        if (!problems.isEmpty()) {
            return refused(action, current, target, problems, figures);
        }

        DecisionSample baseline = baseline(figures);

        log.accept("2/5 stopping job " + current.jobId() + " with a savepoint");
        String savepoint = flink.stopWithSavepoint(current.jobId(), null, Duration.ofMinutes(5));
        log.accept("    savepoint " + savepoint);
        long switchedAt = System.currentTimeMillis();

        log.accept("3/5 resubmitting with " + target.describe() + " from the savepoint");
        Deployment next = null;
        try {
            announce(target, action);
            next = start(target.startingFrom(savepoint));
            log.accept("4/5 checking health of job " + next.jobId());
            problems.addAll(checkHealth(next, baseline, switchedAt, figures, 0));
        } catch (IOException | RuntimeException e) {
            problems.add("resubmission failed: " + e.getMessage());
        }
        if (problems.isEmpty()) {
            log.accept("5/5 healthy: " + target.describe() + " is live");
            // What an on-demand rollback returns to: the deployment before the last successful rollout.
            Files.writeString(stateDir.resolve(PREVIOUS_FILE), pretty(current));
            history.append(RolloutHistory.Entry.now(
                    action, current.describe(), target.describe(), savepoint, "PROMOTED", next.jobId(), null));
            return new Outcome(
                    action,
                    current.describe(),
                    target.describe(),
                    "PROMOTED",
                    savepoint,
                    next.jobId(),
                    problems,
                    figures.figures());
        }
        log.accept("5/5 unhealthy (" + String.join("; ", problems) + "): rolling back to " + current.describe());
        String failedJob = next == null ? null : next.jobId();
        Deployment restored = restore(current.withNewRevision(), savepoint, failedJob);
        List<String> rollbackProblems = checkRollback(restored, figures);
        String outcome = rollbackProblems.isEmpty() ? "ROLLED_BACK" : "FAILED";
        problems.addAll(rollbackProblems);
        history.append(RolloutHistory.Entry.now(
                action,
                current.describe(),
                target.describe(),
                savepoint,
                outcome,
                restored.jobId(),
                String.join("; ", problems)));
        return new Outcome(
                action,
                current.describe(),
                target.describe(),
                outcome,
                savepoint,
                restored.jobId(),
                problems,
                figures.figures());
    }

    /**
     * On-demand rollback to the deployment before the last successful rollout. Takes a fresh savepoint of the
     * running job when it can (no state since the rollout is lost, nothing is re-priced); when the job
     * cannot take one, restores the savepoint the rollout started from.
     */
    public Outcome rollback() throws IOException, InterruptedException {
        Path previousFile = stateDir.resolve(PREVIOUS_FILE);
        if (!Files.isRegularFile(previousFile)) {
            throw new IllegalStateException("no earlier deployment to roll back to (" + previousFile + " is missing)");
        }
        Deployment previous =
                org.pricingengine.features.events.Json.mapper().readValue(previousFile.toFile(), Deployment.class);
        Deployment current = Objects.requireNonNull(current(), "no deployment recorded in " + stateDir);
        if (hotSwappable(current, previous, false)
                && "RUNNING".equals(flink.job(current.jobId()).state())) {
            return rollbackInPlace(current, previous, previousFile);
        }
        String savepoint;
        String failedJob = null;
        try {
            savepoint = flink.stopWithSavepoint(current.jobId(), null, Duration.ofMinutes(5));
        } catch (IOException e) {
            log.accept("the running job cannot take a savepoint (" + e.getMessage() + "); using the rollout's");
            savepoint = lastRolloutSavepoint(current);
            failedJob = current.jobId();
        }
        FigureLog figures = new FigureLog();
        Deployment restored = restore(previous.withNewRevision(), savepoint, failedJob);
        List<String> problems = checkRollback(restored, figures);
        String outcome = problems.isEmpty() ? "ROLLBACK_DONE" : "FAILED";
        if (problems.isEmpty()) {
            Files.deleteIfExists(previousFile); // one step back only; a rollout records a new one
        }
        history.append(RolloutHistory.Entry.now(
                "rollback",
                current.describe(),
                previous.describe(),
                savepoint,
                outcome,
                restored.jobId(),
                problems.isEmpty() ? null : String.join("; ", problems)));
        return new Outcome(
                "rollback",
                current.describe(),
                previous.describe(),
                outcome,
                savepoint,
                restored.jobId(),
                problems,
                figures.figures());
    }

    /** The on-demand rollback as a hot swap: the earlier serving state, asked for under a new revision. */
    private Outcome rollbackInPlace(Deployment current, Deployment previous, Path previousFile)
            throws IOException, InterruptedException {
        Deployment target = previous.servingSince(current.jobId(), 0).withNewRevision();
        log.accept("asking job " + current.jobId() + " to serve " + target.describe() + " again (hot swap)");
        ServingControlTopic.Answer answer = askToServe(target, "rollback");
        Deployment restored = target.servingSince(current.jobId(), System.currentTimeMillis());
        List<String> problems = new ArrayList<>(answer.problems());
        FigureLog figures = new FigureLog();
        if (problems.isEmpty()) {
            restored.save(stateDir);
            problems.addAll(checkRollback(restored, figures));
        }
        String outcome = problems.isEmpty() ? "ROLLBACK_DONE" : "FAILED";
        if (problems.isEmpty()) {
            Files.deleteIfExists(previousFile);
        }
        history.append(RolloutHistory.Entry.now(
                "rollback",
                current.describe(),
                previous.describe(),
                null,
                outcome,
                current.jobId(),
                problems.isEmpty() ? "hot swap" : "hot swap: " + String.join("; ", problems)));
        return new Outcome(
                "rollback",
                current.describe(),
                previous.describe(),
                outcome,
                null,
                current.jobId(),
                problems,
                figures.figures(),
                Outcome.HOT_SWAP);
    }

    /** Stops the running job with a savepoint (for maintenance); {@link #resume()} starts it again from there. */
    public Outcome stop() throws IOException, InterruptedException {
        Deployment current = requireRunning();
        String savepoint = flink.stopWithSavepoint(current.jobId(), null, Duration.ofMinutes(5));
        history.append(RolloutHistory.Entry.now(
                "stop", current.describe(), current.describe(), savepoint, "STOPPED", current.jobId(), null));
        return new Outcome(
                "stop",
                current.describe(),
                current.describe(),
                "STOPPED",
                savepoint,
                current.jobId(),
                List.of(),
                Figures.NONE);
    }

    /** Resubmits the recorded deployment from the savepoint its last stop took. */
    public Outcome resume() throws IOException, InterruptedException {
        Deployment current = Objects.requireNonNull(current(), "no deployment recorded in " + stateDir);
        String savepoint = null;
        for (RolloutHistory.Entry e : history.entries()) {
            if (e.action().equals("stop") && current.jobId().equals(e.jobId())) {
                savepoint = e.savepoint();
            }
        }
        if (savepoint == null) {
            throw new IllegalStateException(
                    "job " + current.jobId() + " was not stopped with a savepoint by this tool");
        }
        Deployment resumed = start(current.startingFrom(savepoint));
        awaitRunning(resumed.jobId());
        history.append(RolloutHistory.Entry.now(
                "resume", current.describe(), resumed.describe(), savepoint, "SUBMITTED", resumed.jobId(), null));
        return new Outcome(
                "resume",
                current.describe(),
                resumed.describe(),
                "SUBMITTED",
                savepoint,
                resumed.jobId(),
                List.of(),
                Figures.NONE);
    }

    private String lastRolloutSavepoint(Deployment current) {
        if (current.restoredFrom() == null) {
            throw new IllegalStateException(
                    "job " + current.jobId() + " cannot take a savepoint and was not started from one");
        }
        return current.restoredFrom();
    }

    private Deployment restore(Deployment previous, String savepoint, String failedJobId)
            throws IOException, InterruptedException {
        if (failedJobId != null) {
            try {
                String state = flink.job(failedJobId).state();
                if (!state.equals("CANCELED") && !state.equals("FINISHED") && !state.equals("FAILED")) {
                    flink.cancel(failedJobId);
                    flink.awaitTerminal(failedJobId, Duration.ofMinutes(2));
                }
            } catch (IOException e) {
                log.accept("could not cancel job " + failedJobId + ": " + e.getMessage());
            }
        }
        log.accept("    resubmitting " + previous.describe() + " from " + savepoint);
        announce(previous, "rollback");
        return start(previous.startingFrom(savepoint));
    }

    private List<String> checkRollback(Deployment restored, FigureLog figures) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        long since = System.currentTimeMillis();
        try {
            awaitRunning(restored.jobId());
        } catch (IOException e) {
            problems.add("rollback job did not start: " + e.getMessage());
            return problems;
        }
        DecisionSample after = DecisionSample.read(
                bootstrapServers,
                topics,
                since,
                since + health.timeout().toMillis(),
                Math.max(1, health.minDecisions() / 4),
                health.timeout());
        figures.afterRollback = after.summary();
        for (String version : after.byModelVersion().keySet()) {
            if (!versions(restored.modelVersion(), restored.canaryModelVersion())
                    .contains(version)) {
                problems.add("after the rollback a decision carries model " + version);
            }
        }
        return problems;
    }

    private List<String> checkHealth(
            Deployment next, DecisionSample baseline, long switchedAt, FigureLog figures, int restartsBefore)
            throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        try {
            awaitRunning(next.jobId());
        } catch (IOException e) {
            problems.add(e.getMessage());
            return problems;
        }
        long judgedFrom = System.currentTimeMillis() + health.settle().toMillis();
        Thread.sleep(health.settle().toMillis());
        DecisionSample catchUp =
                DecisionSample.read(bootstrapServers, topics, switchedAt, judgedFrom, 0, Duration.ofSeconds(20));
        figures.catchUp = catchUp.summary();
        DecisionSample after = DecisionSample.read(
                bootstrapServers,
                topics,
                judgedFrom,
                judgedFrom + health.timeout().toMillis(),
                health.minDecisions(),
                health.timeout());
        figures.after = after.summary();
        var job = flink.job(next.jobId());
        int restarts = flink.restarts(next.jobId()) - restartsBefore;
        figures.restarts = restarts;
        if (!job.state().equals("RUNNING") || restarts > 0) {
            problems.add("job " + next.jobId() + " is " + job.state() + " after " + restarts + " restart(s): "
                    + flink.rootException(next.jobId()));
        }
        if (after.decisions() < health.minDecisions()) {
            problems.add("only " + after.decisions() + " decisions within "
                    + health.timeout().toSeconds() + " s (need " + health.minDecisions() + ")");
        }
        List<String> expected = versions(next.modelVersion(), next.canaryModelVersion());
        for (String version : after.byModelVersion().keySet()) {
            if (!expected.contains(version)) {
                problems.add(after.byModelVersion().get(version) + " decisions carry model " + version + " instead of "
                        + expected);
            }
        }
        for (String version : expected) {
            if (after.decisions() > 0 && !after.byModelVersion().containsKey(version)) {
                problems.add("no decision carries model " + version);
            }
        }
        if (after.modelFailureRate() > health.maxModelFailureRate()) {
            problems.add(String.format(
                    "%.1f%% of decisions fell back because the model failed (allowed %.1f%%): %s",
                    100 * after.modelFailureRate(),
                    100 * health.maxModelFailureRate(),
                    after.summary().fallbackReasons()));
        }
        // Judged per model too: a canary for 1% of shoppers that always fails is 1% of all decisions.
        for (String version : expected) {
            double rate = after.modelFailureRate(version);
            if (expected.size() > 1 && rate > health.maxModelFailureRate()) {
                problems.add(String.format(
                        "model %s: %.1f%% of its decisions fell back because it failed (allowed %.1f%%)",
                        version, 100 * rate, 100 * health.maxModelFailureRate()));
            }
        }
        if (baseline.decisions() > 0
                && after.fallbackRate() > baseline.fallbackRate() + health.maxFallbackRateIncrease()) {
            problems.add(String.format(
                    "fallback rate %.1f%% against %.1f%% before the rollout (allowed +%.0f points)",
                    100 * after.fallbackRate(), 100 * baseline.fallbackRate(), 100 * health.maxFallbackRateIncrease()));
        }
        return problems;
    }

    /** Asks the running job to serve {@code d} and waits for every scoring subtask's answer. */
    private ServingControlTopic.Answer askToServe(Deployment d, String action) throws IOException {
        long askedAt = control.ask(d.serving("deploy/rollout.sh " + action));
        return control.await(d.servingRevision(), askedAt, health.startTimeout());
    }

    /**
     * Writes the deployment's serving state to the control topic before it is submitted: the topic keeps
     * saying what serves, and the job, submitted with the same revision, ignores it on the way in.
     */
    private void announce(Deployment d, String action) throws IOException {
        if (control.enabled() && d.servingRevision() > 0) {
            control.ask(d.serving("deploy/rollout.sh " + action));
        }
    }

    private Deployment start(Deployment d) throws IOException, InterruptedException {
        String jarId = flink.uploadJar(jobJar);
        String jobId;
        try {
            jobId = flink.runJar(jarId, ENTRY_CLASS, d.programArgs(), d.restoredFrom());
        } finally {
            try {
                flink.deleteJar(jarId);
            } catch (IOException e) {
                log.accept("could not delete uploaded jar " + jarId + ": " + e.getMessage());
            }
        }
        Deployment started = new Deployment(
                jobId,
                d.modelVersion(),
                d.canaryModelVersion(),
                d.canaryShare(),
                d.jobArgs(),
                d.restoredFrom(),
                System.currentTimeMillis(),
                d.parallelism(),
                d.servingRevision());
        started.save(stateDir);
        return started;
    }

    private void awaitRunning(String jobId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + health.startTimeout().toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            if (flink.allTasksRunning(jobId)) {
                return;
            }
            state = flink.job(jobId).state();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                break;
            }
            Thread.sleep(250);
        }
        throw new IOException("job " + jobId + " is not running (" + state + ") after "
                + health.startTimeout().toSeconds() + " s: " + flink.rootException(jobId));
    }

    private Deployment requireRunning() throws IOException {
        Deployment current = current();
        if (current == null) {
            throw new IllegalStateException("no deployment recorded in " + stateDir + "; submit the job first");
        }
        String state = flink.job(current.jobId()).state();
        if (!state.equals("RUNNING")) {
            throw new IllegalStateException("job " + current.jobId() + " (" + current.describe() + ") is " + state
                    + ", not RUNNING; nothing to roll out from");
        }
        return current;
    }

    private static List<String> versions(String model, String canary) {
        List<String> v = new ArrayList<>();
        v.add(model);
        if (canary != null && !canary.isBlank() && !canary.equals(model)) {
            v.add(canary);
        }
        return v;
    }

    private static String pretty(Deployment d) throws IOException {
        return org.pricingengine.features.events.Json.mapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(d);
    }
}
