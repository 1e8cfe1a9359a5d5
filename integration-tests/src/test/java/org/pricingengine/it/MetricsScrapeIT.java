package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.local.LocalStack;
import org.pricingengine.tools.local.Rees46Replayer;
import org.pricingengine.tools.rollout.FlinkRestClient;

/**
 * What operators scrape: the job on a real standalone cluster (deploy/local/flink-cluster.sh, Flink's
 * Prometheus reporter on REST+3 and REST+4) against a real broker (deploy/local/kafka.sh), v1 with a v2
 * canary, while REES46 traffic is replayed. Every {@code flink_...} metric the Grafana dashboard and the
 * alert rules in deploy/monitoring/ use must be in the scrape, and the model metrics must carry their
 * model version, arm and device labels. The scrapes are kept in integration-tests/target/metrics-scrape/.
 */
@Tag("standalone-cluster")
class MetricsScrapeIT {
    private static final int KAFKA_PORT = 22090;
    private static final int REST_PORT = 22100;
    private static final Duration SCRAPE_DEADLINE = Duration.ofSeconds(120);
    private static final Pattern METRIC_NAME = Pattern.compile("\\bflink_[A-Za-z0-9_:]+");
    /** One sample line: name, optional {labels}, value. */
    private static final Pattern SAMPLE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(\\{(.*)})?\\s+(\\S+)$");

    private static final Pattern LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One scraped series. */
    record Sample(String name, Map<String, String> labels, String value) {}

    @Test
    void everyMetricOfTheDashboardAndTheAlertRulesIsScrapedWithItsLabels() throws Exception {
        Path monitoring = RepoPaths.root().resolve("deploy/monitoring");
        Set<String> wanted = new TreeSet<>();
        for (String file : List.of("grafana-dashboard.json", "prometheus-rules.yaml", "pricing-alerts.rules.yaml")) {
            Set<String> names = metricNames(Files.readString(monitoring.resolve(file)));
            assertFalse(names.isEmpty(), file + " uses no flink_ metric");
            wanted.addAll(names);
        }

        Path out = RepoPaths.root().resolve("integration-tests/target/metrics-scrape");
        Files.createDirectories(out);
        LocalStack stack = new LocalStack(RepoPaths.root().relativize(out.resolve("stack")), KAFKA_PORT, REST_PORT);
        List<Sample> scraped =
                stack.run(() -> replayAndScrape(stack, wanted, out)).result();

        Set<String> names = new TreeSet<>();
        scraped.forEach(s -> names.add(s.name()));
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(names);
        assertEquals(Set.of(), missing, "used by the dashboard or the rules but not scraped (scrapes in " + out + ")");

        // Model metrics carry their version, arm and device; both arms of the canary split are there.
        Set<String> scoringArms = new TreeSet<>();
        for (Sample s : scraped) {
            String n = s.name();
            if (n.contains("_model_version_")) {
                assertTrue(Set.of("v1", "v2").contains(s.labels().get("model_version")), s.toString());
            }
            if (n.contains("_arm_")) {
                assertTrue(Set.of("control", "canary").contains(s.labels().get("arm")), s.toString());
            }
            if (n.contains("_device_")) {
                assertTrue(Set.of("cpu", "cuda").contains(s.labels().get("device")), s.toString());
            }
            if (n.equals("flink_taskmanager_job_task_operator_scoring_model_version_arm_device_scored")) {
                scoringArms.add(
                        s.labels().get("model_version") + "/" + s.labels().get("arm"));
            }
        }
        assertEquals(Set.of("v1/control", "v2/canary"), scoringArms, "scored per version and arm");
        assertTrue(
                scraped.stream()
                        .anyMatch(s -> s.name().endsWith("_featureDrift")
                                && "user_views".equals(s.labels().get("feature"))
                                && !s.value().equals("NaN")),
                "a complete drift window for a named feature");
        assertTrue(
                scraped.stream()
                        .anyMatch(s -> s.name().endsWith("_feedback_model_version_arm_outcomes")
                                && Double.parseDouble(s.value()) > 0),
                "outcomes were attributed and counted per arm");
        assertTrue(
                scraped.stream()
                        .anyMatch(s -> s.name().endsWith("_scoring_model_version_arm_device_onCuda")
                                && s.labels().containsKey("device")),
                "the scoring device is a gauge with its device label");
    }

