package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.scoring.CanaryArms;
import org.pricingengine.job.scoring.ServingControl;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.LocalStack;
import org.pricingengine.tools.local.Rees46Replayer;
import org.pricingengine.tools.local.TopicReading;

/**
 * The rollout scenario on a real standalone cluster, in one run: starts a Kafka broker and a Flink
 * session cluster of two TaskManagers (deploy/local scripts), submits the job with v1 at parallelism 2,
 * replays real REES46 traffic, and while traffic flows: starts a canary of v2 for half of the shoppers (a
 * hot swap inside the running job) and promotes it through a savepoint, so both paths are measured side by
 * side; tries a corrupt candidate (refused by the tool, job untouched; then asked for straight on the
 * control topic, refused by every scoring subtask), a candidate that passes validation but fails on real
 * traffic (hot swapped in and back to v2 automatically), rolls back on demand to the canary deployment (a
 * hot swap), and finally rescales that deployment to
 * parallelism 4 and back to 2 ({@link RescalePhase}: shoppers' keyed state moves between subtasks and
 * TaskManagers). Then it checks that every request has a decision, that decisions after the rollout carry
 * v2, and that shopper state survived (probe shoppers with 3 to 31 earlier events are priced before and
 * after the rollout and again after the rescales; the decision's {@code user_history_events} must not
 * change, and no shopper of the replayed traffic may have fewer events after the rollout than before); after
 * the rescales also that each shopper is on the canary split's arm, that repeated decisions are identical
 * and that requests decided before the rescales, asked again, get their first decision byte for byte. It
 * stops everything and prints {@code rollout: {json}}.
 *
 * <p>Options: --work-dir (.work/rollout-scenario), --kafka-port (19292), --rest-port (18281), --rate
 * rows/s (60), --data (multi-category log), --from (v1), --to (v2).
 */
