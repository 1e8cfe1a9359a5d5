package org.pricingengine.job.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Feedback attribution keeps decisions in keyed state, so a savepoint holds the decision type as it was
 * when the savepoint was taken. The fixture is what the version before {@code experiment} (commit 608ffb3) wrote: its
 * serializer snapshot and one decision. This build must restore it (Flink's POJO schema evolution: the
 * new field reads as null) or users could not upgrade without losing open attribution windows.
 */
class PriceDecisionStateCompatibilityTest {

    @Test
    void stateWrittenBeforeExperimentsRestoresWithTheFieldEmpty() throws Exception {
        byte[] fixture;
        try (InputStream in =
                getClass().getResourceAsStream("/savepoint-compatibility/price-decision-before-experiment.bin")) {
            fixture = in.readAllBytes();
        }
        DataInputDeserializer in = new DataInputDeserializer(fixture);
        TypeSerializerSnapshot<PriceDecision> written =
                TypeSerializerSnapshot.readVersionedSnapshot(in, getClass().getClassLoader());
        TypeSerializer<PriceDecision> current =
                TypeInformation.of(PriceDecision.class).createSerializer(new SerializerConfigImpl());

        TypeSerializerSchemaCompatibility<PriceDecision> compatibility =
                current.snapshotConfiguration().resolveSchemaCompatibility(written);
        assertFalse(compatibility.isIncompatible(), "savepoints of the previous version must restore");
        assertTrue(compatibility.isCompatibleAfterMigration() || compatibility.isCompatibleAsIs());

        PriceDecision restored = written.restoreSerializer().deserialize(in);
        assertEquals(PriceDecision.decisionIdFor("r-1", "u-1", "i-1"), restored.decisionId());
        assertEquals(11.7, restored.price());
        assertEquals(
                List.of(ReasonCode.MODEL_OPTIMUM, ReasonCode.OBJECTIVE_MARGIN, ReasonCode.DISCOUNTED),
                restored.reasons());
        assertEquals(12, restored.userHistoryEvents());
        assertNull(restored.experiment());
    }
}