    private List<Sample> replayAndScrape(LocalStack stack, Set<String> wanted, Path out) throws Exception {
        String bootstrap = stack.bootstrapServers();
        List<String> jobArgs = List.of(
                "--kafka.bootstrap-servers",
                bootstrap,
                "--model.dir",
                stack.repo().resolve("model-assets/models").toString(),
                "--model.version",
                "v1",
                "--canary.model-version",
                "v2",
                "--canary.share",
                "0.3",
                "--kafka.group-id",
                "pricing-metrics-scrape",
                "--checkpoint.interval",
                "3s",
                // Outcomes are written once the watermark passes their window: a short one lets them
                // come while the replay runs.
                "--feedback.attribution-window",
                "1min",
                "--delivery.transactional-id-prefix",
                "pricing-metrics-scrape");
        PricingConfig config = PricingConfig.fromArgs(jobArgs.toArray(String[]::new));
        FlinkRestClient flink = new FlinkRestClient(stack.restUrl());
        String jobId = flink.runJar(flink.uploadJar(stack.jobJar()), PricingJob.class.getName(), jobArgs, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!flink.allTasksRunning(jobId)) {
            assertTrue(System.nanoTime() < deadline, "the job did not start: " + flink.rootException(jobId));
            Thread.sleep(500);
        }
        List<Sample> scraped;
        try (Rees46Replayer replayer = new Rees46Replayer(bootstrap, config)) {
            Thread traffic = new Thread(
                    () -> {
                        try {
                            replayer.replay(RepoPaths.cosmetics(), 500, 10_000, 0, null);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "replay");
            traffic.start();
            // Scrape while the replay runs and after, until every wanted metric is there (metrics of a
            // model version, arm or reason appear with their first record) or the deadline passes.
            long scrapeDeadline = System.nanoTime() + SCRAPE_DEADLINE.toNanos();
            while (true) {
                try {
                    scraped = scrapeAll(out);
                } catch (IOException e) {
                    // A scrape can take a while on a busy machine (the TaskManager's is about 1 MB).
                    assertTrue(System.nanoTime() < scrapeDeadline, "no scrape before the deadline: " + e);
                    continue;
                }
                Set<String> names = new TreeSet<>();
                scraped.forEach(s -> names.add(s.name()));
                boolean outcomes =
                        scraped.stream().anyMatch(s -> s.name().endsWith("_feedback_model_version_arm_outcomes"));
                if ((names.containsAll(wanted) && outcomes && !traffic.isAlive())
                        || System.nanoTime() > scrapeDeadline) {
                    break;
                }
                Thread.sleep(3000);
            }
            traffic.join(Duration.ofSeconds(60).toMillis());
        }
        flink.cancel(jobId);
        return scraped;
    }

    private List<Sample> scrapeAll(Path out) throws IOException, InterruptedException {
        List<Sample> all = new ArrayList<>();
        for (Map.Entry<String, Integer> process : Map.of("jobmanager", REST_PORT + 3, "taskmanager", REST_PORT + 4)
                .entrySet()) {
            String body = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + process.getValue() + "/metrics"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Files.writeString(out.resolve(process.getKey() + ".txt"), body);
            all.addAll(samples(body));
        }
        return all;
    }

    static List<Sample> samples(String exposition) {
        List<Sample> samples = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, m.group(4)));
        }
        return samples;
    }

    /** Every flink_ metric an expression names; a summary's _count or _sum series is its own name here. */
    static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC_NAME.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
