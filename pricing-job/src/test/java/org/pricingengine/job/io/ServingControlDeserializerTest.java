package org.pricingengine.job.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.scoring.ServingControl;

/**
 * Control records as they come off the topic: a good one reads as written; anything else still comes
 * through, as a record every subtask refuses with the reason (so whoever wrote it sees why on the
 * model-serving topic); a tombstone asks for nothing.
 */
class ServingControlDeserializerTest {
    private static List<ServingControl> read(byte[] value) {
        List<ServingControl> out = new ArrayList<>();
        new ServingControlDeserializer()
                .deserialize(new ConsumerRecord<>("pricing.model-control", 0, 7L, null, value), new Collector<>() {
                    @Override
                    public void collect(ServingControl record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                });
        return out;
    }

    private static ServingControl one(String json) {
        List<ServingControl> out = read(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, out.size(), json);
        return out.get(0);
    }

    @Test
    void aGoodRecordReadsAsWritten() {
        ServingControl c = one("{\"revision\":12,\"model_version\":\"v2\",\"canary_model_version\":\"v3\","
                + "\"canary_share\":0.1,\"exploration\":{\"mode\":\"off\",\"uniform_share\":0,\"holdout_share\":0.05},"
                + "\"issued_by\":\"ops\"}");
        assertEquals(List.of(), c.problemsAsRecord());
        assertEquals(List.of("v2", "v3"), c.versions());
        assertEquals("v2 + canary v3 (10%)", c.describe());
        assertTrue(!c.exploration().thompson());
    }

    @Test
    void hostileOrBrokenRecordsAreRefusedWithTheirReason() {
        String[] bad = {
            "not json",
            "[1,2]",
            "{\"revision\":\"x\",\"model_version\":\"v2\",\"canary_share\":0}",
            "{\"revision\":3,\"model_version\":\"../../etc\",\"canary_share\":0}",
            "{\"revision\":3,\"model_version\":\"/abs\",\"canary_share\":0}",
            "{\"revision\":3,\"model_version\":\"v2\",\"canary_model_version\":\"v2\",\"canary_share\":0.5}",
            "{\"revision\":3,\"model_version\":\"v2\",\"canary_share\":1.5}",
            "{\"revision\":0,\"model_version\":\"v2\",\"canary_share\":0}",
            "{\"revision\":3,\"canary_share\":0}",
            "{\"revision\":3,\"model_version\":\"v2\",\"canary_share\":0,\"problem\":\"forged\"}",
            "{\"revision\":3,\"model_version\":\"v2\",\"canary_share\":0,"
                    + "\"exploration\":{\"mode\":\"greedy\",\"uniform_share\":2,\"holdout_share\":0}}",
            "{\"a\":".repeat(100) + "1" + "}".repeat(100),
        };
        for (String json : bad) {
            ServingControl c = one(json);
            assertTrue(!c.problemsAsRecord().isEmpty(), "refused: " + json);
        }
        byte[] huge = ("{\"revision\":3,\"model_version\":\"v2\",\"canary_share\":0,\"issued_by\":\""
                        + "x".repeat(20_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertTrue(one(new String(huge, StandardCharsets.UTF_8))
                .problemsAsRecord()
                .get(0)
                .contains("bytes"));
        assertEquals(List.of(), read(null), "a tombstone asks for nothing");
    }
}
