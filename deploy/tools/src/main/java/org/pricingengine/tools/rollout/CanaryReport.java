package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.local.TopicReading;

/**
 * Conversion, revenue and margin per canary arm and model version, from the feedback topic: the real
 * outcomes of the decisions each arm made. Read with read_committed, so only outcomes of committed
 * transactions count. A two-proportion z-score says whether the arms' conversion rates differ by more
 * than chance.
 */
public final class CanaryReport {

    /** One arm's (or arm and model version's) figures, as printed. */
    @JsonPropertyOrder({
        "outcomes",
        "purchases",
        "carts",
        "conversion",
        "revenue",
        "margin",
        "revenue_per_decision",
        "margin_per_decision",
        "discount_on_purchases",
        "fallback_rate"
    })
    public record Arm(
            @JsonProperty("outcomes") long outcomes,
            @JsonProperty("purchases") long purchases,
            @JsonProperty("carts") long carts,
            @JsonProperty("conversion") double conversion,
            @JsonProperty("revenue") double revenue,
            @JsonProperty("margin") double margin,
            @JsonProperty("revenue_per_decision") double revenuePerDecision,
            @JsonProperty("margin_per_decision") double marginPerDecision,
            @JsonProperty("discount_on_purchases") double discountOnPurchases,
            @JsonProperty("fallback_rate") double fallbackRate) {}

    /** The report: per arm, per arm and model version, and the comparison when both arms have outcomes. */
    @JsonPropertyOrder({"arms", "by_arm_and_model_version", "conversion_z_score", "margin_per_decision_lift"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Summary(
            @JsonProperty("arms") Map<String, Arm> arms,
            @JsonProperty("by_arm_and_model_version") Map<String, Arm> byArmAndModelVersion,
            @JsonProperty("conversion_z_score") Double conversionZScore,
            @JsonProperty("margin_per_decision_lift") Double marginPerDecisionLift) {}

    /** Totals of one arm (and model version). */
    public static final class ArmTotals {
        long outcomes;
        long purchases;
        long carts;
        long fallbacks;
        double revenue;
        double margin;
        double listRevenue;

        void add(JsonNode o) {
            outcomes++;
            if (o.path("fallback").asBoolean()) {
                fallbacks++;
            }
            switch (o.path("outcome").asText()) {
                case "purchase" -> {
                    purchases++;
                    double price = o.path("price").asDouble(o.path("revenue").asDouble());
                    revenue += o.path("revenue").asDouble();
                    margin += price - o.path("unit_cost").asDouble(0);
                    listRevenue += o.path("list_price").asDouble(price);
                }
                case "cart" -> carts++;
                default -> {}
            }
        }

        double conversion() {
            return outcomes == 0 ? 0 : (double) purchases / outcomes;
        }

        Arm summary() {
            return new Arm(
                    outcomes,
                    purchases,
                    carts,
                    round(conversion(), 5),
                    round(revenue, 2),
                    round(margin, 2),
                    round(outcomes == 0 ? 0 : revenue / outcomes, 4),
                    round(outcomes == 0 ? 0 : margin / outcomes, 4),
                    round(listRevenue == 0 ? 0 : 1 - revenue / listRevenue, 4),
                    round(outcomes == 0 ? 0 : (double) fallbacks / outcomes, 4));
        }
    }

    private final Map<String, ArmTotals> byArm = new TreeMap<>();
    private final Map<String, ArmTotals> byArmAndVersion = new TreeMap<>();

    void add(JsonNode outcome) {
        String arm = outcome.path("arm").asText("control");
        byArm.computeIfAbsent(arm, a -> new ArmTotals()).add(outcome);
        byArmAndVersion
                .computeIfAbsent(arm + "/" + outcome.path("model_version").asText("?"), a -> new ArmTotals())
                .add(outcome);
    }

    public Summary summary() {
        Map<String, Arm> arms = new LinkedHashMap<>();
        byArm.forEach((arm, t) -> arms.put(arm, t.summary()));
        Map<String, Arm> versions = new LinkedHashMap<>();
        byArmAndVersion.forEach((key, t) -> versions.put(key, t.summary()));
        ArmTotals control = byArm.get("control");
        ArmTotals canary = byArm.get("canary");
        boolean both = control != null && canary != null;
        return new Summary(
                arms,
                versions,
                both ? round(zScore(control, canary), 3) : null,
                both ? round(perDecision(canary.margin, canary) - perDecision(control.margin, control), 4) : null);
    }

    /** The canary's conversion minus control's, in standard errors of the pooled proportion. */
    static double zScore(ArmTotals a, ArmTotals b) {
        if (a.outcomes == 0 || b.outcomes == 0) {
            return Double.NaN;
        }
        double pooled = (double) (a.purchases + b.purchases) / (a.outcomes + b.outcomes);
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / a.outcomes + 1.0 / b.outcomes));
        return se == 0 ? 0 : (b.conversion() - a.conversion()) / se;
    }

    private static double perDecision(double total, ArmTotals t) {
        return t.outcomes == 0 ? 0 : total / t.outcomes;
    }

    /** Reads the feedback topic from {@code sinceMs} (Kafka timestamps) to its current end. */
    public static CanaryReport read(String bootstrapServers, PricingConfig config, long sinceMs) {
        CanaryReport report = new CanaryReport();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrapServers, config, true)) {
            Map<TopicPartition, Long> end =
                    TopicReading.assignFrom(consumer, config.get(PricingConfig.TOPIC_FEEDBACK), sinceMs);
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline && !TopicReading.caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    report.add(Json.mapper().readTree(r.value()));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the feedback topic holds a record that is not JSON", e);
        }
        return report;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Double.isFinite(v) ? Math.round(v * f) / f : v;
    }
}
