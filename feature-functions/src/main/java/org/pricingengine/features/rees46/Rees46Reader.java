package org.pricingengine.features.rees46;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads REES46-format CSV logs (header
 * {@code event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session}).
 * Lines that do not parse are counted and skipped, so one broken line does not stop a replay.
 */
public final class Rees46Reader implements Iterator<Rees46Row>, Closeable {
    public static final String HEADER =
            "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private final BufferedReader reader;
    private long lineNumber;
    private long skippedLines;
    private Rees46Row next;

    public Rees46Reader(Path csv) throws IOException {
        this.reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        String header = reader.readLine();
        lineNumber = 1;
        if (header == null || !header.strip().replace("\uFEFF", "").equals(HEADER)) {
            reader.close();
            throw new IOException(csv + " is not a REES46-format log: expected header '" + HEADER + "'");
        }
    }

    public static List<Rees46Row> readAll(Path csv) throws IOException {
        List<Rees46Row> rows = new ArrayList<>();
        try (Rees46Reader reader = new Rees46Reader(csv)) {
            reader.forEachRemaining(rows::add);
        }
        return rows;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                Rees46Row row = parse(lineNumber, line);
                if (row != null) {
                    next = row;
                    return true;
                }
                skippedLines++;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Rees46Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Rees46Row row = next;
        next = null;
        return row;
    }

    public long skippedLines() {
        return skippedLines;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    static Rees46Row parse(long lineNumber, String line) {
        String[] f = line.split(",", -1);
        if (f.length != 9) {
            return null;
        }
        try {
            long time = LocalDateTime.parse(f[0].strip(), TIME)
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
            double price = f[6].isBlank() ? 0 : Double.parseDouble(f[6]);
            if (f[1].isBlank() || f[2].isBlank() || f[7].isBlank()) {
                return null;
            }
            return new Rees46Row(
                    lineNumber,
                    time,
                    f[1].strip(),
                    f[2].strip(),
                    blankToNull(f[3]),
                    blankToNull(f[4]),
                    blankToNull(f[5]),
                    price,
                    f[7].strip(),
                    blankToNull(f[8]));
        } catch (DateTimeParseException | NumberFormatException e) {
            return null;
        }
    }

    private static String blankToNull(String s) {
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }
}
