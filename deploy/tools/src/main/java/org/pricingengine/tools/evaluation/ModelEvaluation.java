package org.pricingengine.tools.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.features.Checksums;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ModelManifest;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * Scores a REES46-format log with a shipped model version exactly as the job would (the job's feature
 * code, normalisation and ONNX Runtime session) and measures purchase prediction against the two
 * baselines the trainer fitted on the model's training period (baselines.json).
 *
 * <p>Usage: {@code ModelEvaluation --data FILE --model VERSION [--model-dir DIR] [--from ISO-TIME] [--json-out FILE]}.
 * When FILE is one of the model's training files, only requests from the training split time on are
 * scored (the rest was trained on); otherwise every request is. Last line: {@code metrics: {json}}.
 */
public final class ModelEvaluation {
    private ModelEvaluation() {}

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "model-assets/training/evaluate.sh",
                    "Scores a REES46 log with a shipped model as the job does and compares it with the trained baselines.")
            .required("data", "the REES46-format log")
            .required("model", "the model version")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option("from", null, "score requests from this ISO time on (default: the split time for a training file)")
            .option("json-out", null, "also write the metrics JSON to this file");

    /** One point of a learned demand curve: a request of one of the most requested items. */
    @JsonPropertyOrder({"item_id", "requests_for_item", "request_id", "base_logit", "price_sensitivity"})
    public record CurvePoint(
            @JsonProperty("item_id") String itemId,
            @JsonProperty("requests_for_item") int requestsForItem,
            @JsonProperty("request_id") String requestId,
            @JsonProperty("base_logit") double baseLogit,
            @JsonProperty("price_sensitivity") double priceSensitivity) {}

    /** The {@code metrics: {json}} line. */
    @JsonPropertyOrder({
        "model_version",
        "data",
        "data_sha256",
        "scope",
        "examples",
        "positives",
        "auc",
        "logloss",
        "baseline_popularity_auc",
        "baseline_popularity_logloss",
        "baseline_logreg_auc",
        "baseline_logreg_logloss",
        "mean_predicted",
        "observed_rate",
        "mean_price_sensitivity",
        "calibration",
        "demand_curves"
    })
    public record Result(
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("data") String data,
            @JsonProperty("data_sha256") String dataSha256,
            @JsonProperty("scope") String scope,
            @JsonProperty("examples") int examples,
            @JsonProperty("positives") long positives,
            @JsonProperty("auc") double auc,
            @JsonProperty("logloss") double logloss,
            @JsonProperty("baseline_popularity_auc") double baselinePopularityAuc,
            @JsonProperty("baseline_popularity_logloss") double baselinePopularityLogloss,
            @JsonProperty("baseline_logreg_auc") double baselineLogregAuc,
            @JsonProperty("baseline_logreg_logloss") double baselineLogregLogloss,
            @JsonProperty("mean_predicted") double meanPredicted,
            @JsonProperty("observed_rate") double observedRate,
            @JsonProperty("mean_price_sensitivity") double meanPriceSensitivity,
            @JsonProperty("calibration") List<Metrics.Bin> calibration,
            @JsonProperty("demand_curves") List<CurvePoint> demandCurves) {}

    public static void main(String[] args) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(args);
        Result metrics = evaluate(
                a.path("data"),
                a.path("model-dir"),
                a.string("model"),
                a.optional("from").orElse(null));
        printTable(metrics);
        String json = Json.toJson(metrics);
        if (a.given("json-out")) {
            Files.writeString(a.path("json-out"), json);
        }
        System.out.println("metrics: " + json);
    }

    public static Result evaluate(Path data, Path modelRoot, String version, String fromOverride) throws Exception {
        ModelManifest manifest = ModelContract.readAndCheckManifest(new ModelLocation(modelRoot, version));
        JsonNode manifestJson = Json.mapper()
                .readTree(modelRoot.resolve(version).resolve("manifest.json").toFile());
        JsonNode baselines = Json.mapper()
                .readTree(modelRoot.resolve(version).resolve("baselines.json").toFile());

        long from = Long.MIN_VALUE;
        String scope = "all requests in the file";
        String sha = Checksums.sha256(data);
        if (fromOverride != null) {
            from = Instant.parse(fromOverride).toEpochMilli();
            scope = "requests from " + fromOverride;
        } else {
            for (JsonNode f : manifestJson.path("training").path("data_files")) {
                if (sha.equals(f.path("sha256").asText())) {
                    String split =
                            manifestJson.path("training").path("split_time").asText();
                    from = Instant.parse(split).toEpochMilli();
                    scope = "requests from " + split + " (earlier ones were trained on)";
                }
            }
        }

        ScoredExamples scored = ScoredExamples.of(data, modelRoot, version, from);
        List<TrainingExampleExtractor.Example> examples = scored.examples();
        int n = scored.size();
        if (n == 0) {
            throw new IllegalArgumentException("no scorable requests in " + data + " for " + scope);
        }
        double[] label = new double[n];
        double[] model = new double[n];
        double[] popularity = new double[n];
        double[] logreg = new double[n];
        double[] sensitivity = scored.priceSensitivity();
        double[] baseLogit = scored.baseLogit();

        JsonNode pop = baselines.get("popularity");
        double globalRate = pop.get("global_rate").asDouble();
        JsonNode lr = baselines.get("logreg");
        float[] mean = scored.contextMean();
        float[] std = scored.contextStd();
        for (int i = 0; i < n; i++) {
            TrainingExampleExtractor.Example e = examples.get(i);
            label[i] = e.purchased() ? 1 : 0;
            model[i] = sigmoid(baseLogit[i] - sensitivity[i] * e.logPriceRatio());
            JsonNode rate = pop.get("item_rates").get(e.itemId());
            popularity[i] = rate == null ? globalRate : rate.asDouble();
            float[] ctx = e.features().contextRaw();
            double zl = lr.get("bias").asDouble();
            for (int k = 0; k < ctx.length; k++) {
                zl += lr.get("weights").get(k).asDouble() * (ctx[k] - mean[k]) / std[k];
            }
            logreg[i] = sigmoid(zl);
        }
        return new Result(
                version,
                data.getFileName().toString(),
                sha,
                scope,
                n,
                (long) Arrays.stream(label).sum(),
                round(Metrics.auc(label, model)),
                round(Metrics.logLoss(label, model)),
                round(Metrics.auc(label, popularity)),
                round(Metrics.logLoss(label, popularity)),
                round(Metrics.auc(label, logreg)),
                round(Metrics.logLoss(label, logreg)),
                round(Arrays.stream(model).average().orElse(0)),
                round(Arrays.stream(label).average().orElse(0)),
                round(Arrays.stream(sensitivity).average().orElse(0)),
                Metrics.calibration(label, model, 10),
                demandCurves(examples, baseLogit, sensitivity));
    }

    /**
     * The learned curves of the five most requested items: for each, the shoppers with the lowest,
     * median and highest predicted sensitivity among its requests.
     */
    private static List<CurvePoint> demandCurves(
            List<TrainingExampleExtractor.Example> examples, double[] baseLogit, double[] sensitivity) {
        Map<String, List<Integer>> byItem = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            byItem.computeIfAbsent(examples.get(i).itemId(), k -> new ArrayList<>())
                    .add(i);
        }
        List<CurvePoint> curves = new ArrayList<>();
        byItem.entrySet().stream()
                .sorted((x, y) ->
                        Integer.compare(y.getValue().size(), x.getValue().size()))
                .limit(5)
                .forEach(entry -> {
                    List<Integer> idx = new ArrayList<>(entry.getValue());
                    idx.sort((x, y) -> Double.compare(sensitivity[x], sensitivity[y]));
                    for (int pick : new int[] {idx.get(0), idx.get(idx.size() / 2), idx.get(idx.size() - 1)}) {
                        curves.add(new CurvePoint(
                                entry.getKey(),
                                idx.size(),
                                examples.get(pick).requestId(),
                                round(baseLogit[pick]),
                                round(sensitivity[pick])));
                    }
                });
        return curves;
    }

    private static void printTable(Result m) {
        System.out.printf(
                "model %s on %s (%s): %s requests, %s purchased%n",
                m.modelVersion(), m.data(), m.scope(), m.examples(), m.positives());
        System.out.printf("%-44s %8s %9s%n", "purchase prediction", "AUC", "log loss");
        System.out.printf("%-44s %8.4f %9.4f%n", "model " + m.modelVersion(), m.auc(), m.logloss());
        System.out.printf(
                "%-44s %8.4f %9.4f%n",
                "baseline: item popularity", m.baselinePopularityAuc(), m.baselinePopularityLogloss());
        System.out.printf(
                "%-44s %8.4f %9.4f%n",
                "baseline: logistic regression, no sequence", m.baselineLogregAuc(), m.baselineLogregLogloss());
        System.out.printf("calibration: mean predicted %.4f, observed %.4f%n", m.meanPredicted(), m.observedRate());
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
