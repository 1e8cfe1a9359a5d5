package org.pricingengine.tools.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;

class RecordFuzzerTest {
    private static final byte[] VALID =
            Json.toBytes(new PriceRequest("req-1", "u-1", "5773203", 1_569_888_000_000L, "web", "mobile"));

    @Test
    void theSameSeedGivesTheSameMutants() {
        RecordFuzzer a = new RecordFuzzer(46);
        RecordFuzzer b = new RecordFuzzer(46);
        for (int i = 0; i < 500; i++) {
            RecordFuzzer.Mutant x = a.mutate(VALID);
            RecordFuzzer.Mutant y = b.mutate(VALID);
            assertEquals(x.mutation(), y.mutation());
            assertArrayEquals(x.value(), y.value(), "mutant " + i);
        }
    }

    @Test
    void everyMutationIsUsedAndOnlyDuplicatesLeaveTheRecordUnchanged() {
        RecordFuzzer fuzzer = new RecordFuzzer(7);
        Set<RecordFuzzer.Mutation> seen = EnumSet.noneOf(RecordFuzzer.Mutation.class);
        for (int i = 0; i < 2000; i++) {
            RecordFuzzer.Mutant m = fuzzer.mutate(VALID);
            seen.add(m.mutation());
            if (m.mutation() == RecordFuzzer.Mutation.DUPLICATE) {
                assertArrayEquals(VALID, m.value());
            } else if (m.mutation() != RecordFuzzer.Mutation.TIME_SHIFT
                    && m.mutation() != RecordFuzzer.Mutation.FLIP_BYTES) {
                // A time shift or a byte flip may, rarely, land on the same bytes; every other mutation changes them.
                assertFalse(Arrays.equals(VALID, m.value()), m.mutation() + " left the record unchanged");
            }
        }
        assertEquals(EnumSet.allOf(RecordFuzzer.Mutation.class), seen);
    }
}
