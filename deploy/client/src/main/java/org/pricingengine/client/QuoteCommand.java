package org.pricingengine.client;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * {@code quote}: asks a running job for one price and prints the decision as the job published it (one
 * JSON line on stdout, exit 0). Without a decision before the deadline it prints the client's fallback
 * quote instead ({@code "client_fallback":"TIMEOUT"}) and exits 3. Run by {@code deploy/quote.sh}.
 */
public final class QuoteCommand {
    static final String USAGE = """
            usage: quote --user USER --item ITEM [--list-price P] [--publish-catalog [--unit-cost C]]
                         [--channel C] [--device D] [--request-id ID] [--bootstrap-servers HOST:PORT]
                         [--config FILE] [--timeout-ms N] [--topic-prefix PREFIX] [--metrics]
              --bootstrap-servers  default: bootstrap.servers of --config, else 127.0.0.1:$KAFKA_PORT (19092)
              --list-price P       the storefront's own price: shown when no decision comes in time
              --publish-catalog    first publish a catalog entry for ITEM at --list-price (as the catalog
                                   service would; the job prices only items its catalog knows)
              --config FILE        Kafka client properties (security.protocol, sasl.*, ssl.*, ...)
              --timeout-ms N       deadline for the decision (default 5000)
              --topic-prefix P     topics P.price-requests, P.price-decisions, ... (default pricing)
              --metrics            print the client's metrics as JSON on stderr at the end
            """;

    /** Exit status when the client fell back to the list price. */
    public static final int FELL_BACK = 3;

    private QuoteCommand() {}

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--help")
                || java.util.Arrays.asList(args).contains("-h")) {
            System.out.print(USAGE);
            System.exit(0);
        }
        int status;
        try {
            status = run(args, System.out, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println("quote: " + e.getMessage());
            System.err.print(USAGE);
            status = 2;
        } catch (Exception e) {
            System.err.println("quote: " + e);
            status = 1;
        }
        System.exit(status);
    }

    /** Runs the command; returns its exit status (0 decided, 3 fell back to the list price). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> opts = parse(args);
        String user = required(opts, "user");
        String item = required(opts, "item");
        Double listPrice = opts.containsKey("list-price") ? Double.valueOf(opts.get("list-price")) : null;
        Properties kafka = new Properties();
        if (opts.containsKey("config")) {
            try (InputStream in = Files.newInputStream(Path.of(opts.get("config")))) {
                kafka.load(in);
            }
        }
        // An explicit --bootstrap-servers wins over the file's; the file's over the local stack's
        // (deploy/local/cluster.sh: 127.0.0.1:$KAFKA_PORT).
        String localStack = "127.0.0.1:" + System.getenv().getOrDefault("KAFKA_PORT", "19092");
        String bootstrap = opts.getOrDefault("bootstrap-servers", kafka.getProperty("bootstrap.servers", localStack));
        Duration timeout = Duration.ofMillis(Long.parseLong(opts.getOrDefault("timeout-ms", "5000")));
        Topics topics = Topics.withPrefix(opts.getOrDefault("topic-prefix", "pricing"));
        PriceQuery query = new PriceQuery(
                opts.getOrDefault("request-id", "quote-" + UUID.randomUUID()),
                user,
                item,
                listPrice,
                opts.get("channel"),
                opts.get("device"));
        try (PricingClient client = PricingClient.builder()
                .kafkaProperties(kafka)
                .bootstrapServers(bootstrap)
                .topics(topics)
                .deadline(timeout)
                .startTimeout(timeout.plusSeconds(10))
                .build()) {
            if (opts.containsKey("publish-catalog")) {
                if (listPrice == null) {
                    throw new IllegalArgumentException("--publish-catalog needs --list-price");
                }
                Double unitCost = opts.containsKey("unit-cost") ? Double.valueOf(opts.get("unit-cost")) : null;
                client.publishCatalogUpdate(
                                new CatalogUpdate(item, null, null, listPrice, unitCost, null, java.time.Instant.now()))
                        .get();
            }
            Quote quote = client.quote(query);
            out.println(quote.toJson());
            if (opts.containsKey("metrics")) {
                err.println(Wire.toJson(client.metrics()));
            }
            if (quote.clientFallback() != null) {
                err.println("quote: no decision for " + query.requestId() + " within " + timeout.toMillis() + " ms ("
                        + quote.clientFallback() + "); showing the list price");
                return FELL_BACK;
            }
            return 0;
        }
    }

    private static final List<String> FLAGS = List.of("publish-catalog", "metrics");

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException("help");
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String name = a.substring(2);
            if (FLAGS.contains(name)) {
                opts.put(name, "true");
                continue;
            }
            if (!List.of(
                            "user",
                            "item",
                            "list-price",
                            "unit-cost",
                            "channel",
                            "device",
                            "request-id",
                            "bootstrap-servers",
                            "config",
                            "timeout-ms",
                            "topic-prefix")
                    .contains(name)) {
                throw new IllegalArgumentException("unknown option " + a);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            opts.put(name, args[++i]);
        }
        return opts;
    }

    private static String required(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }
}
