package org.pricingengine.job.config;

import org.apache.flink.configuration.ConfigOption;

/**
 * README's table of options, generated from {@link PricingConfig} so the two cannot disagree. The
 * table sits between {@link #BEGIN} and {@link #END} in README.md; PricingConfigTest fails while the
 * two differ and rewrites it with {@code -Dconfig.docs.write=true}.
 */
public final class ConfigurationDocs {
    public static final String BEGIN = "<!-- options:begin (generated from PricingConfig by ConfigurationDocs) -->";
    public static final String END = "<!-- options:end -->";

    private ConfigurationDocs() {}

    /** One row per option, in declaration order. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| option | default | meaning |\n");
        sb.append("| --- | --- | --- |\n");
        for (ConfigOption<?> o : PricingConfig.options()) {
            String shown = PricingConfig.shownDefault(o);
            sb.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(shown.isEmpty() ? "(empty)" : "`" + shown + "`")
                    .append(" | ")
                    .append(PricingConfig.description(o).replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    /** {@code readme} with the text between the markers replaced by the generated table. */
    public static String withGeneratedTable(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("README.md lacks the markers " + BEGIN + " ... " + END);
        }
        return readme.substring(0, begin + BEGIN.length()) + "\n" + markdownTable() + readme.substring(end);
    }
}
