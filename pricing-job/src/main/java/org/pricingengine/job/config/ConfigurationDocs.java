package org.pricingengine.job.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;

/**
 * The options reference in CONFIGURATION.md, generated from {@link PricingConfig} so the two cannot
 * disagree. The generated part sits between {@link #BEGIN} and {@link #END}; the text around it is
 * written by hand. PricingConfigTest fails while the two differ and rewrites it with {@code
 * -Dconfig.docs.write=true}.
 */
public final class ConfigurationDocs {
    public static final String BEGIN = "<!-- options:begin (generated from PricingConfig by ConfigurationDocs) -->";
    public static final String END = "<!-- options:end -->";

    /**
     * Section titles by the key's first part. Keys of one concern share a first part; model and canary
     * read best together. A first part not listed here gets a section named after itself, so a new
     * option never goes missing from the page.
     */
    private static final Map<String, String> SECTIONS = Map.ofEntries(
            Map.entry("kafka", "Kafka"),
            Map.entry("topic", "Topics"),
            Map.entry("watermark", "Event time"),
            Map.entry("validation", "Input validation and dead letters"),
            Map.entry("delivery", "Delivery guarantees"),
            Map.entry("checkpoint", "Checkpoints"),
            Map.entry("user", "Shopper and item state"),
            Map.entry("item", "Shopper and item state"),
            Map.entry("model", "Model and canary"),
            Map.entry("canary", "Model and canary"),
            Map.entry("scoring", "Scoring"),
            Map.entry("pricing", "Pricing policy and guardrails"),
            Map.entry("learning", "Learning price response"),
            Map.entry("feedback", "Feedback attribution"),
            Map.entry("privacy", "Privacy"),
            Map.entry("job", "Job"));

    private ConfigurationDocs() {}

    /** The section an option is listed under. */
    static String section(ConfigOption<?> option) {
        String first = option.key().substring(0, Math.max(0, option.key().indexOf('.')));
        String title = SECTIONS.get(first);
        if (title != null) {
            return title;
        }
        return first.isEmpty() ? "Other" : first.substring(0, 1).toUpperCase(Locale.ROOT) + first.substring(1);
    }

    /**
     * One table per section, sections in the order their first option is declared, options in
     * declaration order within a section.
     */
    public static String markdownTables() {
        Map<String, List<ConfigOption<?>>> bySection = new LinkedHashMap<>();
        for (ConfigOption<?> o : PricingConfig.options()) {
            bySection.computeIfAbsent(section(o), s -> new ArrayList<>()).add(o);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<ConfigOption<?>>> e : bySection.entrySet()) {
            sb.append("\n### ").append(e.getKey()).append("\n\n");
            sb.append("| option | default | meaning |\n");
            sb.append("| --- | --- | --- |\n");
            for (ConfigOption<?> o : e.getValue()) {
                String shown = PricingConfig.shownDefault(o);
                sb.append("| `")
                        .append(o.key())
                        .append("` | ")
                        .append(shown.isEmpty() ? "(empty)" : "`" + shown + "`")
                        .append(" | ")
                        .append(PricingConfig.description(o).replace("|", "\\|"))
                        .append(" |\n");
            }
        }
        return sb.append("\n").toString();
    }

    /** {@code document} with the text between the markers replaced by the generated tables. */
    public static String withGeneratedTables(String document) {
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the document lacks the markers " + BEGIN + " ... " + END);
        }
        return document.substring(0, begin + BEGIN.length()) + "\n" + markdownTables() + document.substring(end);
    }
}
