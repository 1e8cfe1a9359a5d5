package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.pricingengine.it.testutils.RepoPaths;

/**
 * The files of deploy/monitoring/ without a cluster: the dashboard is importable (uid, title, a
 * Prometheus data source variable that every query uses, the job and model version variables), and the
 * plain rules file and the PrometheusRule hold the same rules, each with an expression, a severity and a
 * summary. MetricsScrapeIT checks their metric names against a real scrape.
 */
class MonitoringFilesTest {
    private static final Path MONITORING = RepoPaths.root().resolve("deploy/monitoring");

    @Test
    void dashboardIsImportableAndEveryQueryUsesTheDataSourceVariable() throws Exception {
        JsonNode dashboard = new ObjectMapper()
                .readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        assertEquals("pricing-engine", dashboard.path("uid").asText());
        assertFalse(dashboard.path("title").asText().isBlank());
        Set<String> variables = new TreeSet<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            variables.add(v.path("name").asText());
            if (v.path("type").asText().equals("datasource")) {
                assertEquals("prometheus", v.path("query").asText());
            }
        }
        assertEquals(Set.of("datasource", "job_name", "model_version"), variables);
        Set<Integer> ids = new TreeSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), panel.toString());
            assertTrue(panel.path("targets").size() > 0, panel.path("title").asText());
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertTrue(expr.contains("flink_"), expr);
                assertTrue(expr.contains("$job_name"), "every query is scoped to the chosen job: " + expr);
                queries++;
            }
        }
        assertTrue(queries >= 20, "queries: " + queries);
    }

    @Test
    void plainRulesAndPrometheusRuleHoldTheSameAlerts() throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode plain = yaml.readTree(Files.readString(MONITORING.resolve("pricing-alerts.rules.yaml")));
        JsonNode operator = yaml.readTree(Files.readString(MONITORING.resolve("prometheus-rules.yaml")));
        assertEquals("monitoring.coreos.com/v1", operator.path("apiVersion").asText());
        assertEquals("PrometheusRule", operator.path("kind").asText());
        assertEquals(plain.path("groups"), operator.path("spec").path("groups"));
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : plain.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts.add(rule.path("alert").asText());
                assertFalse(rule.path("expr").asText().isBlank(), rule.toString());
                assertTrue(
                        Set.of("warning", "critical")
                                .contains(rule.path("labels").path("severity").asText()),
                        rule.toString());
                assertFalse(rule.path("annotations").path("summary").asText().isBlank(), rule.toString());
            }
        }
        assertTrue(
                alerts.containsAll(List.of(
                        "PricingFallbackRateHigh",
                        "PricingScoringBreakerOpen",
                        "PricingDecisionLatencyP99High",
                        "PricingConsumerLagHigh",
                        "PricingCheckpointsFailing",
                        "PricingFeatureDrift")),
                alerts.toString());
    }
}
