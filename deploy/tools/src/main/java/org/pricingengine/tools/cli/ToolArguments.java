package org.pricingengine.tools.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pricingengine.job.config.PricingConfig;

/**
 * The command line of every tool: {@code --key value} pairs over the tool's declared options (each with
 * its default and a one-line description), boolean flags, repeatable options and, for tools that run the
 * job, the job's own options passed through. An option the tool does not know is refused with the list
 * of those it does; {@code --help} prints the usage.
 *
 * <p>Declare a tool's options once with {@link #tool(String, String)}, then {@link Spec#parse} (for code
 * and tests: throws {@link IllegalArgumentException}, or {@link HelpRequested} on {@code --help}) or
 * {@link Spec#parseOrExit} (for {@code main}: prints the usage and exits).
 */
public final class ToolArguments {
    /** What {@link Spec#parse} throws on {@code --help}: the caller prints {@link #usage()}. */
    public static final class HelpRequested extends RuntimeException {
        private final String usage;

        HelpRequested(String usage) {
            super("help requested");
            this.usage = usage;
        }

        public String usage() {
            return usage;
        }
    }

    private enum Kind {
        VALUE,
        REQUIRED,
        FLAG,
        REPEATABLE
    }

    private record Declared(String name, Kind kind, String defaultValue, String description) {}

    /** A tool's options; build it with the chained declarations, then parse. */
    public static final class Spec {
        private final String name;
        private final String summary;
        private final Map<String, Declared> options = new LinkedHashMap<>();
        private String jobOptionsDescription;
        private boolean configFile;

        private Spec(String name, String summary) {
            this.name = name;
            this.summary = summary;
        }

        /** An option with a default; {@code null} means none (the tool then reads it as optional). */
        public Spec option(String option, String defaultValue, String description) {
            return declare(new Declared(option, Kind.VALUE, defaultValue, description));
        }

        public Spec required(String option, String description) {
            return declare(new Declared(option, Kind.REQUIRED, null, description));
        }

        /** A boolean: {@code --name} alone is true; {@code --name true|false} is accepted too. */
        public Spec flag(String option, String description) {
            return declare(new Declared(option, Kind.FLAG, "false", description));
        }

        /** An option that may be given several times; read with {@link ToolArguments#all}. */
        public Spec repeatable(String option, String description) {
            return declare(new Declared(option, Kind.REPEATABLE, null, description));
        }

        /**
         * Accepts the job's options ({@link PricingConfig} keys, {@code kafka.client.*} and
         * {@code --kafka-config FILE}, the Kafka client properties of the tool's own clients and of the
         * job) besides the tool's own; with {@code configFile}, also the job's {@code --config FILE}.
         */
        public Spec jobOptions(String description, boolean configFile) {
            this.jobOptionsDescription = description;
            this.configFile = configFile;
            return this;
        }

        private Spec declare(Declared d) {
            if (options.putIfAbsent(d.name(), d) != null) {
                throw new IllegalStateException("option --" + d.name() + " declared twice");
            }
            return this;
        }

        public String usage() {
            StringBuilder s = new StringBuilder("usage: ").append(name);
            if (!options.isEmpty() || jobOptionsDescription != null) {
                s.append(" [options]");
            }
            s.append('\n').append(summary).append('\n');
            int width = options.values().stream()
                            .mapToInt(d -> label(d).length())
                            .max()
                            .orElse(0)
                    + 2;
            for (Declared d : options.values()) {
                s.append("  ")
                        .append(String.format("%-" + width + "s", label(d)))
                        .append(d.description());
                if (d.kind() == Kind.REQUIRED) {
                    s.append(" (required)");
                } else if (d.kind() == Kind.REPEATABLE) {
                    s.append(" (repeatable)");
                } else if (d.kind() == Kind.VALUE
                        && d.defaultValue() != null
                        && !d.defaultValue().isEmpty()) {
                    s.append(" (default ").append(d.defaultValue()).append(')');
                }
                s.append('\n');
            }
            if (jobOptionsDescription != null) {
                s.append("  ")
                        .append(String.format("%-" + width + "s", "--JOB-OPTION VALUE"))
                        .append(jobOptionsDescription)
                        .append(configFile ? "; --config FILE reads them from a properties file" : "")
                        .append('\n');
                s.append("  ")
                        .append(String.format("%-" + width + "s", "--kafka-config FILE"))
                        .append("Kafka client properties (security.protocol, sasl.*, ssl.*) for every Kafka"
                                + " client, e.g. the client.properties deploy/local/kafka.sh writes\n");
            }
            s.append("  ").append(String.format("%-" + width + "s", "--help")).append("this text\n");
            return s.toString();
        }

        private static String label(Declared d) {
            return "--" + d.name() + (d.kind() == Kind.FLAG ? "" : " VALUE");
        }

