package org.pricingengine.tools.evaluation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.pricingengine.features.Checksums;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.FeatureFingerprint;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.tools.cli.ToolArguments;
import org.pricingengine.tools.local.TopicReading;

/**
 * Turns the job's logged feedback into training examples for the price head: joins each feedback
 * outcome with the model input the job logged for its decision (decision-features topic, same decision
 * id), keeps the randomized decisions, and writes the examples directory of model-assets/CONTRACT.md
 * plus, per example, the propensity of the quoted price and its inverse-propensity weight.
 *
 * <p>Only randomized decisions are kept: there the price was drawn by the policy from known
 * probabilities given what the job saw, so price is not confounded with anything the features miss.
 * A decision that could only have had one price (holdout, stable quote, fallback) says nothing about
 * price response, and the job does not log its features.
 *
 * <p>Weight of example i: {@code min(1 / propensity_i, clip)}, then scaled so the weights average 1
 * over the exported examples. Weighting by 1/propensity makes the likelihood behave as if every
 * candidate price had been equally likely for every request, so the fitted curve is not dominated by
 * the prices the policy already liked; clipping bounds the variance a handful of rare uniform picks
 * would add, at the cost of a small bias towards the policy's favourite prices.
 *
 * <p>Sources: the topics (read_committed, from the beginning to their end when the read starts) and/or
 * JSON-lines files holding one record value per line (tests, archived topics). Output is sorted by
 * request time, then decision id, so partition interleaving cannot change it.
 */
public final class FeedbackExamples {
    /** The decision-features topic's name when the job option is left at its usual value. */
    public static final String DEFAULT_FEATURES_TOPIC = "pricing.decision-features";

