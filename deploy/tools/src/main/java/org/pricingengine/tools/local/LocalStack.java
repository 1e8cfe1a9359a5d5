package org.pricingengine.tools.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Kafka broker process and a standalone Flink session cluster on this machine, driven through the
 * deploy/local scripts, with all their files under one work directory. The scenarios (rollouts, fault
 * injection) start one, do their work against it, and stop it.
 */
public final class LocalStack {
    private final Path repo;
    private final Path work;
    private final int kafkaPort;
    private final int restPort;
    private final int taskManagers;

    /** A stack whose cluster has the script's number of TaskManagers (FLINK_TASK_MANAGERS, default 1). */
    public LocalStack(Path work, int kafkaPort, int restPort) {
        this(work, kafkaPort, restPort, 0);
    }

    /**
     * A stack whose cluster has {@code taskManagers} TaskManager processes (FLINK_TASK_SLOTS slots each);
     * 0 leaves it to the script (FLINK_TASK_MANAGERS, default 1).
     */
    public LocalStack(Path work, int kafkaPort, int restPort, int taskManagers) {
        if (taskManagers < 0) {
            throw new IllegalArgumentException(
                    "taskManagers must be 0 (the script's default) or more, got " + taskManagers);
        }
        this.repo = repositoryRoot();
        this.work = repo.resolve(work).toAbsolutePath();
        this.kafkaPort = kafkaPort;
        this.restPort = restPort;
        this.taskManagers = taskManagers;
    }

    public Path repo() {
        return repo;
    }

    public Path work() {
        return work;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    /** Clears the work directory, starts the broker (with the pricing topics) and the cluster. */
    public void start() throws IOException, InterruptedException {
        deleteRecursively(work);
        Files.createDirectories(work);
        kafka("start");
        kafka("topics");
        flinkCluster("start");
    }

    public void stop() throws IOException, InterruptedException {
        flinkCluster("stop");
        kafka("stop");
    }

    /** A scenario run on this stack; it returns what it found. */
    public interface Scenario<T> {
        T run() throws Exception;
    }

    /** What a scenario found and how long the whole run took, the stack's start and stop included. */
    public record Timed<T>(T result, long seconds) {}

    /** Starts the stack, runs the scenario and stops the stack whatever happens. */
    public <T> Timed<T> run(Scenario<T> scenario) throws Exception {
        long started = System.nanoTime();
        T result;
        try {
            start();
            result = scenario.run();
        } finally {
            stop();
        }
        return new Timed<>(result, (System.nanoTime() - started) / 1_000_000_000L);
    }

    /** deploy/local/kafka.sh with this stack's state dir and port. */
    public void kafka(String command) throws IOException, InterruptedException {
        script(
                "deploy/local/kafka.sh",
                command,
                "--state-dir",
                work.resolve("kafka").toString(),
                "--port",
                "" + kafkaPort);
    }

    /** deploy/local/flink-cluster.sh with this stack's state dir, REST port and number of TaskManagers. */
    public void flinkCluster(String command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(
                List.of(command, "--state-dir", work.resolve("flink").toString(), "--rest-port", "" + restPort));
        if (taskManagers > 0) {
            args.addAll(List.of("--task-managers", "" + taskManagers));
        }
        script("deploy/local/flink-cluster.sh", args.toArray(String[]::new));
    }

    public Path jobJar() throws IOException {
        try (Stream<Path> jars = Files.list(repo.resolve("pricing-job/target"))) {
            return jars.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalStateException("no job jar in pricing-job/target: run mvn package first"));
        }
    }

    private void script(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(repo.resolve(script).toString());
        command.addAll(List.of(args));
        command(command);
    }

    /** Runs a command in the repository root, output passed through; fails on a non-zero exit (but "status"). */
    public void command(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 5 minutes");
        }
        if (p.exitValue() != 0 && !command.contains("status")) {
            throw new IOException(String.join(" ", command) + " failed with exit status " + p.exitValue());
        }
    }

    /** The checkout this runs from (tests run in a module directory, the scripts in the root). */
    public static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("model-assets"))
                    && Files.isRegularFile(p.resolve("deploy/local/flink-cluster.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + here);
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