        public ToolArguments parse(String... args) {
            Map<String, List<String>> given = new LinkedHashMap<>();
            List<String> jobArgs = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new HelpRequested(usage());
                }
                if (!arg.startsWith("--") || arg.length() == 2) {
                    throw new IllegalArgumentException(name + ": expected --option, got '" + arg + "'" + known());
                }
                String key = arg.substring(2);
                Declared d = options.get(key);
                if (d != null && d.kind() == Kind.FLAG) {
                    String value = "true";
                    if (i + 1 < args.length && (args[i + 1].equals("true") || args[i + 1].equals("false"))) {
                        value = args[++i];
                    }
                    given.put(key, List.of(value));
                    continue;
                }
                if (d == null && !isJobOption(key)) {
                    throw new IllegalArgumentException(name + ": unknown option " + arg + known());
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + ": option " + arg + " needs a value");
                }
                String value = args[++i];
                if (d == null) {
                    jobArgs.add(arg);
                    jobArgs.add(value);
                } else if (d.kind() == Kind.REPEATABLE) {
                    given.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                } else {
                    given.put(key, List.of(value));
                }
            }
            for (Declared d : options.values()) {
                if (d.kind() == Kind.REQUIRED && !given.containsKey(d.name())) {
                    throw new IllegalArgumentException(
                            name + ": --" + d.name() + " is required (" + d.description() + ")");
                }
            }
            return new ToolArguments(this, given, jobArgs);
        }

        /** For {@code main}: on {@code --help} prints the usage and exits 0; on a bad option, the reason and exit 2. */
        public ToolArguments parseOrExit(String... args) {
            try {
                return parse(args);
            } catch (HelpRequested help) {
                System.out.print(help.usage());
                System.exit(0);
            } catch (IllegalArgumentException e) {
                PrintStream err = System.err;
                err.println(e.getMessage());
                err.print(usage());
                System.exit(2);
            }
            throw new AssertionError("unreachable");
        }

        private boolean isJobOption(String key) {
            return jobOptionsDescription != null
                    && (JOB_KEYS.contains(key)
                            || key.startsWith(PricingConfig.KAFKA_CLIENT_PREFIX)
                            || key.equals(PricingConfig.KAFKA_CONFIG_ARG)
                            || (configFile && key.equals("config")));
        }

        private String known() {
            String own = options.keySet().stream().map(k -> "--" + k).collect(Collectors.joining(", "));
            return " (known: " + (own.isEmpty() ? "none" : own)
                    + (jobOptionsDescription != null ? "; and the job's options, e.g. --checkpoint.interval 60s" : "")
                    + "; --help for details)";
        }
    }

    private static final Set<String> JOB_KEYS = PricingConfig.options().stream()
            .map(org.apache.flink.configuration.ConfigOption::key)
            .collect(Collectors.toCollection(TreeSet::new));

    private final Spec spec;
    private final Map<String, List<String>> given;
    private final List<String> jobArgs;

    private ToolArguments(Spec spec, Map<String, List<String>> given, List<String> jobArgs) {
        this.spec = spec;
        this.given = given;
        this.jobArgs = List.copyOf(jobArgs);
    }

    /** Starts the declaration of a tool's options. */
    public static Spec tool(String name, String summary) {
        return new Spec(name, summary);
    }

    /** Whether the option was on the command line (not just defaulted). */
    public boolean given(String option) {
        declared(option);
        return given.containsKey(option);
    }

    /** The value given, else the default; empty when neither (or the value is blank). */
    public Optional<String> optional(String option) {
        Declared d = declared(option);
        List<String> values = given.get(option);
        String v = values != null ? values.get(values.size() - 1) : d.defaultValue();
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    public String string(String option) {
        return optional(option).orElseThrow(() -> new IllegalArgumentException("--" + option + " is required"));
    }

    public int integer(String option) {
        return typed(option, Integer::parseInt, "an integer");
    }

    public long longValue(String option) {
        return typed(option, Long::parseLong, "an integer");
    }

    public double decimal(String option) {
        return typed(option, Double::parseDouble, "a number");
    }

    /** A duration in the job's notation: {@code 500ms}, {@code 15s}, {@code 10min}, {@code 1h}, {@code 30d}. */
    public Duration duration(String option) {
        return typed(option, PricingConfig::parseDuration, "a duration (e.g. 15s, 10min)");
    }

    public Path path(String option) {
        return Path.of(string(option));
    }

    public boolean bool(String option) {
        return typed(
                option,
                v -> switch (v) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException(v);
                },
                "true or false");
    }

    /** Every value of a repeatable option, in order. */
    public List<String> all(String option) {
        declared(option);
        return Collections.unmodifiableList(given.getOrDefault(option, List.of()));
    }

    /** A comma-separated list of integers, e.g. {@code 1,2,4}. */
    public List<Integer> integers(String option) {
        return typed(
                option,
                v -> java.util.Arrays.stream(v.split(","))
                        .map(s -> Integer.parseInt(s.strip()))
                        .toList(),
                "a comma-separated list of integers");
    }

    /** The job options given, as {@code --key value} pairs in command-line order. */
    public List<String> jobArgs() {
        return jobArgs;
    }

    /**
     * The job options given, by key (the last of a repeated key wins, as in the job's own parsing);
     * {@code --kafka-config FILE} is read here into its {@code kafka.client.*} keys, which the
     * {@code --kafka.client.*} options given win over.
     */
    public Map<String, String> jobOptions() {
        Map<String, String> fromFiles = new LinkedHashMap<>();
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < jobArgs.size(); i += 2) {
            String key = jobArgs.get(i).substring(2);
            if (key.equals(PricingConfig.KAFKA_CONFIG_ARG)) {
                fromFiles.putAll(PricingConfig.kafkaClientOptions(Path.of(jobArgs.get(i + 1))));
            } else {
                given.put(key, jobArgs.get(i + 1));
            }
        }
        fromFiles.putAll(given);
        return fromFiles;
    }

    public String usage() {
        return spec.usage();
    }

    private <T> T typed(String option, Function<String, T> parse, String what) {
        String v = string(option);
        try {
            return parse.apply(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + option + " must be " + what + ", got '" + v + "'");
        }
    }

    private Declared declared(String option) {
        Declared d = spec.options.get(option);
        if (d == null) {
            throw new IllegalStateException(spec.name + " reads --" + option + " but does not declare it");
        }
        return d;
    }
}
