package org.pricingengine.job.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;

/**
 * README's table of options, generated from {@link PricingConfig} so the two cannot disagree. The
 * table sits between {@link #BEGIN} and {@link #END} in README.md; {@code main} rewrites it there
 * (PricingConfigTest does too with {@code -Dconfig.docs.write=true}).
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

    /** The repository root: the nearest folder up from the working directory with pom.xml and model-assets/. */
    public static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("model-assets"))) {
                return p;
            }
        }
        throw new IllegalStateException("no folder holding pom.xml and model-assets/ above "
                + Path.of("").toAbsolutePath());
    }

    /** Rewrites the table in README.md (argument: its path; default: the repository's). */
    public static void main(String[] args) throws IOException {
        Path readme = args.length > 0 ? Path.of(args[0]) : repositoryRoot().resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String generated = withGeneratedTable(text);
        if (!generated.equals(text)) {
            Files.writeString(readme, generated, StandardCharsets.UTF_8);
            System.out.println("rewrote the options table in " + readme);
        }
    }
}
