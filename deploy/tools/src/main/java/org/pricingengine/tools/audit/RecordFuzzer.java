package org.pricingengine.tools.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.pricingengine.features.events.Json;

/**
 * Seeded mutations of valid records: what a buggy producer, a broken proxy, a replayed batch or an
 * attacker puts on an input topic. The same seed gives the same mutations, so a failure found once is
 * found again. Whether a mutant is still a valid record is not decided here: the check asks the parser
 * and then holds the job to that verdict.
 */
public final class RecordFuzzer {
    public enum Mutation {
        TRUNCATE,
        FLIP_BYTES,
        INSERT_BYTES,
        DELETE_SPAN,
        DROP_FIELD,
        HOSTILE_VALUE,
        EXTRA_FIELD,
        DEEP_NESTING,
        HUGE_ARRAY,
        HUGE_STRING,
        TIME_SHIFT,
        WRAP,
        CONCATENATE,
        RANDOM_BYTES,
        /** The record sent again unchanged, twice in a row: a producer retry. */
        DUPLICATE
    }

    /** One mutant; {@link Mutation#DUPLICATE} mutants are sent twice. */
    public record Mutant(Mutation mutation, byte[] value) {}

    private static final String PLACEHOLDER = "@@hostile-value@@";
    private static final byte[] SPECIAL_BYTES =
            "{}[]\",:\\ 0123456789.-eE\u0000\ttrue".getBytes(StandardCharsets.UTF_8);
    private static final byte[] INVALID_UTF8 = {
        (byte) 0xC3, (byte) 0xFF, (byte) 0xFE, (byte) 0x80, (byte) 0xED, (byte) 0xC0
    };
    /** Raw JSON values spliced into a field: wrong types, non-finite and overflowing numbers, odd strings. */
    private static final List<String> HOSTILE_VALUES = List.of(
            "null",
            "\"\"",
            "\"   \"",
            "0",
            "-1",
            "-0.0",
            "1e999",
            "-1e999",
            "NaN",
            "\"NaN\"",
            "Infinity",
            "\"Infinity\"",
            "\"-Infinity\"",
            "true",
            "[]",
            "{}",
            "[1,2,3]",
            "{\"a\":1}",
            "123456789012345678901234567890",
            "1.5",
            "1e-320",
            "99999999.99",
            "-9223372036854775808",
            "9223372036854775807",
            "\"1970-01-01T00:00:00Z\"",
            "\"2099-01-01T00:00:00Z\"",
            "\"0001-01-01T00:00:00Z\"",
            "\"2019-13-45T25:61:61Z\"",
            "\"2019-10-01\"",
            "1569888000000",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "\"<script>alert(1)</script>\"",
            "\"' OR 1=1 --\"",
            "\"\u00e9\u00e8\u4e2d\u6587\ud83d\udcb8\"",
            "\"view\"",
            "\"purchase\"",
            "\"VIEW\"",
            "\"click\"",
            "\"remove_from_cart\"",
            "0.001");

    private static final String[] TIME_FIELDS = {"event_time", "request_time", "update_time"};

    private final Random random;

    public RecordFuzzer(long seed) {
        this.random = new Random(seed);
    }

    public Mutant mutate(byte[] valid) {
        Mutation m = Mutation.values()[random.nextInt(Mutation.values().length)];
        return new Mutant(m, apply(m, valid));
    }