public final class RolloutScenario {
    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/rollout-scenario.sh",
                    "Canary, promotion, a refused and a rolled-back candidate, a rollback and rescales 2 -> 4 -> 2 on a local cluster under traffic.")
            .option(
                    "work-dir",
                    ".work/rollout-scenario",
                    "where the broker, the cluster and their state live (cleared first)")
            .option("kafka-port", "19292", "the broker's port")
            .option("rest-port", "18281", "the Flink cluster's REST port")
            .option("rate", "60", "replayed REES46 rows per second")
            .option("data", "model-assets/data/rees46/multicategory_2019-10-01_head.csv", "the REES46 log replayed")
            .option("from", "v1", "the model version submitted first")
            .option("to", "v2", "the model version rolled out");

    /**
     * The decisions as read from the topic, phase by phase. Two counts are printed under names that
     * carry the target version ({@code decisions_after_rollout_not_v2}, {@code after_auto_rollback_not_v2}).
     */
    @JsonPropertyOrder({
        "decisions",
        "decision_records",
        "missing_decisions",
        "requests_with_duplicate_decisions",
        "canary_phase_canary_arm",
        "canary_phase_wrong_arm",
        "decisions_after_rollout",
        "after_auto_rollback",
        "after_on_demand_rollback",
        "after_on_demand_rollback_wrong_arm",
        "users_with_history_across_rollout",
        "users_whose_history_carried",
        "users_not_carried"
    })
    public record Verdict(
            @JsonProperty("decisions") long decisions,
            @JsonProperty("decision_records") long decisionRecords,
            @JsonProperty("missing_decisions") long missingDecisions,

            @JsonProperty("requests_with_duplicate_decisions")
            long requestsWithDuplicateDecisions,

            @JsonProperty("canary_phase_canary_arm") long canaryPhaseCanaryArm,
            @JsonProperty("canary_phase_wrong_arm") long canaryPhaseWrongArm,
            @JsonProperty("decisions_after_rollout") long decisionsAfterRollout,
            @JsonIgnore long decisionsAfterRolloutNotTarget,
            @JsonProperty("after_auto_rollback") long afterAutoRollback,
            @JsonIgnore long afterAutoRollbackNotTarget,
            @JsonProperty("after_on_demand_rollback") long afterOnDemandRollback,

            @JsonProperty("after_on_demand_rollback_wrong_arm")
            long afterOnDemandRollbackWrongArm,

            @JsonProperty("users_with_history_across_rollout")
            int usersWithHistoryAcrossRollout,

            @JsonProperty("users_whose_history_carried") int usersWhoseHistoryCarried,

            @JsonProperty("users_not_carried") @JsonInclude(JsonInclude.Include.NON_EMPTY)
            List<String> usersNotCarried) {}

    /**
     * What switching models cost the storefronts, from the requests and decisions topics ({@link
     * DecisionGap}), both paths side by side: the latency p99 of steady serving before the first rollout;
     * for each step (from its command to the end of its health check) the longest stretch with requests
     * waiting and no decision published, the requests that waited longer than the steady p99, and the p99
     * of the requests sent meanwhile. The {@code savepoint_*} figures are the promotion's (a savepoint and a
     * resubmission); {@code hot_swap_gap_s} is the longest gap of the hot swaps (canary, automatic and
     * on-demand rollback) and {@code hot_swap_waiting_requests} their waiting requests together, over the
     * same windows as the savepoint's (command to end of health check; about 1% of requests exceed the
     * steady p99 in any window, by its definition); {@code hot_swap_switches} narrows each swap down to
     * itself ({@link HotSwapSwitch}).
     */
    @JsonPropertyOrder({
        "steady_p99_ms",
        "savepoint_gap_s",
        "savepoint_waiting_requests",
        "savepoint_rollout_p99_ms",
        "savepoint_steps",
        "hot_swap_gap_s",
        "hot_swap_waiting_requests",
        "hot_swap_p99_ms",
        "hot_swap_steps",
        "hot_swap_switches"
    })
    public record SavepointGaps(
            @JsonProperty("steady_p99_ms") long steadyP99Ms,
            @JsonProperty("savepoint_gap_s") double gapSeconds,
            @JsonProperty("savepoint_waiting_requests") long waitingRequests,
            @JsonProperty("savepoint_rollout_p99_ms") long rolloutP99Ms,
            @JsonProperty("savepoint_steps") Map<String, DecisionGap.Figures> steps,
            @JsonProperty("hot_swap_gap_s") double hotSwapGapSeconds,
            @JsonProperty("hot_swap_waiting_requests") long hotSwapWaitingRequests,
            @JsonProperty("hot_swap_p99_ms") long hotSwapP99Ms,
            @JsonProperty("hot_swap_steps") Map<String, DecisionGap.Figures> hotSwapSteps,
            @JsonProperty("hot_swap_switches") List<HotSwapSwitch> hotSwapSwitches) {}

    /**
     * One hot swap as the topics saw it: from the control record (its Kafka timestamp) to the last scoring
     * subtask's SERVING report for its revision, and the serving figures of that stretch plus the settle
     * time after it (requests already at the old model finish there): what the swap itself costs, apart
     * from the validation and the health check around it.
     */
    @JsonPropertyOrder({"step", "revision", "switch_ms"})
    public record HotSwapSwitch(
            @JsonProperty("step") String step,
            @JsonProperty("revision") long revision,
            @JsonProperty("switch_ms") long switchMs,
            @JsonUnwrapped DecisionGap.Figures figures) {}

    /** What the scenario found: the {@code rollout: {json}} line. */
    @JsonPropertyOrder({
        "from_version",
        "to_version",
        "canary_outcome",
        "rollout_outcome",
        "paths",
        "savepoint",
        "rollout_problems",
        "probe_history_before",
        "probe_history_after",
        "refused_ok",
        "refused_reason",
        "job_refused_ok",
        "faulty_outcome",
        "faulty_problems",
        "on_demand_rollback_outcome",
        "on_demand_rollback_to",
        "canary_report_arms",
        "requests",
        "verdict",
        "canary_ok",
        "auto_rollback_ok",
        "on_demand_rollback_ok",
        "history",
        "state_carried",
        "gaps",
        "rescale",
        "ok",
        "seconds"
    })
    public record Result(
            @JsonProperty("from_version") String fromVersion,
            @JsonProperty("to_version") String toVersion,
            @JsonProperty("canary_outcome") String canaryOutcome,
            @JsonProperty("rollout_outcome") String rolloutOutcome,
            @JsonProperty("paths") Map<String, String> paths,
            @JsonProperty("savepoint") String savepoint,

            @JsonProperty("rollout_problems") @JsonInclude(JsonInclude.Include.NON_NULL)
            List<List<String>> rolloutProblems,

            @JsonProperty("probe_history_before") Map<String, Integer> probeHistoryBefore,
            @JsonProperty("probe_history_after") Map<String, Integer> probeHistoryAfter,
            @JsonProperty("refused_ok") boolean refusedOk,
            @JsonProperty("refused_reason") String refusedReason,
            @JsonProperty("job_refused_ok") boolean jobRefusedOk,
            @JsonProperty("faulty_outcome") String faultyOutcome,
            @JsonProperty("faulty_problems") List<String> faultyProblems,
            @JsonProperty("on_demand_rollback_outcome") String onDemandRollbackOutcome,
            @JsonProperty("on_demand_rollback_to") String onDemandRollbackTo,
            @JsonProperty("canary_report_arms") Map<String, CanaryReport.Arm> canaryReportArms,
            @JsonProperty("requests") int requests,
            @JsonUnwrapped Verdict verdict,
            @JsonProperty("canary_ok") boolean canaryOk,
            @JsonProperty("auto_rollback_ok") boolean autoRollbackOk,
            @JsonProperty("on_demand_rollback_ok") boolean onDemandRollbackOk,
            @JsonProperty("history") int history,
            @JsonProperty("state_carried") boolean stateCarried,
            @JsonUnwrapped SavepointGaps gaps,
            @JsonUnwrapped RescalePhase.Result rescale,
            @JsonProperty("ok") boolean ok,
            @JsonProperty("seconds") long seconds) {
        /** The counts whose names carry the target version; Jackson writes them after the fixed keys. */
        @JsonAnyGetter
        Map<String, Long> countsNamedByTarget() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("decisions_after_rollout_not_" + toVersion, verdict.decisionsAfterRolloutNotTarget());
            m.put("after_auto_rollback_not_" + toVersion, verdict.afterAutoRollbackNotTarget());
            return m;
        }

        Result withSeconds(long s) {
            return new Result(
                    fromVersion,
                    toVersion,
                    canaryOutcome,
                    rolloutOutcome,
                    paths,
                    savepoint,
                    rolloutProblems,
                    probeHistoryBefore,
                    probeHistoryAfter,
                    refusedOk,
                    refusedReason,
                    jobRefusedOk,
                    faultyOutcome,
                    faultyProblems,
                    onDemandRollbackOutcome,
                    onDemandRollbackTo,
                    canaryReportArms,
                    requests,
                    verdict,
                    canaryOk,
                    autoRollbackOk,
                    onDemandRollbackOk,
                    history,
                    stateCarried,
                    gaps,
                    rescale,
                    ok,
                    s);
        }
    }

    private final LocalStack stack;
    private final Path repo;
    private final Path work;
    private final int kafkaPort;
    private final int restPort;
    private final double rate;
    private final Path data;
    private final String from;
    private final String to;

    private RolloutScenario(ToolArguments o) {
        kafkaPort = o.integer("kafka-port");
        restPort = o.integer("rest-port");
        stack = new LocalStack(o.path("work-dir"), kafkaPort, restPort, RescalePhase.TASK_MANAGERS);
        repo = stack.repo();
        work = stack.work();
        rate = o.decimal("rate");
        data = repo.resolve(o.string("data"));
        from = o.string("from");
        to = o.string("to");
    }

    public static void main(String[] args) throws Exception {
        Result result = new RolloutScenario(OPTIONS.parseOrExit(args)).run();
        System.out.println("rollout: " + Json.mapper().writeValueAsString(result));
        System.exit(result.ok() ? 0 : 1);
    }

    /** Runs the scenario; the result is what the last line prints. */
    public static Result run(String... args) throws Exception {
        return new RolloutScenario(OPTIONS.parse(args)).run();
    }

    private Result run() throws Exception {
        LocalStack.Timed<Result> timed = stack.run(() -> scenario(prepareModels()));
        return timed.result().withSeconds(timed.seconds());
    }

    private Result scenario(Path models) throws Exception {
        String bootstrap = "127.0.0.1:" + kafkaPort;
        // A 10-minute attribution window (event time, about 17 s of replay at 60 rows/s): the canary phase's
        // outcomes are in the feedback topic before the scenario ends, so the canary report has both arms.
        List<String> jobArgs = List.of(
                "--kafka.bootstrap-servers",
                bootstrap,
                "--model.dir",
                models.toString(),
                "--kafka.group-id",
                "pricing-rollout-scenario",
                "--checkpoint.interval",
                "10s",
                "--feedback.attribution-window",
                "10min",
                // Fewer subtasks than the cluster has slots: the rescale phase moves the job to all of them.
                "--job.parallelism",
                "" + RescalePhase.PARALLELISM);
        PricingConfig config = PricingConfig.fromArgs(jobArgs.toArray(String[]::new));
        Path stateDir = work.resolve("rollout");
        FlinkRestClient flink = new FlinkRestClient("http://127.0.0.1:" + restPort);
        CandidateValidator validator = new CandidateValidator(
                models,
                repo.resolve("model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"),
                PolicySettings.from(config),
                CandidateValidator.Limits.defaults());
        ModelRollout rollout = new ModelRollout(
                flink,
                stateDir,
                stack.jobJar(),
                bootstrap,
                config,
                validator,
                ModelRollout.HealthCriteria.defaults(),
                line -> System.out.println("rollout: " + line));

        DecisionLog decisions = new DecisionLog(bootstrap, config);
        Thread reader = new Thread(decisions, "decision-log");
        reader.setDaemon(true);
        reader.start();

        Deployment first = rollout.submit(from, null, 0, jobArgs, null);
        System.out.println("scenario: submitted " + from + " as job " + first.jobId());
        Rees46Replayer replayer = new Rees46Replayer(bootstrap, config);
        Thread traffic = new Thread(
                () -> {
                    try {
                        replayer.replay(data, rate, 0, 0, i -> null);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (Exception e) {
                        System.err.println("scenario: replay failed: " + e);
                    }
                },
                "traffic");
        traffic.start();
        awaitDecisions(decisions, from, 1000, Duration.ofSeconds(120));
        long servingSinceMs = decisions.firstTimestampMs();
        // Steady serving: the later half of the time before the first rollout, the JVMs' warm-up behind it.
        long steadyFromMs = servingSinceMs + (System.currentTimeMillis() - servingSinceMs) / 2;
        // Probe shoppers with a known number of earlier events, asked for a price before the rollouts...
        Map<String, Integer> probeBefore = askProbeShoppers(replayer, decisions, "before");

        // 1. a canary: half of the shoppers on the new version (a hot swap: both read the same features),
        // then promoted to everyone through a savepoint, so both paths are measured side by side.
        Map<String, DecisionGap.Window> savepointSteps = new LinkedHashMap<>();
        Map<String, DecisionGap.Window> hotSwapSteps = new LinkedHashMap<>();
        // While a hot swap goes on, a decision may come from either state: not judged by phase.
        List<DecisionGap.Window> switching = new ArrayList<>();
        Map<String, String> paths = new LinkedHashMap<>();
        long stepFromMs = System.currentTimeMillis();
        ModelRollout.Outcome canary = rollout.rollout(from, to, CANARY_SHARE);
        record(canary, "canary", stepFromMs, savepointSteps, hotSwapSteps, switching, paths, rollout);
        long canaryAtMs = phaseStart(canary, rollout);
        DecisionGap.Window steady = new DecisionGap.Window(steadyFromMs, stepFromMs);
        stepFromMs = System.currentTimeMillis();
        ModelRollout.Outcome up = rollout.rollout(to, null, 0, true);
        record(up, "promotion", stepFromMs, savepointSteps, hotSwapSteps, switching, paths, rollout);
        long switchedAtMs = phaseStart(up, rollout);
        List<List<String>> rolloutProblems =
                !up.succeeded() || !canary.succeeded() ? List.of(canary.problems(), up.problems()) : null;
        // ... and again after them: the new job must know them as well as the first one did.
        Map<String, Integer> probeAfter = askProbeShoppers(replayer, decisions, "after");
        boolean probesCarried =
                probeAfter.equals(probeBefore) && probeBefore.values().stream().allMatch(n -> n > 0);

        // 2. a corrupt candidate: refused, the running job untouched
        String jobBefore = rollout.current().jobId();
        ModelRollout.Outcome corrupt = rollout.rollout("v9-corrupt", null, 0);
        boolean refusedOk = corrupt.outcome().equals("REFUSED")
                && rollout.current().jobId().equals(jobBefore)
                && flink.job(jobBefore).state().equals("RUNNING")
                && corrupt.savepoint() == null;
        // The same candidate asked for straight on the control topic, past the tool's validation: every
        // scoring subtask must refuse it itself (its checksum) and keep serving.
        ServingControlTopic control = new ServingControlTopic(bootstrap, config);
        long corruptRevision =
                Math.max(System.currentTimeMillis(), rollout.current().servingRevision() + 1);
        long corruptAskedAt =
                control.ask(new ServingControl(corruptRevision, "v9-corrupt", null, 0, null, "rollout scenario", null));
        ServingControlTopic.Answer corruptAnswer =
                control.await(corruptRevision, corruptAskedAt, Duration.ofSeconds(60));
        boolean jobRefusedOk = corruptAnswer.complete()
                && corruptAnswer.serving().isEmpty()
                && corruptAnswer.refused().values().stream()
                        .allMatch(reasons -> String.join(" ", reasons).contains("sha256"))
                && flink.job(jobBefore).state().equals("RUNNING");

        // 3. a candidate that passes validation and fails on real traffic: rolled back automatically
        stepFromMs = System.currentTimeMillis();
        ModelRollout.Outcome faulty = rollout.rollout("v3-faulty", null, 0);
        record(faulty, "auto_rollback", stepFromMs, savepointSteps, hotSwapSteps, switching, paths, rollout);
        long rolledBackAtMs = phaseStart(faulty, rollout);
        boolean autoRollbackOk = faulty.outcome().equals("ROLLED_BACK")
                && rollout.current().modelVersion().equals(to)
                && flink.job(rollout.current().jobId()).state().equals("RUNNING");

        // A hot swap back is done in seconds: let v2 serve for a while, so the phase after the automatic
        // rollback has decisions to judge.
        Thread.sleep(HOT_SWAP_SETTLE_MS + 8_000);

        // 4. an on-demand rollback: back to the deployment before the last successful rollout (the canary)
        stepFromMs = System.currentTimeMillis();
        ModelRollout.Outcome back = rollout.rollback();
        record(back, "on_demand_rollback", stepFromMs, savepointSteps, hotSwapSteps, switching, paths, rollout);
        long demandRollbackAtMs = phaseStart(back, rollout);
        String rolledBackTo = rollout.current().describe();

        // 5. rescales of the deployment rolled back to, up and down, shoppers' state moving between subtasks
        RescalePhase rescalePhase =
                new RescalePhase(rollout, bootstrap, config, repo, work, rate, from, to, CANARY_SHARE);
        rescalePhase.run(traffic, demandRollbackAtMs, round -> askProbeShoppers(replayer, decisions, round));

        // Let the traffic run a little more, then stop it and wait for every decision.
        Thread.sleep(5_000);
        traffic.interrupt();
        traffic.join(30_000);
        replayer.flush();
        replayer.close();
        List<DecisionGap.Timed> sentRequests = readRequests(bootstrap, config);
        Set<String> requests = new HashSet<>();
        sentRequests.forEach(r -> requests.add(r.requestId()));
        boolean complete = decisions.awaitAll(requests, Duration.ofSeconds(90));
        decisions.stop();
        SavepointGaps gaps = switchGaps(
                new DecisionGap(sentRequests, decisions.timed()),
                steady,
                savepointSteps,
                hotSwapSteps,
                swapTimes(bootstrap, config));
        RescalePhase.Result rescaled = rescalePhase.verdict(sentRequests, gaps.steadyP99Ms(), probeBefore);

        Verdict v = decisions.verdict(
                requests, from, to, canaryAtMs, switchedAtMs, rolledBackAtMs, demandRollbackAtMs, switching);
        autoRollbackOk &= v.afterAutoRollbackNotTarget() == 0 && v.afterAutoRollback() > 0;
        boolean canaryOk = canary.succeeded() && v.canaryPhaseWrongArm() == 0 && v.canaryPhaseCanaryArm() > 0;
        boolean demandRollbackOk = back.outcome().equals("ROLLBACK_DONE")
                && v.afterOnDemandRollbackWrongArm() == 0
                && v.afterOnDemandRollback() > 0;
        CanaryReport.Summary report =
                CanaryReport.read(bootstrap, config, canaryAtMs).summary();
        int history = rollout.history().entries().size();
        System.out.print(rollout.history().format());
        boolean stateCarried = probesCarried && v.usersWithHistoryAcrossRollout() == v.usersWhoseHistoryCarried();
        boolean ok = up.succeeded()
                && canaryOk
                && refusedOk
                && jobRefusedOk
                && autoRollbackOk
                && demandRollbackOk
                && complete
                && v.missingDecisions() == 0
                && stateCarried
                && v.decisionsAfterRolloutNotTarget() == 0
                && rescaled.ok();
        // The last cluster job is left for the finally block, which stops the cluster.
        stack.flinkCluster("status");
        return new Result(
                from,
                to,
                canary.outcome(),
                up.outcome(),
                paths,
                up.savepoint(),
                rolloutProblems,
                probeBefore,
                probeAfter,
                refusedOk,
                corrupt.problems().isEmpty() ? null : corrupt.problems().get(0),
                jobRefusedOk,
                faulty.outcome(),
                faulty.problems(),
                back.outcome(),
                rolledBackTo,
                report.arms(),
                requests.size(),
                v,
                canaryOk,
                autoRollbackOk,
                demandRollbackOk,
                history,
                stateCarried,
                gaps,
                rescaled,
                ok,
                0);
    }

    private static final double CANARY_SHARE = 0.5;

    /**
     * After every scoring subtask reported a hot swap done, requests already at the old model still finish
     * there (within the scoring timeout): their decisions may carry the old state for this long.
     */
    private static final long HOT_SWAP_SETTLE_MS = 2_000;

    /** Files a step's window under its path, and for a hot swap the stretch its decisions may be mixed. */
    private static void record(
            ModelRollout.Outcome outcome,
            String step,
            long fromMs,
            Map<String, DecisionGap.Window> savepointSteps,
            Map<String, DecisionGap.Window> hotSwapSteps,
            List<DecisionGap.Window> switching,
            Map<String, String> paths,
            ModelRollout rollout) {
        DecisionGap.Window window = new DecisionGap.Window(fromMs, System.currentTimeMillis());
        paths.put(step, outcome.path());
        if (ModelRollout.Outcome.HOT_SWAP.equals(outcome.path())) {
            hotSwapSteps.put(step, window);
            switching.add(new DecisionGap.Window(fromMs, phaseStart(outcome, rollout)));
        } else {
            savepointSteps.put(step, window);
        }
    }

    /**
     * From when decisions must come from the state a step left: the new job's start after a savepoint, or
     * a little after every subtask reported a hot swap done.
     */
    private static long phaseStart(ModelRollout.Outcome outcome, ModelRollout rollout) {
        long since = rollout.current().submittedAtMs();
        return ModelRollout.Outcome.HOT_SWAP.equals(outcome.path()) ? since + HOT_SWAP_SETTLE_MS : since;
    }

    /** Shopper i (1..5) has PROBE_EVENTS[i-1] behaviour events, sent once, before the first ask. */
    private static final int[] PROBE_EVENTS = {3, 7, 12, 20, 31};

    private static final String PROBE_ITEM = "rollout-probe-item";
    private static final long PROBE_T0 =
            java.time.Instant.parse("2019-10-01T00:30:00Z").toEpochMilli();

    /**
     * Asks the price of one item for each probe shopper and returns, per shopper, how many earlier events
     * the decision says the model saw. The first call also sends the shoppers' history and the item's
     * catalog entry.
     */
    private static Map<String, Integer> askProbeShoppers(Rees46Replayer replayer, DecisionLog decisions, String round)
            throws InterruptedException {
        boolean first = round.equals("before");
        long requestTime = PROBE_T0 + (first ? 600_000 : 1_200_000);
        if (first) {
            replayer.send(new ReplayRecord(
                    ReplayRecord.Role.CATALOG,
                    PROBE_ITEM,
                    new CatalogUpdate(PROBE_ITEM, "probe-category", "probe-brand", 20.0, 12.0, 100L, PROBE_T0),
                    PROBE_T0));
            for (int u = 1; u <= PROBE_EVENTS.length; u++) {
                String user = "rollout-probe-user-" + u;
                for (int e = 0; e < PROBE_EVENTS[u - 1]; e++) {
                    long t = PROBE_T0 + e * 1_000L;
                    replayer.send(new ReplayRecord(
                            ReplayRecord.Role.BEHAVIOUR,
                            user,
                            new BehaviourEvent(
                                    user + "-event-" + e,
                                    user,
                                    "probe-seen-item-" + e,
                                    EventType.VIEW,
                                    t,
                                    10.0 + e,
                                    "s-" + u,
                                    "probe-category",
                                    "probe-brand"),
                            t));
                }
            }
            // The history and the requests travel on different topics: let the history land first.
            replayer.flush();
            Thread.sleep(3_000);
        }
        Map<String, String> requestIds = new LinkedHashMap<>();
        for (int u = 1; u <= PROBE_EVENTS.length; u++) {
            String user = "rollout-probe-user-" + u;
            String requestId = "rollout-probe-" + round + "-" + u;
            requestIds.put(user, requestId);
            replayer.send(new ReplayRecord(
                    ReplayRecord.Role.REQUEST,
                    user,
                    new PriceRequest(requestId, user, PROBE_ITEM, requestTime, "web", null),
                    requestTime));
        }
        replayer.flush();
        Map<String, Integer> history = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Map.Entry<String, String> e : requestIds.entrySet()) {
            Integer seen;
            while ((seen = decisions.historyOf(e.getValue())) == null) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no decision for probe request " + e.getValue() + " within 60 s");
                }
                Thread.sleep(100);
            }
            history.put(e.getKey(), seen);
        }
        return history;
    }

    private static void awaitDecisions(DecisionLog log, String version, int n, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (log.count(version) < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + log.count(version) + " decisions from " + version + " after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(200);
        }
    }

    /** Copies of the real model versions, a corrupt candidate and a faulty one, in the cluster's model dir. */
    private Path prepareModels() throws IOException, InterruptedException {
        Path models = work.resolve("models");
        Path bundled = repo.resolve("model-assets/models");
        for (String version : List.of(from, to)) {
            copyDirectory(bundled.resolve(version), models.resolve(version));
        }
        // Corrupt: the model file no longer matches the checksum its manifest gives.
        Path corrupt = models.resolve("v9-corrupt");
        copyDirectory(bundled.resolve(to), corrupt);
        String manifest = Files.readString(corrupt.resolve("manifest.json"))
                .replace("\"model_version\": \"" + to + "\"", "\"model_version\": \"v9-corrupt\"");
        Files.writeString(corrupt.resolve("manifest.json"), manifest);
        byte[] onnx = Files.readAllBytes(corrupt.resolve("model.onnx"));
        onnx[onnx.length / 2] ^= 0x5a;
        Files.write(corrupt.resolve("model.onnx"), onnx);
        // Faulty: passes validation (cosmetics probe prices stay under 300), fails on multi-category prices.
        stack.command(List.of(
                "/usr/bin/python3",
                "model-assets/training/faulty_candidate.py",
                "--models",
                models.toString(),
                "--source",
                to,
                "--name",
                "v3-faulty",
                "--price-above",
                "300"));
        return models;
    }

    private static SavepointGaps switchGaps(
            DecisionGap measured,
            DecisionGap.Window steady,
            Map<String, DecisionGap.Window> savepointSteps,
            Map<String, DecisionGap.Window> hotSwapSteps,
            List<long[]> swaps) {
        long steadyP99 = measured.p99Ms(steady);
        List<HotSwapSwitch> switches = new ArrayList<>();
        for (long[] swap : swaps) {
            long revision = swap[0];
            long askedAt = swap[1];
            long servedAt = swap[2];
            hotSwapSteps.forEach((step, window) -> {
                if (window.contains(askedAt)) {
                    switches.add(new HotSwapSwitch(
                            step,
                            revision,
                            servedAt - askedAt,
                            measured.during(
                                    new DecisionGap.Window(askedAt, servedAt + HOT_SWAP_SETTLE_MS), steadyP99)));
                }
            });
        }
        Map<String, DecisionGap.Figures> savepoints = new LinkedHashMap<>();
        savepointSteps.forEach((step, window) -> savepoints.put(step, measured.during(window, steadyP99)));
        Map<String, DecisionGap.Figures> hotSwaps = new LinkedHashMap<>();
        hotSwapSteps.forEach((step, window) -> hotSwaps.put(step, measured.during(window, steadyP99)));
        DecisionGap.Figures promotion = savepoints.get("promotion");
        double hotGap = 0;
        long hotWaiting = 0;
        long hotP99 = 0;
        for (DecisionGap.Figures f : hotSwaps.values()) {
            hotGap = Math.max(hotGap, f.gapSeconds());
            hotWaiting += f.waitingRequests();
            hotP99 = Math.max(hotP99, f.p99Ms());
        }
        return new SavepointGaps(
                steadyP99,
                promotion == null ? 0 : promotion.gapSeconds(),
                promotion == null ? 0 : promotion.waitingRequests(),
                promotion == null ? 0 : promotion.p99Ms(),
                savepoints,
                hotGap,
                hotWaiting,
                hotP99,
                hotSwaps,
                switches);
    }

    /**
     * Every control record that every scoring subtask answered SERVING to: {revision, the record's Kafka
     * timestamp, the last SERVING report's}.
     */
    private static List<long[]> swapTimes(String bootstrap, PricingConfig config) {
        Map<Long, Long> askedAt = new LinkedHashMap<>();
        readTopic(bootstrap, config, config.get(PricingConfig.TOPIC_MODEL_CONTROL), r -> {
            try {
                askedAt.putIfAbsent(
                        Json.mapper().readTree(r.value()).path("revision").asLong(), r.timestamp());
            } catch (IOException e) {
                throw new IllegalStateException("a control record is not JSON", e);
            }
        });
        // The answer to a record is its first SERVING report from each subtask: a job restarted later (a
        // rescale) reports the same revision again, from another number of subtasks. Reports come from
        // several partitions: ordered by time first.
        List<long[]> reports = new ArrayList<>();
        readTopic(bootstrap, config, config.get(PricingConfig.TOPIC_MODEL_SERVING), r -> {
            try {
                JsonNode report = Json.mapper().readTree(r.value());
                long revision = report.path("revision").asLong();
                if ("SERVING".equals(report.path("status").asText())
                        && askedAt.containsKey(revision)
                        && r.timestamp() >= askedAt.get(revision)) {
                    reports.add(new long[] {
                        revision,
                        r.timestamp(),
                        report.path("subtask").asInt(),
                        report.path("subtasks").asInt()
                    });
                }
            } catch (IOException e) {
                throw new IllegalStateException("a serving report is not JSON", e);
            }
        });
        reports.sort(java.util.Comparator.comparingLong(r -> r[1]));
        Map<Long, Long> servedAt = new HashMap<>();
        Map<Long, Set<Long>> servedBy = new HashMap<>();
        Map<Long, Long> subtasks = new HashMap<>();
        for (long[] report : reports) {
            long revision = report[0];
            if (servedAt.containsKey(revision)) {
                continue;
            }
            long of = subtasks.computeIfAbsent(revision, k -> report[3]);
            Set<Long> by = servedBy.computeIfAbsent(revision, k -> new HashSet<>());
            by.add(report[2]);
            if (by.size() >= of) {
                servedAt.put(revision, report[1]);
            }
        }
        List<long[]> swaps = new ArrayList<>();
        askedAt.forEach((revision, at) -> {
            if (servedAt.containsKey(revision)) {
                swaps.add(new long[] {revision, at, servedAt.get(revision)});
            }
        });
        return swaps;
    }

    /** Every request on the topic with the time it was sent (its Kafka timestamp). */
    private static List<DecisionGap.Timed> readRequests(String bootstrap, PricingConfig config) {
        List<DecisionGap.Timed> requests = new ArrayList<>();
        readTopic(bootstrap, config, config.get(PricingConfig.TOPIC_REQUESTS), r -> {
            try {
                requests.add(new DecisionGap.Timed(
                        Json.mapper().readTree(r.value()).path("request_id").asText(), r.timestamp()));
            } catch (IOException e) {
                throw new IllegalStateException("a request is not JSON", e);
            }
        });
        return requests;
    }

    /** Reads a topic from the beginning to its current end. */
    static void readTopic(
            String bootstrap,
            PricingConfig config,
            String topic,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrap, config, false)) {
            Map<TopicPartition, Long> end = TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            while (!TopicReading.caughtUp(consumer, end)) {
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    /** Every decision on the topic, as it arrives: what the checks at the end are computed from. */
    private static final class DecisionLog implements Runnable {
        private record Seen(
                String requestId,
                String userId,
                String modelVersion,
                int history,
                long timestampMs,
                long requestTime,
                boolean itemKnown) {}

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final String topic;
        private final List<Seen> seen = new ArrayList<>();
        private final Map<String, Integer> perVersion = new HashMap<>();
        private volatile boolean running = true;

        DecisionLog(String bootstrap, PricingConfig config) {
            consumer = TopicReading.consumer(bootstrap, config, false);
            topic = config.get(PricingConfig.TOPIC_DECISIONS);
        }

        @Override
        public void run() {
            TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            try {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        JsonNode d = Json.mapper().readTree(r.value());
                        synchronized (this) {
                            Seen s = new Seen(
                                    d.path("request_id").asText(),
                                    d.path("user_id").asText(),
                                    d.path("model_version").asText(),
                                    d.path("user_history_events").asInt(),
                                    r.timestamp(),
                                    java.time.Instant.parse(
                                                    d.path("request_time").asText())
                                            .toEpochMilli(),
                                    d.hasNonNull("list_price"));
                            seen.add(s);
                            perVersion.merge(s.modelVersion(), 1, Integer::sum);
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("a decision is not JSON", e);
            } finally {
                consumer.close();
            }
        }

        synchronized Integer historyOf(String requestId) {
            for (int i = seen.size() - 1; i >= 0; i--) {
                if (seen.get(i).requestId().equals(requestId)) {
                    return seen.get(i).history();
                }
            }
            return null;
        }

        /** The Kafka timestamp of the first decision read. */
        synchronized long firstTimestampMs() {
            return seen.get(0).timestampMs();
        }

        synchronized List<DecisionGap.Timed> timed() {
            return seen.stream()
                    .map(s -> new DecisionGap.Timed(s.requestId(), s.timestampMs()))
                    .toList();
        }

        synchronized int count(String version) {
            return perVersion.getOrDefault(version, 0);
        }

        boolean awaitAll(Set<String> requests, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (this) {
                    Set<String> decided = new HashSet<>();
                    seen.forEach(s -> decided.add(s.requestId()));
                    if (decided.containsAll(requests)) {
                        return true;
                    }
                }
                Thread.sleep(500);
            }
            return false;
        }

        void stop() {
            running = false;
        }

        /**
         * The figures: missing decisions, duplicates, model versions and arms in each phase, and whether
         * user state carried over (a user's first decision after the switch to the new version saw at least
         * as many earlier events as the last one before the rollouts, and more than none).
         */
        synchronized Verdict verdict(
                Set<String> requests,
                String from,
                String to,
                long canaryAtMs,
                long switchedAtMs,
                long autoRollbackAtMs,
                long demandRollbackAtMs,
                List<DecisionGap.Window> switching) {
            Map<String, Integer> perRequest = new HashMap<>();
            Map<String, Seen> lastBefore = new HashMap<>();
            List<Seen> after = new ArrayList<>();
            long canaryPhaseWrongArm = 0;
            long canaryPhaseCanaryArm = 0;
            long afterRollout = 0;
            long afterRolloutOther = 0;
            long afterAutoRollback = 0;
            long afterAutoRollbackOther = 0;
            long afterDemandRollback = 0;
            long afterDemandRollbackWrongArm = 0;
            for (Seen s : seen) {
                perRequest.merge(s.requestId(), 1, Integer::sum);
                long t = s.timestampMs();
                if (switching.stream().anyMatch(w -> w.contains(t))) {
                    continue; // mid hot swap: either state is right
                }
                boolean expectedCanaryArm = CanaryArms.inCanary(s.userId(), to, CANARY_SHARE);
                String armVersion = expectedCanaryArm ? to : from;
                if (s.itemKnown() && t < canaryAtMs && s.modelVersion().equals(from)) {
                    lastBefore.merge(s.userId(), s, (a, b) -> b.requestTime() >= a.requestTime() ? b : a);
                } else if (s.itemKnown()
                        && t >= switchedAtMs
                        && t < demandRollbackAtMs
                        && s.modelVersion().equals(to)) {
                    after.add(s);
                }
                if (t >= canaryAtMs && t < switchedAtMs) {
                    if (!s.modelVersion().equals(armVersion)) {
                        canaryPhaseWrongArm++;
                    } else if (expectedCanaryArm) {
                        canaryPhaseCanaryArm++;
                    }
                } else if (t >= switchedAtMs && t < demandRollbackAtMs) {
                    afterRollout++;
                    // The faulty candidate's decisions (between its start and the rollback) are expected to differ.
                    if (!s.modelVersion().equals(to) && !s.modelVersion().equals("v3-faulty")) {
                        afterRolloutOther++;
                    }
                    if (t >= autoRollbackAtMs) {
                        afterAutoRollback++;
                        if (!s.modelVersion().equals(to)) {
                            afterAutoRollbackOther++;
                        }
                    }
                } else if (t >= demandRollbackAtMs) {
                    afterDemandRollback++;
                    if (!s.modelVersion().equals(armVersion)) {
                        afterDemandRollbackWrongArm++;
                    }
                }
            }
            long missing =
                    requests.stream().filter(r -> !perRequest.containsKey(r)).count();
            long duplicates = perRequest.values().stream().filter(c -> c > 1).count();
            // Compared in request time, not decision order: a request that waited for its item's catalog entry
            // across the savepoint is decided after the rollout with the (shorter) history before its own time.
            Map<String, Seen> firstAfter = new HashMap<>();
            for (Seen s : after) {
                Seen before = lastBefore.get(s.userId());
                if (before != null && s.requestTime() >= before.requestTime()) {
                    firstAfter.merge(s.userId(), s, (a, b) -> b.requestTime() < a.requestTime() ? b : a);
                }
            }
            List<String> notCarried = new ArrayList<>();
            int usersChecked = 0;
            int usersCarried = 0;
            for (Map.Entry<String, Seen> e : lastBefore.entrySet()) {
                Seen next = firstAfter.get(e.getKey());
                if (next != null && e.getValue().history() > 0) {
                    usersChecked++;
                    if (next.history() >= e.getValue().history()) {
                        usersCarried++;
                    } else if (notCarried.size() < 5) {
                        notCarried.add(e.getValue() + " -> " + next);
                    }
                }
            }
            return new Verdict(
                    perRequest.size(),
                    seen.size(),
                    missing,
                    duplicates,
                    canaryPhaseCanaryArm,
                    canaryPhaseWrongArm,
                    afterRollout,
                    afterRolloutOther,
                    afterAutoRollback,
                    afterAutoRollbackOther,
                    afterDemandRollback,
                    afterDemandRollbackWrongArm,
                    usersChecked,
                    usersCarried,
                    List.copyOf(notCarried));
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
