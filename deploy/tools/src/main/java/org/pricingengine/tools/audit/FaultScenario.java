package org.pricingengine.tools.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.LocalStack;
import org.pricingengine.tools.local.Rees46Replayer;
import org.pricingengine.tools.rollout.FlinkRestClient;

/**
 * Process-level faults on a real standalone cluster, in one run: starts a Kafka broker and a Flink
 * session cluster (deploy/local scripts), submits the job, replays real REES46 traffic at a steady rate,
 * and while it flows kills the TaskManager process with SIGKILL (and starts a new one), then restarts
 * the Kafka broker. When the replay is over and every request has a decision, the job is stopped with a
 * draining savepoint (every attribution window closes) and {@link DeliveryAudit} checks the topics: no
 * valid request without a decision, repeated decisions identical, each outcome committed once. Prints
 * {@code faults: {json}}.
 *
 * <p>Options: --work-dir (.work/fault-scenario), --kafka-port (19492), --rest-port (18481), --rate rows/s
 * (100), --rows (7000), --data (the cosmetics log).
 */
public final class FaultScenario {
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/fault-scenario.sh",
                    "Kills the TaskManager and restarts the broker mid-replay on a local cluster, then audits delivery.")
            .option(
                    "work-dir",
                    ".work/fault-scenario",
                    "where the broker, the cluster and their state live (cleared first)")
            .option("kafka-port", "19492", "the broker's port")
            .option("rest-port", "18481", "the Flink cluster's REST port")
            .option("rate", "100", "replayed REES46 rows per second")
            .option("rows", "7000", "rows replayed in all")
            .option("data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv", "the REES46 log replayed");

    /** One injected fault; {@code job_restarted} only where the fault must restart the job. */
    @JsonPropertyOrder({"fault", "recovered", "seconds_to_next_checkpoint", "job_restarted"})
    public record Fault(
            @JsonProperty("fault") String fault,
            @JsonProperty("recovered") boolean recovered,
            @JsonProperty("seconds_to_next_checkpoint") long secondsToNextCheckpoint,

            @JsonProperty("job_restarted") @JsonInclude(JsonInclude.Include.NON_NULL)
            Boolean jobRestarted) {
        Fault withJobRestarted(boolean restarted) {
            return new Fault(fault, recovered, secondsToNextCheckpoint, restarted);
        }
    }

    /** What the scenario found: the {@code faults: {json}} line. */
    @JsonPropertyOrder({
        "rows_replayed",
        "requests_sent",
        "job_restarts",
        "completed_checkpoints",
        "faults",
        "audit",
        "problems",
        "examples",
        "ok",
        "seconds"
    })
    public record Result(
            @JsonProperty("rows_replayed") long rowsReplayed,
            @JsonProperty("requests_sent") long requestsSent,
            @JsonProperty("job_restarts") int jobRestarts,
            @JsonProperty("completed_checkpoints") long completedCheckpoints,
            @JsonProperty("faults") List<Fault> faults,
            @JsonProperty("audit") DeliveryAudit.Result audit,
            @JsonProperty("problems") List<String> problems,
            @JsonProperty("examples") List<String> examples,
            @JsonProperty("ok") boolean ok,
            @JsonProperty("seconds") long seconds) {
        Result withSeconds(long s) {
            return new Result(
                    rowsReplayed,
                    requestsSent,
                    jobRestarts,
                    completedCheckpoints,
                    faults,
                    audit,
                    problems,
                    examples,
                    ok,
                    s);
        }
    }

    private final LocalStack stack;
    private final double rate;
    private final long rows;
    private final Path data;
    private final List<Fault> faults = new ArrayList<>();

    private FaultScenario(ToolArguments o) {
        stack = new LocalStack(o.path("work-dir"), o.integer("kafka-port"), o.integer("rest-port"));
        rate = o.decimal("rate");
        rows = o.longValue("rows");
        data = stack.repo().resolve(o.string("data"));
    }

    public static void main(String[] args) throws Exception {
        Result result = new FaultScenario(OPTIONS.parseOrExit(args)).run();
        System.out.println("faults: " + Json.mapper().writeValueAsString(result));
        System.exit(result.ok() ? 0 : 1);
    }

    /** Runs the scenario; the result is what the last line prints. */
    public static Result run(String... args) throws Exception {
        return new FaultScenario(OPTIONS.parse(args)).run();
    }

    private Result run() throws Exception {
        LocalStack.Timed<Result> timed = stack.run(this::scenario);
        return timed.result().withSeconds(timed.seconds());
    }

    private Result scenario() throws Exception {
        String bootstrap = stack.bootstrapServers();
        List<String> jobArgs = List.of(
                "--kafka.bootstrap-servers",
                bootstrap,
                "--model.dir",
                stack.repo().resolve("model-assets/models").toString(),
                "--kafka.group-id",
                "pricing-fault-scenario",
                "--checkpoint.interval",
                "5s",
                "--feedback.attribution-window",
                "10min",
                "--delivery.transactional-id-prefix",
                "pricing-fault-scenario");
        PricingConfig config = PricingConfig.fromArgs(jobArgs.toArray(String[]::new));
        FlinkRestClient flink = new FlinkRestClient(stack.restUrl());
        String jarId = flink.uploadJar(stack.jobJar());
        String jobId = flink.runJar(jarId, PricingJob.class.getName(), jobArgs, null);
        await("the job to start", () -> flink.allTasksRunning(jobId));

        Rees46Replayer replayer = new Rees46Replayer(bootstrap, config);
        Thread traffic = new Thread(
                () -> {
                    try {
                        replayer.replay(data, rate, rows, 0, null);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "replay");
        traffic.start();

        awaitRows(replayer, rows / 4);
        awaitCheckpointAfter(flink, jobId, 0);
        int restartsBefore = flink.restarts(jobId);
        fault("taskmanager_killed", flink, jobId, true, () -> {
            stack.flinkCluster("kill-taskmanager");
            Thread.sleep(2000);
            stack.flinkCluster("restart-taskmanager");
            return null;
        });
        faults.set(0, faults.get(0).withJobRestarted(flink.restarts(jobId) > restartsBefore));

        awaitRows(replayer, rows * 5 / 8);
        awaitCheckpointAfter(flink, jobId, flink.completedCheckpoints(jobId));
        fault("broker_restarted", flink, jobId, false, () -> {
            stack.kafka("stop");
            Thread.sleep(5000);
            stack.kafka("start");
            return null;
        });

        traffic.join();
        replayer.close();
        long rowsReplayed = replayer.rowsSent.get();
        long requestsSent = replayer.requestsSent.get();
        DeliveryAudit.awaitDecisions(bootstrap, config, RECOVERY_TIMEOUT);
        int jobRestarts = flink.restarts(jobId);
        long completedCheckpoints = flink.completedCheckpoints(jobId);
        // A draining stop closes every attribution window: each decision then has its committed outcome.
        flink.stopWithSavepoint(jobId, null, RECOVERY_TIMEOUT, true);
        DeliveryAudit.Result audit = DeliveryAudit.run(bootstrap, config);
        boolean ok = audit.problems().isEmpty()
                && audit.decisionsWithoutOutcome() == 0
                && audit.validRequests() > 0
                && faults.stream().allMatch(Fault::recovered);
        return new Result(
                rowsReplayed,
                requestsSent,
                jobRestarts,
                completedCheckpoints,
                List.copyOf(faults),
                audit,
                audit.problems(),
                audit.examples(),
                ok,
                0);
    }

    /**
     * Injects a fault and waits until the job runs again with every task and has completed a checkpoint since.
     * With {@code restarts}, the job must first have restarted: until the JobManager notices a dead
     * TaskManager (heartbeat), a checkpoint acknowledged just before the kill can still complete.
     */
    private void fault(String name, FlinkRestClient flink, String jobId, boolean restarts, Callable<Void> inject)
            throws Exception {
        int restartsBefore = flink.restarts(jobId);
        long t0 = System.nanoTime();
        System.out.println("fault: " + name);
        inject.call();
        boolean recovered;
        try {
            if (restarts) {
                await("the job to restart", () -> flink.restarts(jobId) > restartsBefore);
            }
            awaitCheckpointAfter(flink, jobId, flink.completedCheckpoints(jobId));
            recovered = flink.allTasksRunning(jobId);
        } catch (IllegalStateException timeout) {
            recovered = false;
        }
        Fault f = new Fault(name, recovered, (System.nanoTime() - t0) / 1_000_000_000L, null);
        faults.add(f);
        System.out.println("fault: " + f);
    }

    /** A look at the cluster; an error counts as "not yet" (the REST API answers errors during a restart). */
    private interface Check {
        boolean holds() throws java.io.IOException;
    }

    private static void await(String what, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
        while (true) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (java.io.IOException restartingJobManagerView) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + RECOVERY_TIMEOUT + " waiting for " + what);
            }
            Thread.sleep(500);
        }
    }

    /** A checkpoint completed after {@code completedBefore} others: the job runs and its state is safe. */
    private static void awaitCheckpointAfter(FlinkRestClient flink, String jobId, long completedBefore)
            throws InterruptedException {
        await(
                "a checkpoint after " + completedBefore,
                () -> flink.completedCheckpoints(jobId) > completedBefore && flink.allTasksRunning(jobId));
    }

    private static void awaitRows(Rees46Replayer replayer, long n) throws InterruptedException {
        while (replayer.rowsSent.get() < n) {
            Thread.sleep(200);
        }
    }
}
