package org.pricingengine.tools.fairness;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.charts.BarChart;
import org.pricingengine.tools.charts.LineChart;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * The fairness report: whether some shoppers pay more than others for the same thing. Reads the
 * decisions and feedback-outcomes topics of a running or finished job (or JSONL files of them), computes
 * {@link FairnessFigures} and writes {@code fairness.md}, {@code fairness.json} and PNG charts into one
 * directory. A decision seen twice (same decision id) counts once, the later copy.
 */
public final class FairnessReport {
    static final String MARKDOWN = "fairness.md";
    static final String JSON = "fairness.json";
    static final String SEGMENTS_PNG = "price-to-list-by-segment.png";
    static final String SPREAD_PNG = "spread-over-time.png";

    private FairnessReport() {}

    /** What the command prints and writes: where the report is, and its figures. */
    @JsonPropertyOrder({"report", "figures"})
    public record Result(
            @JsonProperty("report") String report,
            @JsonProperty("figures") FairnessFigures.Figures figures) {}

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/fairness-report.sh",
                    "Writes the fairness report (price relative to list by shopper segment, price dispersion per "
                            + "item and hour, shoppers quoted more than others) from the decisions and outcomes.")
            .option("bootstrap-servers", null, "read the topics from this Kafka cluster")
            .option("decisions-topic", "pricing.price-decisions", "the decisions topic (read to its current end)")
            .option("feedback-topic", "pricing.feedback-outcomes", "the feedback-outcomes topic (read_committed)")
            .option("decisions-log", null, "a JSONL file of decisions (instead of the topic)")
            .option("feedback-log", null, "a JSONL file of feedback outcomes (instead of the topic)")
            .option("segments", null, "a CSV file user_id,segment: the retailer's own shopper segments")
            .option("worst-items", "10", "how many items the worst-dispersion table lists")
            .option("out-dir", ".work/fairness", "where the report is written")
            .jobOptions("kafka.client.* options for the Kafka consumers (security settings)", false);

    public static void main(String[] args) throws Exception {
        ToolArguments options = OPTIONS.parseOrExit(args);
        Result result;
        try {
            result = run(options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("fairness-report: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("fairness-report: " + Json.mapper().writeValueAsString(result));
        System.exit(result.figures().decisions() > 0 ? 0 : 1);
    }

    static Result run(ToolArguments options) throws IOException {
        PricingConfig config = PricingConfig.fromArgs(options.jobArgs().toArray(String[]::new));
        boolean decisionsFromFile = options.optional("decisions-log").isPresent();
        boolean outcomesFromFile = options.optional("feedback-log").isPresent();
        boolean kafka = options.optional("bootstrap-servers").isPresent();
        if (!kafka && !(decisionsFromFile && outcomesFromFile)) {
            throw new IllegalArgumentException(
                    "give --bootstrap-servers HOST:PORT, or both --decisions-log FILE and --feedback-log FILE");
        }
        List<LoggedDecision> decisions = decisionsFromFile
                ? readDecisions(options.path("decisions-log"))
                : decisionsFromTopic(options.string("bootstrap-servers"), config, options.string("decisions-topic"));
        Map<String, String> outcomes = outcomesFromFile
                ? readOutcomes(options.path("feedback-log"))
                : outcomesFromTopic(options.string("bootstrap-servers"), config, options.string("feedback-topic"));
        Map<String, String> segments =
                options.optional("segments").isPresent() ? readSegments(options.path("segments")) : Map.of();
        FairnessFigures.Figures figures =
                FairnessFigures.compute(decisions, outcomes, segments, options.integer("worst-items"));
        Path dir = options.path("out-dir");
        write(figures, dir, segments.isEmpty() ? null : options.string("segments"));
        System.out.printf(
                Locale.ROOT,
                "fairness-report: %d decisions (%d priced, %d fallbacks), %d with an outcome; spread per item-hour "
                        + "p50 %s p90 %s max %s; %s of shopper quotes above the lowest in their item-hour%n",
                figures.decisions(),
                figures.priced(),
                figures.fallbacks(),
                figures.withOutcome(),
                figures.p50Spread(),
                figures.p90Spread(),
                figures.maxSpread(),
                figures.higherPrice().shareAboveLowest());
        return new Result(dir.resolve(MARKDOWN).toString(), figures);
    }

    /** The decisions topic from its beginning to its current end, read_committed, one per decision id. */
    public static List<LoggedDecision> decisionsFromTopic(String bootstrapServers, PricingConfig config, String topic) {
        Map<String, LoggedDecision> byId = new LinkedHashMap<>();
        TopicScan.scan(bootstrapServers, config, topic, null, 0, value -> {
            try {
                LoggedDecision d = LoggedDecision.fromJson(value);
                byId.remove(d.decisionId());
                byId.put(d.decisionId(), d);
            } catch (IOException e) {
                throw new IllegalStateException(topic + " holds a record that is no decision: " + e.getMessage());
            }
            return false;
        });
        return new ArrayList<>(byId.values());
    }

    static List<LoggedDecision> readDecisions(Path jsonl) throws IOException {
        Map<String, LoggedDecision> byId = new LinkedHashMap<>();
        forEachLine(jsonl, "decision", line -> {
            LoggedDecision d = LoggedDecision.fromJson(line);
            byId.remove(d.decisionId());
            byId.put(d.decisionId(), d);
        });
        return new ArrayList<>(byId.values());
    }

    /**
     * The outcome ("purchase", "cart", "none") by decision id, from the feedback topic to its current end,
     * read_committed. Read as a JSON tree: the report needs two fields, whatever else an outcome carries.
     */
    public static Map<String, String> outcomesFromTopic(String bootstrapServers, PricingConfig config, String topic) {
        Map<String, String> byDecision = new LinkedHashMap<>();
        TopicScan.scan(bootstrapServers, config, topic, null, 0, value -> {
            try {
                addOutcome(byDecision, value);
            } catch (IOException e) {
                throw new IllegalStateException(topic + " holds a record that is no outcome: " + e.getMessage());
            }
            return false;
        });
        return byDecision;
    }

    static Map<String, String> readOutcomes(Path jsonl) throws IOException {
        Map<String, String> byDecision = new LinkedHashMap<>();
        forEachLine(jsonl, "feedback outcome", line -> addOutcome(byDecision, line));
        return byDecision;
    }

    private static void addOutcome(Map<String, String> byDecision, byte[] json) throws IOException {
        JsonNode o = Json.mapper().readTree(json);
        String id = o.path("decision_id").asText(null);
        String outcome = o.path("outcome").asText(null);
        if (id == null || outcome == null) {
            throw new IOException("no decision_id or outcome");
        }
        byDecision.put(id, outcome);
    }

    private interface LineReader {
        void accept(byte[] line) throws IOException;
    }

    private static void forEachLine(Path jsonl, String what, LineReader reader) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    reader.accept(line.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new IOException(jsonl + " line " + number + " is not a " + what + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * The retailer's segments: CSV {@code user_id,segment}, user ids as on the decisions topic. A first
     * line {@code user_id,segment} is a header; blank lines and lines starting with {@code #} are skipped.
     */
    static Map<String, String> readSegments(Path csv) throws IOException {
        Map<String, String> segments = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || (i == 0 && line.equalsIgnoreCase("user_id,segment"))) {
                continue;
            }
            int comma = line.indexOf(',');
            if (comma <= 0 || comma == line.length() - 1) {
                throw new IllegalArgumentException(
                        csv + " line " + (i + 1) + ": expected user_id,segment, got '" + line + "'");
            }
            segments.put(
                    line.substring(0, comma).strip(), line.substring(comma + 1).strip());
        }
        return segments;
    }

    /** Writes fairness.md, fairness.json and the charts into {@code dir}. */
    static void write(FairnessFigures.Figures f, Path dir, String segmentsFile) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve(JSON),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(f));
        boolean segmentsChart = segmentsChart(f, dir.resolve(SEGMENTS_PNG));
        boolean spreadChart = spreadChart(f, dir.resolve(SPREAD_PNG));
        Files.writeString(dir.resolve(MARKDOWN), markdown(f, segmentsFile, segmentsChart, spreadChart));
    }

    static String markdown(FairnessFigures.Figures f, String segmentsFile, boolean segmentsChart, boolean spreadChart) {
        StringBuilder md = new StringBuilder();
        md.append("# Price fairness report\n\n");
        md.append(String.format(
                Locale.ROOT,
                "%d decisions for %d shoppers and %d items over %d hours of request time: %d priced by the engine, "
                        + "%d fallbacks (no model price; counted in their segment, left out of every price figure); "
                        + "%d have a feedback outcome.\n\n",
                f.decisions(),
                f.shoppers(),
                f.items(),
                f.hours(),
                f.priced(),
                f.fallbacks(),
                f.withOutcome()));
        md.append("## Headline\n\n");
        FairnessFigures.HigherPrice h = f.higherPrice();
        md.append(String.format(
                Locale.ROOT,
                "- Price dispersion per item and hour, (max - min) / list of the quotes: median %s, p90 %s, max %s "
                        + "(over %d item-hours with at least two quotes).\n",
                pct(f.p50Spread()),
                pct(f.p90Spread()),
                pct(f.maxSpread()),
                f.spreadGroups()));
        md.append(String.format(
                Locale.ROOT,
                "- Shoppers quoted more than another shopper for the same item in the same hour: %s of %d shopper "
                        + "quotes (%d item-hours with two or more shoppers), by %s of list on average when above "
                        + "(%s over all of them).\n",
                pct(h.shareAboveLowest()),
                h.shopperQuotes(),
                h.groups(),
                pctPoints(h.meanExcessAbovePctOfList()),
                pctPoints(h.meanExcessPctOfList())));
        for (FairnessFigures.SegmentPrices s : f.dimension(FairnessFigures.NEW_VS_RETURNING)) {
            md.append(String.format(
                    Locale.ROOT,
                    "- %s shoppers: mean price %s of list, %s discounted, conversion %s.\n",
                    s.segment(),
                    pct(s.meanPriceToList()),
                    pct(s.shareDiscounted()),
                    pct(s.conversion())));
        }
        md.append('\n');

        md.append("## Price relative to list by shopper segment\n\n");
        md.append("Price / list price of the priced decisions; *discounted*: priced below list; *conversion*: "
                + "purchases among the segment's decisions with a feedback outcome. New shoppers had no behaviour "
                + "history when priced (user_history_events 0). The learning segment is the one the policy "
                + "learned the price response in (the decision's experiment).");
        if (segmentsFile != null) {
            md.append(" The retailer's segments come from ")
                    .append(segmentsFile)
                    .append("; shoppers it does not list are *")
                    .append(FairnessFigures.UNLISTED)
                    .append("*.");
        }
        md.append("\n\n");
        md.append("| dimension | segment | decisions | fallbacks | priced | mean | p10 | p50 | p90 | discounted | "
                + "outcomes | conversion |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (FairnessFigures.SegmentPrices s : f.segments()) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %d | %s |\n",
                    s.dimension(),
                    s.segment(),
                    s.decisions(),
                    s.fallbacks(),
                    s.priced(),
                    ratio(s.meanPriceToList()),
                    ratio(s.p10PriceToList()),
                    ratio(s.p50PriceToList()),
                    ratio(s.p90PriceToList()),
                    pct(s.shareDiscounted()),
                    s.outcomes(),
                    pct(s.conversion())));
        }
        if (segmentsChart) {
            md.append("\n![mean price / list by segment](").append(SEGMENTS_PNG).append(")\n");
        }
        md.append('\n');

        md.append("## Dispersion per item over time\n\n");
        md.append("For each item and hour of request time with at least two priced quotes: (highest quote - lowest "
                + "quote) / list price (the mean list price of those quotes). Each item's worst hour:\n\n");
        if (f.worstItems().isEmpty()) {
            md.append("No item had two different quotes within one hour.\n");
        } else {
            md.append("| item | hour (UTC) | quotes | shoppers | list price | lowest | highest | spread |\n");
            md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (FairnessFigures.ItemHourSpread w : f.worstItems()) {
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %s |\n",
                        w.itemId(),
                        w.hour(),
                        w.quotes(),
                        w.shoppers(),
                        w.listPrice(),
                        w.minPrice(),
                        w.maxPrice(),
                        pct(w.spread())));
            }
        }
        if (spreadChart) {
            md.append("\n![spread across items per hour](").append(SPREAD_PNG).append(")\n");
        }
        md.append('\n');

        md.append("## Shoppers quoted more than another shopper\n\n");
        md.append(
                "Definition: take every (item, hour of request time) with priced quotes to at least two distinct "
                        + "shoppers; a shopper's quote there is the mean of its quotes for that item in that hour. A shopper "
                        + "quote counts as *above* when it exceeds the lowest shopper quote of its group. Share above = "
                        + "above / all shopper quotes in such groups; excess = (quote - lowest) / list price, in % of list.\n\n");
        md.append(String.format(
                Locale.ROOT,
                "| item-hours | shopper quotes | above the lowest | share above | mean excess when above | mean excess, all |\n"
                        + "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
                        + "| %d | %d | %d | %s | %s | %s |\n",
                h.groups(),
                h.shopperQuotes(),
                h.aboveLowest(),
                pct(h.shareAboveLowest()),
                pctPoints(h.meanExcessAbovePctOfList()),
                pctPoints(h.meanExcessPctOfList())));
        return md.toString();
    }

    private static boolean segmentsChart(FairnessFigures.Figures f, Path png) throws IOException {
        BarChart chart = BarChart.horizontal("Mean price / list price by shopper segment", "mean price / list price")
                .valueText(v -> String.format(Locale.ROOT, "%.3f", v));
        boolean any = false;
        int colour = -1;
        String dimension = null;
        for (FairnessFigures.SegmentPrices s : f.segments()) {
            if (!s.dimension().equals(dimension)) {
                dimension = s.dimension();
                // One colour per dimension: five dimensions, five of the palette's colours.
                colour = (colour + 1) % 5;
            }
            if (s.meanPriceToList() != null) {
                chart.add(s.dimension() + ": " + s.segment(), s.meanPriceToList(), colour);
                any = true;
            }
        }
        if (any) {
            chart.writePng(png);
        }
        return any;
    }

    private static boolean spreadChart(FairnessFigures.Figures f, Path png) throws IOException {
        List<FairnessFigures.HourSpread> hours = f.spreadByHour();
        if (hours.isEmpty()) {
            return false;
        }
        // A replayed log may hold a few days' samples weeks apart: the hours are drawn side by side, in
        // order, rather than on a clock axis that would be mostly gaps.
        double[] x = new double[hours.size()];
        double[] p50 = new double[hours.size()];
        double[] p90 = new double[hours.size()];
        double[] max = new double[hours.size()];
        for (int i = 0; i < hours.size(); i++) {
            FairnessFigures.HourSpread s = hours.get(i);
            x[i] = i + 1;
            p50[i] = 100 * s.p50Spread();
            p90[i] = 100 * s.p90Spread();
            max[i] = 100 * s.maxSpread();
        }
        new LineChart(
                        "Price spread per item and hour, across items",
                        "hours with quotes, in order (" + hours.get(0).hour() + " to "
                                + hours.get(hours.size() - 1).hour() + ")",
                        "(max - min) / list, %",
                        false)
                .add("p50", x, p50)
                .add("p90", x, p90)
                .add("max", x, max)
                .writePng(png);
        return true;
    }

    private static String pct(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    private static String pctPoints(Double points) {
        return points == null ? "-" : String.format(Locale.ROOT, "%.2f%%", points);
    }

    private static String ratio(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
