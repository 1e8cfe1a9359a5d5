package org.pricingengine.tools.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.rees46.ReplayRecord;

class HostileInputCheckTest {
    @TempDir
    Path dir;

    private static List<String> split(String s) {
        return HostileInputCheck.splitLines(s.getBytes(StandardCharsets.UTF_8)).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void oneRecordPerLineABlankLineIsAnEmptyRecordAndAFinalNewlineAddsNone() {
        assertEquals(List.of("a", "", "b"), split("a\n\nb\n"));
        assertEquals(List.of("a", "b"), split("a\nb"));
        assertEquals(List.of(""), split("\n"));
        assertEquals(List.of("{\"x\":1}\r"), split("{\"x\":1}\r\n"), "bytes are kept as they are");
    }

    @Test
    void expectedVerdictsIgnoreCommentsAndBlankLines() throws Exception {
        Path f = dir.resolve("r.expected");
        Files.writeString(f, "# header\nACCEPT  # fine\n\nMALFORMED_JSON\n   # only a comment\n");
        assertEquals(List.of("ACCEPT", "MALFORMED_JSON"), HostileInputCheck.readExpected(f));
    }

    @Test
    void recordsOptionNamesAFileAndAnInputTopic() throws Exception {
        Path f = Files.writeString(dir.resolve("r.jsonl"), "{}\n");
        assertEquals(
                ReplayRecord.Role.REQUEST,
                HostileInputCheck.RecordsFile.parse(f + ":requests").role());
        assertEquals(
                ReplayRecord.Role.BEHAVIOUR,
                HostileInputCheck.RecordsFile.parse(f + ":behaviour").role());
        assertEquals(
                ReplayRecord.Role.CATALOG,
                HostileInputCheck.RecordsFile.parse(f + ":catalog").role());
        assertThrows(IllegalArgumentException.class, () -> HostileInputCheck.RecordsFile.parse(f + ":clicks"));
        assertThrows(IllegalArgumentException.class, () -> HostileInputCheck.RecordsFile.parse(f.toString()));
        assertThrows(
                IllegalArgumentException.class,
                () -> HostileInputCheck.RecordsFile.parse(dir.resolve("none") + ":requests"));
    }
}
