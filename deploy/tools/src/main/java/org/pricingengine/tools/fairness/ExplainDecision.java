package org.pricingengine.tools.fairness;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * {@code explain --decision ID}: one decision told for a shopper-support agent. Finds it on the decisions
 * topic (a bounded scan: to the end offsets seen at the start, at most {@code --max-records}; with
 * {@code --user} only the partition that shopper's decisions go to), then its feedback outcome on the
 * outcomes topic the same way. The explanation is the decision's own ({@code explanation}) when the job
 * wrote one, else built from its reason codes and guardrails with {@link DecisionWording}.
 */
public final class ExplainDecision {
    private ExplainDecision() {}

    /** One reason behind the price. */
    public record Factor(
            @JsonProperty("factor") String factor,
            @JsonProperty("text") String text) {}

    /** What came of the decision, when its attribution window has closed. */
    @JsonPropertyOrder({"outcome", "revenue", "seconds_to_outcome"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outcome(
            @JsonProperty("outcome") String outcome,
            @JsonProperty("revenue") Double revenue,
            @JsonProperty("seconds_to_outcome") Double secondsToOutcome) {

        static Outcome fromTree(JsonNode o) {
            return new Outcome(
                    o.path("outcome").isTextual() ? o.path("outcome").asText() : null,
                    o.path("revenue").isNumber() ? o.path("revenue").asDouble() : null,
                    o.path("seconds_to_outcome").isNumber()
                            ? o.path("seconds_to_outcome").asDouble()
                            : null);
        }
    }

    /** The decision as an agent reads it; {@code --json} prints this. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({
        "decision_id",
        "request_id",
        "user_id",
        "item_id",
        "request_time",
        "price",
        "list_price",
        "price_vs_list",
        "summary",
        "factors",
        "explained_from",
        "reason_codes",
        "guardrails",
        "model_version",
        "arm",
        "exploration",
        "personalized",
        "fallback",
        "disclosure",
        "channel",
        "device",
        "competitor",
        "outcome"
    })
    public record Explained(
            @JsonProperty("decision_id") String decisionId,
            @JsonProperty("request_id") String requestId,
            @JsonProperty("user_id") String userId,
            @JsonProperty("item_id") String itemId,
            @JsonProperty("request_time") String requestTime,
            @JsonProperty("price") Double price,
            @JsonProperty("list_price") Double listPrice,
            @JsonProperty("price_vs_list") String priceVsList,
            @JsonProperty("summary") String summary,
            @JsonProperty("factors") List<Factor> factors,
            @JsonProperty("explained_from") String explainedFrom,
            @JsonProperty("reason_codes") List<String> reasonCodes,
            @JsonProperty("guardrails") List<String> guardrails,
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("arm") String arm,
            @JsonProperty("exploration") boolean exploration,
            @JsonProperty("personalized") boolean personalized,
            @JsonProperty("fallback") boolean fallback,
            @JsonProperty("disclosure") String disclosure,
            @JsonProperty("channel") String channel,
            @JsonProperty("device") String device,
            @JsonProperty("competitor") LoggedDecision.Competitor competitor,
            @JsonProperty("outcome") Outcome outcome) {}

    /** Where the explanation came from: the decision's own, or its reason codes and guardrails. */
    static final String FROM_DECISION = "decision";

    static final String FROM_CODES = "reason_codes";

    /** Explains one decision; {@code outcome} null when none was found (yet). */
    public static Explained explain(LoggedDecision d, Outcome outcome) {
        String priceVsList = priceVsList(d);
        String summary;
        List<Factor> factors = new ArrayList<>();
        String from;
        if (d.explanation() != null && d.explanation().summary() != null) {
            from = FROM_DECISION;
            summary = d.explanation().summary();
            for (LoggedDecision.Factor f : d.explanation().factors()) {
                factors.add(new Factor(f.factor(), f.text()));
            }
        } else {
            from = FROM_CODES;
            for (String code : d.reasonCodes()) {
                factors.add(new Factor(DecisionWording.factorOf(code), DecisionWording.reason(code)));
            }
            for (String code : d.guardrails()) {
                factors.add(new Factor(guardrailFactor(code), DecisionWording.guardrail(code)));
            }
            summary = summaryFromCodes(d, priceVsList);
        }
        return new Explained(
                d.decisionId(),
                d.requestId(),
                d.userId(),
                d.itemId(),
                d.requestTimeMs() == null
                        ? null
                        : Instant.ofEpochMilli(d.requestTimeMs()).toString(),
                d.price(),
                d.listPrice(),
                priceVsList,
                summary,
                factors,
                from,
                d.reasonCodes(),
                d.guardrails(),
                d.modelVersion(),
                d.arm(),
                d.exploration(),
                d.personalized(),
                d.fallback(),
                d.disclosure(),
                d.channel(),
                d.device(),
                d.competitor(),
                outcome);
    }

    static String priceVsList(LoggedDecision d) {
        if (d.price() == null) {
            return "No price from the engine: the storefront kept its own price.";
        }
        if (d.listPrice() == null || d.listPrice() <= 0) {
            return String.format(Locale.ROOT, "Quoted %.2f.", d.price());
        }
        double pct = 100 * (d.price() - d.listPrice()) / d.listPrice();
        if (Math.abs(pct) < 0.005) {
            return String.format(Locale.ROOT, "Quoted %.2f, the list price.", d.price());
        }
        return String.format(
                Locale.ROOT,
                "Quoted %.2f, %.1f%% %s the list price of %.2f.",
                d.price(),
                Math.abs(pct),
                pct < 0 ? "below" : "above",
                d.listPrice());
    }

    /** The price against list, the reason that decided it, and the guardrail that bound it if any. */
    private static String summaryFromCodes(LoggedDecision d, String priceVsList) {
        StringBuilder s = new StringBuilder(priceVsList);
        String main = null;
        for (String preferred : List.of(
                "HOLDOUT_LIST_PRICE",
                "STABLE_QUOTE",
                "UNIFORM_EXPLORATION",
                "THOMPSON_DRAW",
                "COMPETITOR_BOUND",
                "COMPETITOR_BELOW_FLOOR",
                "FAIRNESS_BAND",
                "LOW_STOCK",
                "OVERSTOCK",
                "MODEL_OPTIMUM")) {
            if (d.reasonCodes().contains(preferred)) {
                main = preferred;
                break;
            }
        }
        // A fallback reason comes first on the decision and says the most.
        for (String code : d.reasonCodes()) {
            if (code.startsWith("FALLBACK_")) {
                main = code;
                break;
            }
        }
        if (main != null) {
            s.append(' ').append(DecisionWording.reason(main));
        }
        if (!d.guardrails().isEmpty()) {
            s.append(' ').append(DecisionWording.guardrail(d.guardrails().get(0)));
        }
        return s.toString();
    }

    private static String guardrailFactor(String code) {
        return switch (code) {
            case "COMPETITOR_PRICE" -> "COMPETITOR";
            case "FLOOR_LOW_STOCK" -> "STOCK";
            case "FAIRNESS_SPREAD" -> "FAIRNESS";
            default -> "GUARDRAIL";
        };
    }

    /** The lines an agent reads. */
    static String text(Explained e) {
        StringBuilder t = new StringBuilder();
        t.append("Decision ").append(e.decisionId()).append('\n');
        t.append("  shopper ")
                .append(e.userId())
                .append(", item ")
                .append(e.itemId())
                .append(e.requestTime() == null ? "" : ", asked at " + e.requestTime())
                .append(e.channel() == null ? "" : ", channel " + e.channel())
                .append(e.device() == null ? "" : ", device " + e.device())
                .append('\n');
        t.append("  ").append(e.priceVsList()).append('\n');
        t.append("\nWhy this price\n  ").append(e.summary()).append('\n');
        for (Factor f : e.factors()) {
            t.append("  - ").append(f.factor()).append(": ").append(f.text()).append('\n');
        }
        if (e.competitor() != null) {
            t.append(String.format(
                    Locale.ROOT,
                    Boolean.TRUE.equals(e.competitor().belowFloor())
                            ? "  competitor %s at %s, below the lowest allowed price (ceiling %s)%n"
                            : "  competitor %s at %s set the ceiling to %s%n",
                    e.competitor().competitor(),
                    e.competitor().price(),
                    e.competitor().ceiling()));
        }
        t.append("\nHow it was priced\n");
        t.append("  model ")
                .append(e.modelVersion())
                .append(", arm ")
                .append(e.arm())
                .append(e.personalized() ? ", personalized" : ", not personalized")
                .append(e.fallback() ? ", fallback" : "")
                .append('\n');
        t.append("  exploration price: ")
                .append(
                        e.exploration()
                                ? "yes: chance chose this price among the allowed ones, so the engine keeps learning"
                                : "no")
                .append('\n');
        t.append("  codes: ")
                .append(String.join(", ", e.reasonCodes()))
                .append(e.guardrails().isEmpty() ? "" : "; guardrails: " + String.join(", ", e.guardrails()))
                .append('\n');
        t.append("\nDisclosure shown to the shopper\n  ")
                .append(e.disclosure() == null ? "(none)" : e.disclosure())
                .append('\n');
        t.append("\nOutcome\n  ");
        if (e.outcome() == null) {
            t.append("none yet (the attribution window has not closed, or the outcome is not on the topic)");
        } else {
            t.append(e.outcome().outcome());
            if (e.outcome().revenue() != null && e.outcome().revenue() > 0) {
                t.append(
                        String.format(Locale.ROOT, ", revenue %.2f", e.outcome().revenue()));
            }
            if (e.outcome().secondsToOutcome() != null) {
                t.append(
                        String.format(Locale.ROOT, ", after %.0f s", e.outcome().secondsToOutcome()));
            }
        }
        t.append('\n');
        return t.toString();
    }

    /** The decision with that id, and how much of the topic was read to find it (or not). */
    public record Search(LoggedDecision decision, TopicScan.Extent extent) {}

    /** Scans the decisions topic for {@code decisionId}; {@code userId} (nullable) narrows it to one partition. */
    public static Search find(
            String bootstrapServers,
            PricingConfig config,
            String topic,
            String decisionId,
            String userId,
            long maxRecords) {
        AtomicReference<LoggedDecision> found = new AtomicReference<>();
        byte[] needle = ("\"" + decisionId + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TopicScan.Extent extent = TopicScan.scan(bootstrapServers, config, topic, userId, maxRecords, value -> {
            // Parsing every record of a long topic costs more than looking for the id's bytes first.
            if (!contains(value, needle)) {
                return false;
            }
            try {
                LoggedDecision d = LoggedDecision.fromJson(value);
                if (decisionId.equals(d.decisionId())) {
                    found.set(d);
                    // A later copy (a re-issue) is the same decision: the first one found will do.
                    return true;
                }
            } catch (IOException e) {
                // Not a decision: it cannot be the one asked for.
            }
            return false;
        });
        return new Search(found.get(), extent);
    }

    /** The decision's outcome on the outcomes topic (keyed by user, as decisions are), or null. */
    public static Outcome findOutcome(
            String bootstrapServers,
            PricingConfig config,
            String topic,
            String decisionId,
            String userId,
            long maxRecords) {
        AtomicReference<Outcome> found = new AtomicReference<>();
        byte[] needle = ("\"" + decisionId + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TopicScan.scan(bootstrapServers, config, topic, userId, maxRecords, value -> {
            if (!contains(value, needle)) {
                return false;
            }
            try {
                JsonNode o = Json.mapper().readTree(value);
                if (decisionId.equals(o.path("decision_id").asText(null))) {
                    found.set(Outcome.fromTree(o));
                    return true;
                }
            } catch (IOException e) {
                // Not an outcome: skip it.
            }
            return false;
        });
        return found.get();
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/explain.sh",
                    "Explains one price decision for a shopper-support agent: price vs list, why, model and arm, "
                            + "exploration, disclosure and the feedback outcome.")
            .required("decision", "the decision id (a UUID, as on the decisions topic)")
            .option("user", null, "the shopper's user id: reads only the partition its decisions go to")
            .required("bootstrap-servers", "the Kafka cluster, HOST:PORT")
            .option("decisions-topic", "pricing.price-decisions", "the decisions topic")
            .option("feedback-topic", "pricing.feedback-outcomes", "the feedback-outcomes topic")
            .option("max-records", "5000000", "records read at most per topic before giving up (0: no limit)")
            .flag("json", "print the explanation as one JSON object instead of text")
            .jobOptions("kafka.client.* options for the Kafka consumers (security settings)", false);

    public static void main(String[] args) throws Exception {
        ToolArguments options = OPTIONS.parseOrExit(args);
        System.exit(run(options, System.out, System.err));
    }

    /** The command on parsed options: 0 explained, 1 no such decision in what was read, 2 an error. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        try {
            return run(OPTIONS.parse(args), out, err);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static int run(ToolArguments options, PrintStream out, PrintStream err) throws IOException {
        try {
            return explain(options, out, err);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("explain: " + e.getMessage());
            return 2;
        }
    }

    private static int explain(ToolArguments options, PrintStream out, PrintStream err) throws IOException {
        PricingConfig config = PricingConfig.fromArgs(options.jobArgs().toArray(String[]::new));
        String bootstrap = options.string("bootstrap-servers");
        String decisionId = options.string("decision").strip();
        String user = options.optional("user").orElse(null);
        long maxRecords = options.longValue("max-records");
        String topic = options.string("decisions-topic");
        Search search = find(bootstrap, config, topic, decisionId, user, maxRecords);
        if (search.decision() == null) {
            err.printf(
                    Locale.ROOT,
                    "explain: no decision %s on %s: read %d records of %s%s%s%n",
                    decisionId,
                    topic,
                    search.extent().records(),
                    user == null
                            ? "all " + search.extent().partitions() + " partitions"
                            : "the partition of user " + user,
                    search.extent().stoppedEarly() ? " (stopped at --max-records " + maxRecords + ")" : " to their end",
                    user == null ? "" : "; without --user every partition is read");
            return 1;
        }
        LoggedDecision d = search.decision();
        Outcome outcome = findOutcome(
                bootstrap,
                config,
                options.string("feedback-topic"),
                decisionId,
                d.userId() != null ? d.userId() : user,
                maxRecords);
        Explained e = explain(d, outcome);
        if (options.bool("json")) {
            out.println(Json.mapper().writeValueAsString(e));
        } else {
            out.print(text(e));
        }
        return 0;
    }
}
