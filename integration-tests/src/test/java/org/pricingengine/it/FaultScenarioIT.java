package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.audit.DeliveryAudit;
import org.pricingengine.tools.audit.FaultScenario;

/**
 * Process faults on a real standalone Flink cluster and a real Kafka broker process, through the same
 * code as deploy/fault-scenario.sh: the TaskManager killed with SIGKILL mid-replay, then the broker
 * restarted mid-replay; afterwards nothing is lost and repeats are identical.
 */
@Tag("standalone-cluster")
class FaultScenarioIT {
    @Test
    void theJobSurvivesAKilledTaskManagerAndARestartedBroker() throws Exception {
        String work = RepoPaths.root()
                .relativize(RepoPaths.root().resolve("integration-tests/target/fault-scenario"))
                .toString();
        FaultScenario.Result r = FaultScenario.run("--work-dir", work, "--kafka-port", "19592", "--rest-port", "18581");

        List<FaultScenario.Fault> faults = r.faults();
        assertEquals(2, faults.size(), r.toString());
        assertTrue(faults.get(0).recovered(), "recovered from the killed TaskManager: " + r);
        assertEquals(true, faults.get(0).jobRestarted(), "the kill restarted the job from a checkpoint: " + r);
        assertTrue(faults.get(1).recovered(), "recovered from the broker restart: " + r);
        DeliveryAudit.Result audit = r.audit();
        assertTrue(audit.validRequests() > 1000, r.toString());
        assertEquals(0L, audit.requestsWithoutDecision(), "no request lost: " + r);
        assertEquals(0L, audit.nonIdenticalDuplicates(), "repeated decisions are identical: " + r);
        assertEquals(0L, audit.duplicateOutcomes(), "each outcome committed once: " + r);
        assertEquals(0L, audit.decisionsWithoutOutcome(), "each decision has its outcome: " + r);
        assertEquals(audit.distinctDecisions(), audit.committedOutcomes(), r.toString());
        assertEquals(List.of(), r.problems(), r.toString());
        assertTrue(r.ok(), r.toString());
    }
}