    private byte[] apply(Mutation m, byte[] v) {
        return switch (m) {
            case TRUNCATE -> Arrays.copyOf(v, random.nextInt(v.length));
            case FLIP_BYTES -> flipBytes(v);
            case INSERT_BYTES -> insertBytes(v);
            case DELETE_SPAN -> deleteSpan(v);
            case DROP_FIELD -> withObject(v, o -> o.remove(randomField(o)));
            case HOSTILE_VALUE ->
                splice(v, randomField(object(v)), HOSTILE_VALUES.get(random.nextInt(HOSTILE_VALUES.size())));
            case EXTRA_FIELD -> withObject(v, o -> o.put("x_extra_" + random.nextInt(1000), random.nextInt()));
            case DEEP_NESTING -> splice(v, "x_nested", nested(new int[] {5, 30, 80, 500, 5000}[random.nextInt(5)]));
            case HUGE_ARRAY -> splice(v, "x_array", array(new int[] {100, 2000, 12_000, 50_000}[random.nextInt(4)]));
            case HUGE_STRING ->
                splice(
                        v,
                        random.nextBoolean() ? randomField(object(v)) : "x_text",
                        "\"" + "s".repeat(new int[] {300, 5_000, 25_000, 80_000}[random.nextInt(4)]) + "\"");
            case TIME_SHIFT -> shiftTime(v);
            case WRAP ->
                switch (random.nextInt(3)) {
                    case 0 -> concat("[".getBytes(StandardCharsets.UTF_8), v, "]".getBytes(StandardCharsets.UTF_8));
                    case 1 ->
                        concat(
                                "{\"record\":".getBytes(StandardCharsets.UTF_8),
                                v,
                                "}".getBytes(StandardCharsets.UTF_8));
                    default -> Json.toBytes(new String(v, StandardCharsets.UTF_8));
                };
            case CONCATENATE ->
                switch (random.nextInt(3)) {
                    case 0 -> concat(v, v);
                    case 1 -> concat(v, "\n".getBytes(StandardCharsets.UTF_8), v);
                    default -> concat(v, " trailing".getBytes(StandardCharsets.UTF_8));
                };
            case RANDOM_BYTES -> randomBytes();
            case DUPLICATE -> v.clone();
        };
    }

    private byte[] flipBytes(byte[] v) {
        byte[] out = v.clone();
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            int pos = random.nextInt(out.length);
            out[pos] = random.nextInt(4) == 0
                    ? INVALID_UTF8[random.nextInt(INVALID_UTF8.length)]
                    : SPECIAL_BYTES[random.nextInt(SPECIAL_BYTES.length)];
        }
        return out;
    }

    private byte[] insertBytes(byte[] v) {
        int pos = random.nextInt(v.length + 1);
        byte[] insert = new byte[1 + random.nextInt(8)];
        for (int i = 0; i < insert.length; i++) {
            insert[i] = random.nextInt(4) == 0
                    ? INVALID_UTF8[random.nextInt(INVALID_UTF8.length)]
                    : SPECIAL_BYTES[random.nextInt(SPECIAL_BYTES.length)];
        }
        return concat(Arrays.copyOfRange(v, 0, pos), insert, Arrays.copyOfRange(v, pos, v.length));
    }

    private byte[] deleteSpan(byte[] v) {
        int from = random.nextInt(v.length);
        int to = Math.min(v.length, from + 1 + random.nextInt(Math.max(1, v.length / 4)));
        return concat(Arrays.copyOfRange(v, 0, from), Arrays.copyOfRange(v, to, v.length));
    }

    private byte[] shiftTime(byte[] v) {
        ObjectNode o = object(v);
        for (String field : TIME_FIELDS) {
            JsonNode t = o.get(field);
            if (t != null && t.isTextual()) {
                try {
                    long[] shiftsMs = {
                        1_000,
                        60_000,
                        3_600_000,
                        4 * 3_600_000L,
                        86_400_000L,
                        30 * 86_400_000L,
                        5 * 365 * 86_400_000L,
                        100 * 365 * 86_400_000L
                    };
                    long shift = shiftsMs[random.nextInt(shiftsMs.length)] * (random.nextBoolean() ? 1 : -1);
                    o.put(field, Instant.parse(t.asText()).plusMillis(shift).toString());
                    return Json.toBytes(o);
                } catch (DateTimeParseException e) {
                    return v.clone();
                }
            }
        }
        return v.clone();
    }

    private byte[] randomBytes() {
        byte[] out = new byte[random.nextInt(10) == 0 ? 0 : random.nextInt(512)];
        random.nextBytes(out);
        return out;
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String array(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(i);
        }
        return sb.append(']').toString();
    }

    /** Sets {@code field} to {@code rawJson}, which need not be valid JSON (NaN, 1e999). */
    private byte[] splice(byte[] v, String field, String rawJson) {
        ObjectNode o = object(v);
        o.set(field, TextNode.valueOf(PLACEHOLDER));
        return Json.toJson(o).replace("\"" + PLACEHOLDER + "\"", rawJson).getBytes(StandardCharsets.UTF_8);
    }

    private String randomField(ObjectNode o) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names.get(random.nextInt(names.size()));
    }

    private static byte[] withObject(byte[] v, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode o = object(v);
        change.accept(o);
        return Json.toBytes(o);
    }

    private static ObjectNode object(byte[] v) {
        try {
            return (ObjectNode) Json.mapper().readTree(v);
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("the fuzzer mutates valid JSON objects only", e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
