package org.pricingengine.tools.fairness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pricingengine.tools.fairness.DecisionJson.decision;
import static org.pricingengine.tools.fairness.DecisionJson.priced;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every figure below was worked out by hand from the eight decisions of {@link #DECISIONS}: item A is
 * quoted 9, 10 and 8 (list 10) to three shoppers between 10:00 and 11:00 and 9 again at 11:10; item B
 * 18 and 19 (list 20) to one shopper in the 10:00 hour; two fallbacks (an unknown item C without price,
 * item A at list price after a model error) are counted but priced nowhere.
 */
class FairnessFiguresTest {
    private static final List<LoggedDecision> DECISIONS = List.of(
            priced("d1", "u1", "A", 10, 9, 5, 0)
                    .put("device", "mobile")
                    .put("channel", "web")
                    .segment("s1")
                    .read(),
            priced("d2", "u2", "A", 10, 10, 20, 5)
                    .put("device", "desktop")
                    .put("channel", "web")
                    .segment("s1")
                    .read(),
            priced("d3", "u3", "A", 10, 8, 40, 3)
                    .put("device", "mobile")
                    .put("channel", "app")
                    .segment("s2")
                    .read(),
            priced("d4", "u1", "A", 10, 9, 70, 1)
                    .put("device", "mobile")
                    .put("channel", "web")
                    .segment("s1")
                    .read(),
            priced("d5", "u2", "B", 20, 18, 30, 5)
                    .put("device", "desktop")
                    .put("channel", "web")
                    .segment("s2")
                    .read(),
            priced("d6", "u2", "B", 20, 19, 50, 5)
                    .put("device", "desktop")
                    .put("channel", "web")
                    .segment("s2")
                    .read(),
            decision("d7")
                    .put("user_id", "u4")
                    .put("item_id", "C")
                    .at(10)
                    .put("user_history_events", 0)
                    .put("device", "mobile")
                    .put("channel", "app")
                    .fallback("FALLBACK_UNKNOWN_ITEM")
                    .read(),
            priced("d8", "u4", "A", 10, 10, 15, 0)
                    .put("device", "mobile")
                    .put("channel", "app")
                    .segment("s2")
                    .fallback("FALLBACK_MODEL_ERROR")
                    .read());

    private static final Map<String, String> OUTCOMES =
            Map.of("d1", "purchase", "d2", "none", "d3", "cart", "d5", "purchase", "d7", "none");

    private static final Map<String, String> RETAILER = Map.of("u1", "gold", "u2", "gold", "u3", "basic");

    private static final FairnessFigures.Figures F = FairnessFigures.compute(DECISIONS, OUTCOMES, RETAILER, 10);

    @Test
    void countsDecisionsFallbacksAndOutcomes() {
        assertEquals(8, F.decisions());
        assertEquals(6, F.priced());
        assertEquals(2, F.fallbacks());
        assertEquals(5, F.withOutcome());
        assertEquals(4, F.shoppers());
        assertEquals(3, F.items());
        assertEquals(2, F.hours());
    }

    @Test
    void newAndReturningShoppers() {
        // new: d1 (0.9) priced; d7 and d8 fallbacks. Outcomes d1 purchase, d7 none.
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "new_vs_returning", "new", 3, 2, 1, 0.9, 0.9, 0.9, 0.9, 1.0, 2, 1, 0.5),
                segment("new_vs_returning", "new"));
        // returning: 0.8, 0.9, 0.9, 0.95, 1.0; mean 4.55 / 5; p10 at 0.4 between 0.8 and 0.9; p90 at 3.6
        // between 0.95 and 1.0; four below list; outcomes d2 none, d3 cart, d5 purchase.
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "new_vs_returning", "returning", 5, 0, 5, 0.91, 0.84, 0.9, 0.98, 0.8, 3, 1, 0.333333),
                segment("new_vs_returning", "returning"));
    }

    @Test
    void devicesAndChannels() {
        // desktop 0.9, 0.95, 1.0: p10 at 0.2 = 0.91, p90 at 1.8 = 0.99
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "device", "desktop", 3, 0, 3, 0.95, 0.91, 0.95, 0.99, 0.666667, 2, 1, 0.5),
                segment("device", "desktop"));
        // mobile 0.8, 0.9, 0.9 priced; two fallbacks; outcomes d1 purchase, d3 cart, d7 none
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "device", "mobile", 5, 2, 3, 0.866667, 0.82, 0.9, 0.9, 1.0, 3, 1, 0.333333),
                segment("device", "mobile"));
        assertEquals(
                new FairnessFigures.SegmentPrices("channel", "app", 3, 2, 1, 0.8, 0.8, 0.8, 0.8, 1.0, 2, 0, 0.0),
                segment("channel", "app"));
        assertEquals(
                new FairnessFigures.SegmentPrices("channel", "web", 5, 0, 5, 0.93, 0.9, 0.9, 0.98, 0.8, 3, 2, 0.666667),
                segment("channel", "web"));
    }

    @Test
    void learningAndRetailerSegments() {
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "learning_segment", "s2", 4, 1, 3, 0.883333, 0.82, 0.9, 0.94, 1.0, 2, 1, 0.5),
                segment("learning_segment", "s2"));
        // d7 has no experiment: its learning segment is unknown, and it has no price figure at all.
        FairnessFigures.SegmentPrices unknown = segment("learning_segment", "unknown");
        assertEquals(1, unknown.decisions());
        assertEquals(1, unknown.fallbacks());
        assertNull(unknown.meanPriceToList());
        assertNull(unknown.shareDiscounted());
        assertEquals(0.0, unknown.conversion());
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "retailer_segment", "gold", 5, 0, 5, 0.93, 0.9, 0.9, 0.98, 0.8, 3, 2, 0.666667),
                segment("retailer_segment", "gold"));
        assertEquals(
                new FairnessFigures.SegmentPrices(
                        "retailer_segment", "unlisted", 2, 2, 0, null, null, null, null, null, 1, 0, 0.0),
                segment("retailer_segment", "unlisted"));
        assertEquals(
                List.of("basic", "gold", "unlisted"),
                F.dimension("retailer_segment").stream()
                        .map(FairnessFigures.SegmentPrices::segment)
                        .toList());
    }

    @Test
    void withoutRetailerSegmentsThereIsNoSuchDimension() {
        FairnessFigures.Figures f = FairnessFigures.compute(DECISIONS, OUTCOMES, Map.of(), 10);
        assertEquals(List.of(), f.dimension("retailer_segment"));
        assertEquals(2 + 2 + 2 + 3, f.segments().size());
    }

    @Test
    void dispersionPerItemAndHour() {
        // A 10:00: 9, 10, 8 at list 10 -> 0.2; B 10:00: 18, 19 at list 20 -> 0.05; A 11:00 has one quote and
        // the fallback at list price (d8) is not a quote.
        assertEquals(2, F.spreadGroups());
        assertEquals(0.125, F.p50Spread());
        assertEquals(0.185, F.p90Spread());
        assertEquals(0.2, F.maxSpread());
        assertEquals(
                List.of(
                        new FairnessFigures.ItemHourSpread("A", "2019-10-01T10:00:00Z", 3, 3, 10, 8, 10, 0.2),
                        new FairnessFigures.ItemHourSpread("B", "2019-10-01T10:00:00Z", 2, 1, 20, 18, 19, 0.05)),
                F.worstItems());
        assertEquals(
                List.of(new FairnessFigures.HourSpread("2019-10-01T10:00:00Z", 2, 0.125, 0.185, 0.2)),
                F.spreadByHour());
        assertEquals(
                1,
                FairnessFigures.compute(DECISIONS, OUTCOMES, Map.of(), 1)
                        .worstItems()
                        .size());
    }

    @Test
    void shoppersQuotedAboveTheLowest() {
        // Only A 10:00 has two or more shoppers: 9 and 10 are above the lowest 8, by 10% and 20% of list.
        assertEquals(new FairnessFigures.HigherPrice(1, 3, 2, 0.666667, 15.0, 10.0), F.higherPrice());
    }

    @Test
    void aShoppersQuoteInAGroupIsTheMeanOfItsQuotes() {
        List<LoggedDecision> d = List.of(
                priced("x1", "u1", "D", 20, 10, 120, 1).read(),
                priced("x2", "u1", "D", 20, 12, 130, 1).read(),
                priced("x3", "u2", "D", 20, 10, 140, 1).read());
        FairnessFigures.Figures f = FairnessFigures.compute(d, Map.of(), Map.of(), 10);
        // u1's quote is 11, u2's 10: u1 is 1 above, 5% of list; over both shoppers 2.5%.
        assertEquals(new FairnessFigures.HigherPrice(1, 2, 1, 0.5, 5.0, 2.5), f.higherPrice());
        assertEquals(0.1, f.maxSpread());
        assertNull(segmentOf(f, "learning_segment", "unknown").conversion());
    }

    @Test
    void noDecisionsNoFigures() {
        FairnessFigures.Figures f = FairnessFigures.compute(List.of(), Map.of(), Map.of(), 10);
        assertEquals(0, f.decisions());
        assertNull(f.p50Spread());
        assertEquals(new FairnessFigures.HigherPrice(0, 0, 0, null, null, null), f.higherPrice());
        assertEquals(List.of(), f.segments());
    }

    private static FairnessFigures.SegmentPrices segment(String dimension, String segment) {
        return segmentOf(F, dimension, segment);
    }

    private static FairnessFigures.SegmentPrices segmentOf(
            FairnessFigures.Figures f, String dimension, String segment) {
        return f.dimension(dimension).stream()
                .filter(s -> s.segment().equals(segment))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no segment " + dimension + "/" + segment));
    }
}