    public static final double DEFAULT_WEIGHT_CLIP = 50.0;

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "model-assets/training/export-feedback.sh",
                    "Joins feedback outcomes with the logged model inputs of their randomized decisions and"
                            + " writes training examples with propensities and inverse-propensity weights.")
            .required("out", "the examples directory to write")
            .option("bootstrap-servers", null, "read the topics from this Kafka cluster (HOST:PORT)")
            .option("feedback-topic", PricingConfig.TOPIC_FEEDBACK.defaultValue(), "the job's feedback-outcomes topic")
            .option("features-topic", DEFAULT_FEATURES_TOPIC, "the job's decision-features topic")
            .repeatable("feedback-file", "feedback outcomes as JSON lines (one record value per line)")
            .repeatable("features-file", "decision features as JSON lines (one record value per line)")
            .option(
                    "weight-clip",
                    String.valueOf(DEFAULT_WEIGHT_CLIP),
                    "largest inverse-propensity weight, before normalising")
            .option(
                    "model-dir",
                    "model-assets/models",
                    "where logged model versions' manifests are, to check their feature code is the current one")
            .option("read-timeout", "10min", "give up when the topics are not read to their end within this")
            .option(
                    "max-decisions",
                    "0",
                    "keep only the latest this many joined decisions (by request time); 0 keeps all")
            .jobOptions("Kafka client settings for reading the topics (kafka.client.*)", false);

    /** Why outcomes were not exported, and what was. Printed as the {@code feedback-examples: {json}} line. */
    @JsonPropertyOrder({
        "out",
        "sources",
        "outcomes",
        "duplicate_outcomes",
        "not_randomized",
        "invalid",
        "without_features",
        "other_feature_spec",
        "other_feature_code",
        "feature_records",
        "unreadable_records",
        "examples",
        "purchases",
        "purchase_rate",
        "min_propensity",
        "mean_propensity",
        "weight_clip",
        "clipped_weights",
        "effective_sample_size",
        "by_model_version"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(
            @JsonProperty("out") String out,
            @JsonProperty("sources") List<String> sources,
            @JsonProperty("outcomes") long outcomes,
            @JsonProperty("duplicate_outcomes") long duplicateOutcomes,
            @JsonProperty("not_randomized") long notRandomized,
            @JsonProperty("invalid") long invalid,
            @JsonProperty("without_features") long withoutFeatures,
            @JsonProperty("other_feature_spec") long otherFeatureSpec,
            @JsonProperty("other_feature_code") long otherFeatureCode,
            @JsonProperty("feature_records") long featureRecords,
            @JsonProperty("unreadable_records") long unreadableRecords,
            @JsonProperty("examples") int examples,
            @JsonProperty("purchases") long purchases,
            @JsonProperty("purchase_rate") double purchaseRate,
            @JsonProperty("min_propensity") Double minPropensity,
            @JsonProperty("mean_propensity") Double meanPropensity,
            @JsonProperty("weight_clip") double weightClip,
            @JsonProperty("clipped_weights") long clippedWeights,
            @JsonProperty("effective_sample_size") double effectiveSampleSize,
            @JsonProperty("by_model_version") Map<String, Long> byModelVersion) {}

    /** One exported example: the joined outcome and features, with its weight once all are known. */
    record Joined(FeedbackOutcome outcome, DecisionFeatures features) {
        double propensity() {
            return outcome.experiment().propensity();
        }
    }

    private final double weightClip;
    private final Path modelDir;
    private final Map<String, FeedbackOutcome> outcomes = new LinkedHashMap<>();
    private final Map<String, DecisionFeatures> features = new HashMap<>();
    private final List<String> sources = new ArrayList<>();
    private final List<Path> sourceFiles = new ArrayList<>();
    private final Map<String, Object> kafkaSources = new LinkedHashMap<>();
    private final Map<String, Optional<String>> fingerprintByVersion = new HashMap<>();
    private long outcomeRecords;
    private long duplicateOutcomes;
    private long notRandomized;
    private long invalid;
    private long featureRecords;
    private long unreadable;

    public FeedbackExamples(double weightClip, Path modelDir) {
        if (!(weightClip >= 1)) {
            throw new IllegalArgumentException("--weight-clip must be at least 1 (a weight is 1 / propensity >= 1)");
        }
        this.weightClip = weightClip;
        this.modelDir = modelDir;
    }

    private int maxDecisions;

    /** Keeps only the latest {@code max} joined decisions (by request time); 0 keeps all. */
    public FeedbackExamples latest(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("--max-decisions must be >= 0");
        }
        this.maxDecisions = max;
        return this;
    }

    public static void main(String[] args) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(args);
        FeedbackExamples export =
                new FeedbackExamples(a.decimal("weight-clip"), a.path("model-dir")).latest(a.integer("max-decisions"));
        for (String f : a.all("feedback-file")) {
            export.readOutcomesFile(Path.of(f));
        }
        Optional<String> bootstrap = a.optional("bootstrap-servers");
        PricingConfig config = PricingConfig.of(a.jobOptions());
        long deadline = System.currentTimeMillis() + a.duration("read-timeout").toMillis();
        if (bootstrap.isPresent()) {
            export.readOutcomesTopic(bootstrap.get(), config, a.string("feedback-topic"), deadline);
        }
        // Features after outcomes: only those of wanted decisions are kept, which bounds memory.
        for (String f : a.all("features-file")) {
            export.readFeaturesFile(Path.of(f));
        }
        if (bootstrap.isPresent()) {
            export.readFeaturesTopic(bootstrap.get(), config, a.string("features-topic"), deadline);
        }
        if (export.sources.isEmpty()) {
            throw new IllegalArgumentException("give --bootstrap-servers or --feedback-file/--features-file");
        }
        Result r = export.write(a.path("out"));
        System.out.println("feedback-examples: " + Json.toJson(r));
    }

    // ---- reading ----

    public void readOutcomesFile(Path file) throws IOException {
        sources.add("feedback file " + file.getFileName());
        sourceFiles.add(file);
        lines(file, this::addOutcome);
    }

    public void readFeaturesFile(Path file) throws IOException {
        sources.add("features file " + file.getFileName());
        sourceFiles.add(file);
        lines(file, this::addFeatures);
    }

    public void readOutcomesTopic(String bootstrap, PricingConfig config, String topic, long deadlineMs) {
        sources.add("feedback topic " + topic);
        kafkaSources.put(topic, readTopic(bootstrap, config, topic, deadlineMs, this::addOutcome));
    }

    public void readFeaturesTopic(String bootstrap, PricingConfig config, String topic, long deadlineMs) {
        sources.add("features topic " + topic);
        kafkaSources.put(topic, readTopic(bootstrap, config, topic, deadlineMs, this::addFeatures));
    }

    /** Reads a topic from its beginning to its end as of now; returns the end offsets read to. */
    private static Map<String, Long> readTopic(
            String bootstrap, PricingConfig config, String topic, long deadlineMs, Consumer<byte[]> sink) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReading.consumer(bootstrap, config, true)) {
            Map<TopicPartition, Long> end = TopicReading.assignFrom(consumer, topic, Long.MIN_VALUE);
            while (!TopicReading.caughtUp(consumer, end)) {
                if (System.currentTimeMillis() > deadlineMs) {
                    throw new IllegalStateException("topic " + topic + " not read to its end before --read-timeout");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        sink.accept(r.value());
                    }
                }
            }
            Map<String, Long> offsets = new TreeMap<>();
            end.forEach((tp, offset) -> offsets.put(String.valueOf(tp.partition()), offset));
            return offsets;
        }
    }

    private static void lines(Path file, Consumer<byte[]> sink) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    sink.accept(line.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    void addOutcome(byte[] json) {
        outcomeRecords++;
        FeedbackOutcome o;
        try {
            o = FeedbackOutcome.fromJson(json);
        } catch (IOException | RuntimeException e) {
            unreadable++;
            return;
        }
        if (o.decisionId() == null) {
            unreadable++;
            return;
        }
        if (outcomes.containsKey(o.decisionId())) {
            duplicateOutcomes++; // exactly one per decision is the job's promise; a re-read file is not
            return;
        }
        PriceExperiment e = o.experiment();
        if (e == null || !e.randomized()) {
            notRandomized++;
            return;
        }
        if (!(e.propensity() > 0 && e.propensity() <= 1)
                || o.fallback()
                || o.price() == null
                || o.listPrice() == null
                || !(o.price() > 0)
                || !(o.listPrice() > 0)) {
            invalid++;
            return;
        }
        outcomes.put(o.decisionId(), o);
    }

    void addFeatures(byte[] json) {
        featureRecords++;
        DecisionFeatures f;
        try {
            f = Json.mapper().readValue(json, DecisionFeatures.class);
            f.vector(); // checks the array lengths against the feature spec
        } catch (IOException | RuntimeException e) {
            unreadable++;
            return;
        }
        if (f.decisionId() != null && outcomes.containsKey(f.decisionId())) {
            features.putIfAbsent(f.decisionId(), f);
        }
    }

    // ---- joining and writing ----

    public Result write(Path out) throws IOException {
        List<Joined> joined = new ArrayList<>();
        long withoutFeatures = 0;
        long otherSpec = 0;
        long otherCode = 0;
        String fingerprint = FeatureFingerprint.current();
        for (FeedbackOutcome o : outcomes.values()) {
            DecisionFeatures f = features.get(o.decisionId());
            if (f == null) {
                withoutFeatures++;
            } else if (!FeatureSpec.VERSION.equals(f.featureSpec())) {
                otherSpec++;
            } else if (loggedFingerprint(f.modelVersion())
                    .map(fp -> !fp.equals(fingerprint))
                    .orElse(false)) {
                // The job only serves a model whose fingerprint matches its feature code: a model trained
                // on other feature code means these features were computed by other code.
                otherCode++;
            } else {
                joined.add(new Joined(o, f));
            }
        }
        joined.sort(Comparator.comparingLong((Joined j) -> j.outcome().decisionRequestTimeMs())
                .thenComparing(j -> j.outcome().decisionId()));
        if (maxDecisions > 0 && joined.size() > maxDecisions) {
            // The latest decisions: the market as it is now, and a bounded training time.
            joined = new ArrayList<>(joined.subList(joined.size() - maxDecisions, joined.size()));
        }

        int n = joined.size();
        double[] weight = new double[n];
        double sum = 0;
        long clipped = 0;
        for (int i = 0; i < n; i++) {
            double raw = 1.0 / joined.get(i).propensity();
            if (raw > weightClip) {
                raw = weightClip;
                clipped++;
            }
            weight[i] = raw;
            sum += raw;
        }
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = weight[i] * n / sum;
            sumSquares += weight[i] * weight[i];
        }

        List<TrainingExampleExtractor.Example> examples = new ArrayList<>(n);
        ByteBuffer propensity = buffer(n);
        ByteBuffer ipw = buffer(n);
        ByteBuffer logged = buffer(n);
        long purchases = 0;
        Map<String, Long> byVersion = new TreeMap<>();
        double minPropensity = 1;
        double sumPropensity = 0;
        for (int i = 0; i < n; i++) {
            FeedbackOutcome o = joined.get(i).outcome();
            PriceExperiment e = o.experiment();
            boolean purchased = o.purchased();
            purchases += purchased ? 1 : 0;
            examples.add(new TrainingExampleExtractor.Example(
                    joined.get(i).features().vector(),
                    (float) Math.log(o.price() / o.listPrice()),
                    purchased,
                    purchased || FeedbackOutcome.CART.equals(o.outcome()),
                    o.decisionRequestTimeMs(),
                    o.itemId(),
                    o.userId(),
                    o.requestId(),
                    null));
            propensity.putFloat((float) e.propensity());
            ipw.putFloat((float) weight[i]);
            logged.putFloat((float) e.conversionAt(o.price(), o.listPrice()));
            byVersion.merge(String.valueOf(o.modelVersion()), 1L, Long::sum);
            minPropensity = Math.min(minPropensity, e.propensity());
            sumPropensity += e.propensity();
        }
        TrainingExampleExtractor.write(out, examples, List.of());
        writeBuffer(out.resolve("propensity.f32"), propensity);
        writeBuffer(out.resolve("ipw.f32"), ipw);
        writeBuffer(out.resolve("logged_conversion.f32"), logged);

        Result result = new Result(
                out.toString(),
                List.copyOf(sources),
                outcomeRecords,
                duplicateOutcomes,
                notRandomized,
                invalid,
                withoutFeatures,
                otherSpec,
                otherCode,
                featureRecords,
                unreadable,
                n,
                purchases,
                n == 0 ? 0 : round((double) purchases / n),
                n == 0 ? null : round(minPropensity),
                n == 0 ? null : round(sumPropensity / n),
                weightClip,
                clipped,
                n == 0 ? 0 : round(n * (double) n / sumSquares),
                byVersion);
        writeMeta(out, result);
        return result;
    }

    /** The extractor's meta.json, plus where the examples came from and what the extra arrays hold. */
    private void writeMeta(Path out, Result result) throws IOException {
        ObjectNode meta =
                (ObjectNode) Json.mapper().readTree(out.resolve("meta.json").toFile());
        List<Map<String, String>> files = new ArrayList<>();
        for (Path f : sourceFiles) {
            files.add(Map.of("file", f.getFileName().toString(), "sha256", Checksums.sha256(f)));
        }
        meta.set("source_files", Json.mapper().valueToTree(files));
        meta.put("source", "feedback");
        Map<String, Object> feedback = new LinkedHashMap<>();
        feedback.put(
                "selection",
                "randomized decisions (experiment.randomized, 0 < propensity <= 1) joined with"
                        + " their logged model input by decision_id");
        feedback.put("topics_end_offsets", kafkaSources);
        feedback.put("export", result);
        feedback.put(
                "arrays",
                Map.of(
                        "log_price_ratio.f32",
                        "ln(quoted price / list price) of the decision",
                        "label_purchase.f32",
                        "1 if the outcome was a purchase",
                        "label_cart.f32",
                        "1 if the outcome was a cart or a purchase",
                        "event_time.i64",
                        "the decision's request time, epoch ms",
                        "propensity.f32",
                        "probability the policy gave the quoted price",
                        "ipw.f32",
                        "min(1 / propensity, weight_clip), scaled to average 1",
                        "logged_conversion.f32",
                        "conversion the logging policy's curve (at its posterior mean) gave the quoted price;"
                                + " NaN without a model curve"));
        feedback.put("weight_clip", weightClip);
        meta.set("feedback", Json.mapper().valueToTree(feedback));
        Files.writeString(
                out.resolve("meta.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /** The feature fingerprint of a logged model version's manifest, when that version is in the model directory. */
    private Optional<String> loggedFingerprint(String version) {
        if (version == null || modelDir == null) {
            return Optional.empty();
        }
        return fingerprintByVersion.computeIfAbsent(version, v -> {
            Path manifest = modelDir.resolve(v).resolve("manifest.json");
            if (!Files.isRegularFile(manifest)) {
                return Optional.empty();
            }
            try {
                JsonNode fp = Json.mapper().readTree(manifest.toFile()).get("feature_fingerprint");
                return fp == null ? Optional.empty() : Optional.of(fp.asText());
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    private static ByteBuffer buffer(int n) {
        return ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeBuffer(Path file, ByteBuffer buffer) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(buffer.array(), 0, buffer.position());
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
