package org.pricingengine.tools.market;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.rees46.Rees46Converter;
import org.pricingengine.features.rees46.Rees46Reader;
import org.pricingengine.features.rees46.Rees46Row;
import org.pricingengine.features.rees46.ReplayRecord;

/**
 * One pass of the market's traffic: the bundled REES46 logs merged on one timeline (as the benchmark
 * replays them), with the logged carts, removes and purchases left out (the simulated shoppers decide
 * those), and long quiet gaps shortened so that event time moves on steadily: a gap longer than
 * {@code maxGapMs} becomes {@code maxGapMs}. Order is kept. Times here are the shortened ones.
 */
final class MarketTemplate {
    static final List<String> FILES = List.of("cosmetics_2019-10_2019-11.csv", "multicategory_2019-10-01_head.csv");

    /** One record of the pass (time from the pass start); for a request, when the same shopper next asks for the same item in the pass. */
    record Entry(ReplayRecord record, long timeMs, long nextSameItemRequestMs) {}

    final List<Entry> entries;
    /** Event time one pass takes, the gap before the next pass included. */
    final long spanMs;
    /** Event time of the first record; entries' times count from it. */
    final long startMs;

    final int requests;

    private MarketTemplate(List<Entry> entries, long startMs, long spanMs) {
        this.entries = entries;
        this.startMs = startMs;
        this.spanMs = spanMs;
        this.requests = (int) entries.stream()
                .filter(e -> e.record().role() == ReplayRecord.Role.REQUEST)
                .count();
    }

    private static final Map<String, MarketTemplate> CACHE = new HashMap<>();

    /** The template from the bundled data under {@code dataDir} (read once per JVM). */
    static synchronized MarketTemplate bundled(Path dataDir, long maxGapMs) throws IOException {
        String key = dataDir.toAbsolutePath() + "|" + maxGapMs;
        MarketTemplate t = CACHE.get(key);
        if (t == null) {
            List<ReplayRecord> records = new ArrayList<>();
            for (String file : FILES) {
                Path csv = dataDir.resolve(file);
                Rees46Converter converter = new Rees46Converter(Rees46Converter.sourceTagOf(csv));
                for (Rees46Row row : Rees46Reader.readAll(csv)) {
                    records.addAll(converter.convert(row));
                }
            }
            t = of(records, maxGapMs);
            CACHE.put(key, t);
        }
        return t;
    }

    /** Sorts the records on one timeline (stable), drops logged outcomes, shortens gaps. */
    static MarketTemplate of(List<ReplayRecord> records, long maxGapMs) {
        List<ReplayRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingLong(ReplayRecord::eventTimeMs));
        List<ReplayRecord> kept = new ArrayList<>();
        for (ReplayRecord r : sorted) {
            if (r.role() == ReplayRecord.Role.BEHAVIOUR && ((BehaviourEvent) r.value()).type() != EventType.VIEW) {
                continue;
            }
            kept.add(r);
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("no records to replay");
        }
        long[] times = new long[kept.size()];
        times[0] = kept.get(0).eventTimeMs();
        for (int i = 1; i < kept.size(); i++) {
            long gap = kept.get(i).eventTimeMs() - kept.get(i - 1).eventTimeMs();
            times[i] = times[i - 1] + Math.min(gap, maxGapMs);
        }
        long[] next = new long[kept.size()];
        Map<String, Long> nextRequest = new HashMap<>();
        for (int i = kept.size() - 1; i >= 0; i--) {
            next[i] = Long.MAX_VALUE;
            if (kept.get(i).role() == ReplayRecord.Role.REQUEST) {
                var q = (org.pricingengine.features.events.PriceRequest)
                        kept.get(i).value();
                String key = q.userId() + '\u0000' + q.itemId();
                next[i] = nextRequest.getOrDefault(key, Long.MAX_VALUE);
                nextRequest.put(key, times[i]);
            }
        }
        List<Entry> entries = new ArrayList<>(kept.size());
        for (int i = 0; i < kept.size(); i++) {
            entries.add(new Entry(
                    kept.get(i), times[i] - times[0], next[i] == Long.MAX_VALUE ? next[i] : next[i] - times[0]));
        }
        return new MarketTemplate(entries, times[0], times[times.length - 1] - times[0] + maxGapMs);
    }
}
