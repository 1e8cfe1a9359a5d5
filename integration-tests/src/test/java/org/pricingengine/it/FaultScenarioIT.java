package org.pricingengine.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.audit.FaultScenario;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process faults on a real standalone Flink cluster and a real Kafka broker process, through the same
 * code as deploy/fault-scenario.sh: the TaskManager killed with SIGKILL mid-replay, then the broker
 * restarted mid-replay; afterwards nothing is lost and repeats are identical.
 */
@Tag("standalone-cluster")
class FaultScenarioIT {
    @Test
    void theJobSurvivesAKilledTaskManagerAndARestartedBroker() throws Exception {
        String work = RepoPaths.root().relativize(RepoPaths.root().resolve("integration-tests/target/fault-scenario")).toString();
        Map<String, Object> r = FaultScenario.run("--work-dir", work, "--kafka-port", "39592", "--rest-port", "38581");

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> faults = (List<Map<String, Object>>) r.get("faults");
        assertEquals(2, faults.size(), r.toString());
        assertEquals(true, faults.get(0).get("recovered"), "recovered from the killed TaskManager: " + r);
        assertEquals(true, faults.get(0).get("job_restarted"), "the kill restarted the job from a checkpoint: " + r);
        assertEquals(true, faults.get(1).get("recovered"), "recovered from the broker restart: " + r);
        @SuppressWarnings("unchecked")
        Map<String, Object> audit = (Map<String, Object>) r.get("audit");
        assertTrue(((Number) audit.get("valid_requests")).longValue() > 1000, r.toString());
        assertEquals(0L, audit.get("requests_without_decision"), "no request lost: " + r);
        assertEquals(0L, audit.get("non_identical_duplicates"), "repeated decisions are identical: " + r);
        assertEquals(0L, audit.get("duplicate_outcomes"), "each outcome committed once: " + r);
        assertEquals(0L, audit.get("decisions_without_outcome"), "each decision has its outcome: " + r);
        assertEquals(audit.get("distinct_decisions"), audit.get("committed_outcomes"), r.toString());
        assertEquals(List.of(), r.get("problems"), r.toString());
        assertEquals(true, r.get("ok"), r.toString());
    }
}
