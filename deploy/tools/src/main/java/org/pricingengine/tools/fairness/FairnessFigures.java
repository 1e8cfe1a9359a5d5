package org.pricingengine.tools.fairness;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The fairness figures of a set of decisions, computed without Kafka or files so that every number can
 * be checked by hand.
 *
 * <ul>
 *   <li>Price relative to list by shopper segment: new vs returning (user_history_events 0 vs more),
 *       device, channel, the learning segment the policy priced the request in, and a segment the
 *       retailer names per shopper. Per segment: decisions (all), fallbacks, priced decisions,
 *       mean/p10/p50/p90 of price/list, the share priced below list, and conversion (purchases among the
 *       segment's decisions that have an outcome).
 *   <li>Dispersion: per item and hour of request time, among the hour's priced quotes of that item
 *       (at least two), (max price - min price) / list price (the mean list price of those quotes).
 *   <li>Higher price than another shopper: among (item, hour) groups with at least two distinct
 *       shoppers, a shopper's quote is the mean of its quotes there; the share of shopper quotes above
 *       the group's lowest shopper quote, and by how much (in % of list).
 * </ul>
 *
 * <p>Fallbacks (no model price: the decision says fallback, or has no price) are counted in their
 * segment and left out of every price figure. Percentiles interpolate linearly between order
 * statistics.
 */
public final class FairnessFigures {
    /** A price this close to list (or to the lowest quote) counts as equal to it. */
    static final double EPSILON = 1e-9;

    static final String NEW_VS_RETURNING = "new_vs_returning";
    static final String DEVICE = "device";
    static final String CHANNEL = "channel";
    static final String LEARNING_SEGMENT = "learning_segment";
    static final String RETAILER_SEGMENT = "retailer_segment";
    /** What a segment value reads as when the decision does not say. */
    static final String UNKNOWN = "unknown";
    /** The retailer's segment of a shopper its file does not list. */
    static final String UNLISTED = "unlisted";

    private FairnessFigures() {}

    /** One shopper segment's prices and conversion; price figures null where it has no priced decision. */
    @JsonPropertyOrder({
        "dimension",
        "segment",
        "decisions",
        "fallbacks",
        "priced",
        "mean_price_to_list",
        "p10_price_to_list",
        "p50_price_to_list",
        "p90_price_to_list",
        "share_discounted",
        "outcomes",
        "purchases",
        "conversion"
    })
    public record SegmentPrices(
            @JsonProperty("dimension") String dimension,
            @JsonProperty("segment") String segment,
            @JsonProperty("decisions") long decisions,
            @JsonProperty("fallbacks") long fallbacks,
            @JsonProperty("priced") long priced,
            @JsonProperty("mean_price_to_list") Double meanPriceToList,
            @JsonProperty("p10_price_to_list") Double p10PriceToList,
            @JsonProperty("p50_price_to_list") Double p50PriceToList,
            @JsonProperty("p90_price_to_list") Double p90PriceToList,
            @JsonProperty("share_discounted") Double shareDiscounted,
            @JsonProperty("outcomes") long outcomes,
            @JsonProperty("purchases") long purchases,
            @JsonProperty("conversion") Double conversion) {}

    /** One item's quotes within one hour. */
    @JsonPropertyOrder({"item_id", "hour", "quotes", "shoppers", "list_price", "min_price", "max_price", "spread"})
    public record ItemHourSpread(
            @JsonProperty("item_id") String itemId,
            @JsonProperty("hour") String hour,
            @JsonProperty("quotes") int quotes,
            @JsonProperty("shoppers") int shoppers,
            @JsonProperty("list_price") double listPrice,
            @JsonProperty("min_price") double minPrice,
            @JsonProperty("max_price") double maxPrice,
            @JsonProperty("spread") double spread) {}

    /** The spread across items in one hour: of the (item, hour) groups with at least two quotes. */
    @JsonPropertyOrder({"hour", "items", "p50_spread", "p90_spread", "max_spread"})
    public record HourSpread(
            @JsonProperty("hour") String hour,
            @JsonProperty("items") int items,
            @JsonProperty("p50_spread") double p50Spread,
            @JsonProperty("p90_spread") double p90Spread,
            @JsonProperty("max_spread") double maxSpread) {}

    /**
     * Among (item, hour) groups with at least two distinct shoppers: {@code shopperQuotes} shopper quotes
     * (a shopper's mean quote in its group), {@code aboveLowest} of them above their group's lowest;
     * {@code meanExcessAbovePctOfList}: their mean excess over that lowest, in % of list;
     * {@code meanExcessPctOfList}: the same over all shopper quotes (those at the lowest count 0).
     */
    @JsonPropertyOrder({
        "groups",
        "shopper_quotes",
        "above_lowest",
        "share_above_lowest",
        "mean_excess_above_pct_of_list",
        "mean_excess_pct_of_list"
    })
    public record HigherPrice(
            @JsonProperty("groups") long groups,
            @JsonProperty("shopper_quotes") long shopperQuotes,
            @JsonProperty("above_lowest") long aboveLowest,
            @JsonProperty("share_above_lowest") Double shareAboveLowest,
            @JsonProperty("mean_excess_above_pct_of_list") Double meanExcessAbovePctOfList,
            @JsonProperty("mean_excess_pct_of_list") Double meanExcessPctOfList) {}

    @JsonPropertyOrder({
        "decisions",
        "priced",
        "fallbacks",
        "with_outcome",
        "shoppers",
        "items",
        "hours",
        "segments",
        "spread_groups",
        "p50_spread",
        "p90_spread",
        "max_spread",
        "worst_items",
        "spread_by_hour",
        "higher_price"
    })
    public record Figures(
            @JsonProperty("decisions") long decisions,
            @JsonProperty("priced") long priced,
            @JsonProperty("fallbacks") long fallbacks,
            @JsonProperty("with_outcome") long withOutcome,
            @JsonProperty("shoppers") long shoppers,
            @JsonProperty("items") long items,
            @JsonProperty("hours") long hours,
            @JsonProperty("segments") List<SegmentPrices> segments,
            @JsonProperty("spread_groups") long spreadGroups,
            @JsonProperty("p50_spread") Double p50Spread,
            @JsonProperty("p90_spread") Double p90Spread,
            @JsonProperty("max_spread") Double maxSpread,
            @JsonProperty("worst_items") List<ItemHourSpread> worstItems,
            @JsonProperty("spread_by_hour") List<HourSpread> spreadByHour,
            @JsonProperty("higher_price") HigherPrice higherPrice) {

        public List<SegmentPrices> dimension(String dimension) {
            return segments.stream()
                    .filter(s -> s.dimension().equals(dimension))
                    .toList();
        }
    }

    /**
     * {@code outcomes}: the outcome ("purchase", "cart", "none") by decision id; {@code retailerSegments}:
     * the retailer's segment by user id (empty: no such dimension); {@code worstItems}: how many items
     * the worst-dispersion list keeps.
     */
    public static Figures compute(
            List<LoggedDecision> decisions,
            Map<String, String> outcomes,
            Map<String, String> retailerSegments,
            int worstItems) {
        Map<String, Function<LoggedDecision, String>> dimensions = new LinkedHashMap<>();
        dimensions.put(NEW_VS_RETURNING, d -> d.newShopper() == null ? UNKNOWN : d.newShopper() ? "new" : "returning");
        dimensions.put(DEVICE, d -> orUnknown(d.device()));
        dimensions.put(CHANNEL, d -> orUnknown(d.channel()));
        dimensions.put(LEARNING_SEGMENT, d -> orUnknown(d.segment()));
        if (!retailerSegments.isEmpty()) {
            dimensions.put(
                    RETAILER_SEGMENT,
                    d -> d.userId() == null ? UNLISTED : retailerSegments.getOrDefault(d.userId(), UNLISTED));
        }
        List<SegmentPrices> segments = new ArrayList<>();
        dimensions.forEach((dimension, segmentOf) -> {
            Map<String, List<LoggedDecision>> bySegment = new TreeMap<>();
            for (LoggedDecision d : decisions) {
                bySegment
                        .computeIfAbsent(segmentOf.apply(d), k -> new ArrayList<>())
                        .add(d);
            }
            bySegment.forEach((segment, members) -> segments.add(segmentPrices(dimension, segment, members, outcomes)));
        });

        List<LoggedDecision> priced = decisions.stream()
                .filter(LoggedDecision::priced)
                .filter(d -> d.itemId() != null && d.requestTimeMs() != null)
                .toList();
        Map<String, Map<Instant, List<LoggedDecision>>> byItemHour = new TreeMap<>();
        for (LoggedDecision d : priced) {
            byItemHour
                    .computeIfAbsent(d.itemId(), k -> new TreeMap<>())
                    .computeIfAbsent(hourOf(d), k -> new ArrayList<>())
                    .add(d);
        }
        List<ItemHourSpread> groups = new ArrayList<>();
        Map<Instant, List<Double>> spreadsByHour = new TreeMap<>();
        long higherGroups = 0;
        long shopperQuotes = 0;
        long above = 0;
        double excessAbove = 0;
        for (var item : byItemHour.entrySet()) {
            for (var hour : item.getValue().entrySet()) {
                List<LoggedDecision> quotes = hour.getValue();
                double list = quotes.stream()
                        .mapToDouble(LoggedDecision::listPrice)
                        .average()
                        .orElseThrow();
                Map<String, double[]> byShopper = new TreeMap<>();
                for (LoggedDecision q : quotes) {
                    double[] sumCount = byShopper.computeIfAbsent(String.valueOf(q.userId()), k -> new double[2]);
                    sumCount[0] += q.price();
                    sumCount[1]++;
                }
                if (quotes.size() >= 2) {
                    double min = quotes.stream()
                            .mapToDouble(LoggedDecision::price)
                            .min()
                            .orElseThrow();
                    double max = quotes.stream()
                            .mapToDouble(LoggedDecision::price)
                            .max()
                            .orElseThrow();
                    double spread = (max - min) / list;
                    groups.add(new ItemHourSpread(
                            item.getKey(),
                            hour.getKey().toString(),
                            quotes.size(),
                            byShopper.size(),
                            round(list),
                            min,
                            max,
                            round(spread)));
                    spreadsByHour
                            .computeIfAbsent(hour.getKey(), k -> new ArrayList<>())
                            .add(spread);
                }
                if (byShopper.size() >= 2) {
                    higherGroups++;
                    double[] shopperMeans = byShopper.values().stream()
                            .mapToDouble(s -> s[0] / s[1])
                            .toArray();
                    double lowest = Arrays.stream(shopperMeans).min().orElseThrow();
                    for (double q : shopperMeans) {
                        shopperQuotes++;
                        if (q > lowest + EPSILON) {
                            above++;
                            excessAbove += (q - lowest) / list * 100;
                        }
                    }
                }
            }
        }
        double[] allSpreads =
                groups.stream().mapToDouble(ItemHourSpread::spread).sorted().toArray();
        List<ItemHourSpread> worst = worstPerItem(groups, worstItems);
        List<HourSpread> byHour = new ArrayList<>();
        spreadsByHour.forEach((hour, spreads) -> {
            double[] sorted =
                    spreads.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            byHour.add(new HourSpread(
                    hour.toString(),
                    sorted.length,
                    round(quantile(sorted, 0.5)),
                    round(quantile(sorted, 0.9)),
                    round(sorted[sorted.length - 1])));
        });
        HigherPrice higher = new HigherPrice(
                higherGroups,
                shopperQuotes,
                above,
                shopperQuotes == 0 ? null : round((double) above / shopperQuotes),
                above == 0 ? null : round(excessAbove / above),
                shopperQuotes == 0 ? null : round(excessAbove / shopperQuotes));

        Set<String> shoppers = new HashSet<>();
        Set<String> items = new HashSet<>();
        Set<Instant> hours = new HashSet<>();
        long withOutcome = 0;
        for (LoggedDecision d : decisions) {
            if (d.userId() != null) {
                shoppers.add(d.userId());
            }
            if (d.itemId() != null) {
                items.add(d.itemId());
            }
            if (d.requestTimeMs() != null) {
                hours.add(hourOf(d));
            }
            if (outcomes.containsKey(d.decisionId())) {
                withOutcome++;
            }
        }
        long pricedCount = decisions.stream().filter(LoggedDecision::priced).count();
        return new Figures(
                decisions.size(),
                pricedCount,
                decisions.size() - pricedCount,
                withOutcome,
                shoppers.size(),
                items.size(),
                hours.size(),
                segments,
                allSpreads.length,
                allSpreads.length == 0 ? null : round(quantile(allSpreads, 0.5)),
                allSpreads.length == 0 ? null : round(quantile(allSpreads, 0.9)),
                allSpreads.length == 0 ? null : round(allSpreads[allSpreads.length - 1]),
                worst,
                byHour,
                higher);
    }

    private static SegmentPrices segmentPrices(
            String dimension, String segment, List<LoggedDecision> members, Map<String, String> outcomes) {
        double[] ratios = members.stream()
                .filter(LoggedDecision::priced)
                .mapToDouble(LoggedDecision::priceToList)
                .sorted()
                .toArray();
        long discounted = members.stream()
                .filter(LoggedDecision::priced)
                .filter(d -> d.price() < d.listPrice() - EPSILON)
                .count();
        long withOutcome = 0;
        long purchases = 0;
        for (LoggedDecision d : members) {
            String o = outcomes.get(d.decisionId());
            if (o != null) {
                withOutcome++;
                if ("purchase".equals(o)) {
                    purchases++;
                }
            }
        }
        boolean anyPriced = ratios.length > 0;
        return new SegmentPrices(
                dimension,
                segment,
                members.size(),
                members.size() - ratios.length,
                ratios.length,
                anyPriced ? round(Arrays.stream(ratios).average().orElseThrow()) : null,
                anyPriced ? round(quantile(ratios, 0.1)) : null,
                anyPriced ? round(quantile(ratios, 0.5)) : null,
                anyPriced ? round(quantile(ratios, 0.9)) : null,
                anyPriced ? round((double) discounted / ratios.length) : null,
                withOutcome,
                purchases,
                withOutcome == 0 ? null : round((double) purchases / withOutcome));
    }

    /** Each item's worst hour, the items with the widest first (ties: by item id), at most {@code n}. */
    private static List<ItemHourSpread> worstPerItem(List<ItemHourSpread> groups, int n) {
        Map<String, ItemHourSpread> worst = new HashMap<>();
        for (ItemHourSpread g : groups) {
            worst.merge(g.itemId(), g, (a, b) -> b.spread() > a.spread() ? b : a);
        }
        return worst.values().stream()
                .filter(g -> g.spread() > 0)
                .sorted(Comparator.comparingDouble(ItemHourSpread::spread)
                        .reversed()
                        .thenComparing(ItemHourSpread::itemId))
                .limit(n)
                .toList();
    }

    static Instant hourOf(LoggedDecision d) {
        return Instant.ofEpochMilli(d.requestTimeMs()).truncatedTo(ChronoUnit.HOURS);
    }

    private static String orUnknown(String v) {
        return v == null || v.isBlank() ? UNKNOWN : v;
    }

    /** Linear interpolation between order statistics of a sorted, non-empty array. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
