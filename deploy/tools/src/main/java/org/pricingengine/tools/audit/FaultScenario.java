package org.pricingengine.tools.audit;

import org.pricingengine.features.events.Json;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.local.LocalStack;
import org.pricingengine.tools.local.Rees46Replayer;
import org.pricingengine.tools.rollout.FlinkRestClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Process-level faults on a real standalone cluster, in one run: starts a Kafka broker and a Flink
 * session cluster (deploy/local scripts), submits the job, replays real REES46 traffic at a steady rate,
 * and while it flows kills the TaskManager process with SIGKILL (and starts a new one), then restarts
 * the Kafka broker. When the replay is over and every request has a decision, the job is stopped with a
 * draining savepoint (every attribution window closes) and {@link DeliveryAudit} checks the topics: no
 * valid request without a decision, repeated decisions identical, each outcome committed once. Prints
 * {@code faults: {json}}.
 *
 * <p>Options: --work-dir (.work/fault-scenario), --kafka-port (39492), --rest-port (38481), --rate rows/s
 * (100), --rows (7000), --data (the cosmetics log).
 */
public final class FaultScenario {
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(3);

    private final LocalStack stack;
    private final double rate;
    private final long rows;
    private final Path data;
    private final List<Map<String, Object>> faults = new ArrayList<>();

    private FaultScenario(Map<String, String> o) {
        stack = new LocalStack(Path.of(o.get("work-dir")), Integer.parseInt(o.get("kafka-port")),
                Integer.parseInt(o.get("rest-port")));
        rate = Double.parseDouble(o.get("rate"));
        rows = Long.parseLong(o.get("rows"));
        data = stack.repo().resolve(o.get("data"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> result = run(args);
        System.out.println("faults: " + Json.mapper().writeValueAsString(result));
        System.exit(Boolean.TRUE.equals(result.get("ok")) ? 0 : 1);
    }

    /** Runs the scenario; the map is what the last line prints. */
    public static Map<String, Object> run(String... args) throws Exception {
        Map<String, String> o = LocalStack.options(Map.of("work-dir", ".work/fault-scenario", "kafka-port", "39492",
                "rest-port", "38481", "rate", "100", "rows", "7000",
                "data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"), args);
        return new FaultScenario(o).run();
    }

    private Map<String, Object> run() throws Exception {
        return stack.run(this::scenario);
    }

    private void scenario(Map<String, Object> result) throws Exception {
        String bootstrap = stack.bootstrapServers();
        List<String> jobArgs = List.of("--kafka.bootstrap-servers", bootstrap,
                "--model.dir", stack.repo().resolve("model-assets/models").toString(),
                "--kafka.group-id", "pricing-fault-scenario", "--checkpoint.interval", "5s",
                "--feedback.attribution-window", "10min", "--delivery.transactional-id-prefix", "pricing-fault-scenario");
        PricingConfig config = PricingConfig.fromArgs(jobArgs.toArray(String[]::new));
        FlinkRestClient flink = new FlinkRestClient(stack.restUrl());
        String jarId = flink.uploadJar(stack.jobJar());
        String jobId = flink.runJar(jarId, PricingJob.class.getName(), jobArgs, null);
        await("the job to start", () -> flink.allTasksRunning(jobId));

        Rees46Replayer replayer = new Rees46Replayer(bootstrap, config);
        Thread traffic = new Thread(() -> {
            try {
                replayer.replay(data, rate, rows, 0, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "replay");
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
        faults.get(0).put("job_restarted", flink.restarts(jobId) > restartsBefore);

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
        result.put("rows_replayed", replayer.rowsSent.get());
        result.put("requests_sent", replayer.requestsSent.get());
        DeliveryAudit.awaitDecisions(bootstrap, config, RECOVERY_TIMEOUT);
        result.put("job_restarts", flink.restarts(jobId));
        result.put("completed_checkpoints", flink.completedCheckpoints(jobId));
        // A draining stop closes every attribution window: each decision then has its committed outcome.
        flink.stopWithSavepoint(jobId, null, RECOVERY_TIMEOUT, true);
        DeliveryAudit.Result audit = DeliveryAudit.run(bootstrap, config);
        result.put("faults", faults);
        result.put("audit", audit.asMap());
        result.put("problems", audit.problems());
        result.put("examples", audit.examples());
        result.put("ok", audit.problems().isEmpty() && audit.decisionsWithoutOutcome() == 0
                && audit.validRequests() > 0 && faults.stream().allMatch(f -> Boolean.TRUE.equals(f.get("recovered"))));
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
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("fault", name);
        f.put("recovered", recovered);
        f.put("seconds_to_next_checkpoint", (System.nanoTime() - t0) / 1_000_000_000L);
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
        await("a checkpoint after " + completedBefore,
                () -> flink.completedCheckpoints(jobId) > completedBefore && flink.allTasksRunning(jobId));
    }

    private static void awaitRows(Rees46Replayer replayer, long n) throws InterruptedException {
        while (replayer.rowsSent.get() < n) {
            Thread.sleep(200);
        }
    }
}
