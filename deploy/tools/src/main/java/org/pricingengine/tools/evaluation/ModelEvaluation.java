package org.pricingengine.tools.evaluation;

import com.fasterxml.jackson.databind.JsonNode;

import org.pricingengine.features.Checksums;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ModelManifest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("model-dir", "model-assets/models"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!a.containsKey("data") || !a.containsKey("model")) {
            System.err.println("usage: --data FILE --model VERSION [--model-dir DIR] [--from ISO-TIME] [--json-out FILE]");
            System.exit(2);
        }
        Map<String, Object> metrics = evaluate(Path.of(a.get("data")), Path.of(a.get("model-dir")), a.get("model"),
                a.get("from"));
        printTable(metrics);
        String json = Json.toJson(metrics);
        if (a.containsKey("json-out")) {
            Files.writeString(Path.of(a.get("json-out")), json);
        }
        System.out.println("metrics: " + json);
    }

    public static Map<String, Object> evaluate(Path data, Path modelRoot, String version, String fromOverride) throws Exception {
        ModelManifest manifest = ModelContract.readAndCheckManifest(new ModelLocation(modelRoot, version));
        JsonNode manifestJson = Json.mapper().readTree(modelRoot.resolve(version).resolve("manifest.json").toFile());
        JsonNode baselines = Json.mapper().readTree(modelRoot.resolve(version).resolve("baselines.json").toFile());

        long from = Long.MIN_VALUE;
        String scope = "all requests in the file";
        String sha = Checksums.sha256(data);
        if (fromOverride != null) {
            from = Instant.parse(fromOverride).toEpochMilli();
            scope = "requests from " + fromOverride;
        } else {
            for (JsonNode f : manifestJson.path("training").path("data_files")) {
                if (sha.equals(f.path("sha256").asText())) {
                    String split = manifestJson.path("training").path("split_time").asText();
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_version", version);
        m.put("data", data.getFileName().toString());
        m.put("data_sha256", sha);
        m.put("scope", scope);
        m.put("examples", n);
        m.put("positives", (long) Arrays.stream(label).sum());
        m.put("auc", round(Metrics.auc(label, model)));
        m.put("logloss", round(Metrics.logLoss(label, model)));
        m.put("baseline_popularity_auc", round(Metrics.auc(label, popularity)));
        m.put("baseline_popularity_logloss", round(Metrics.logLoss(label, popularity)));
        m.put("baseline_logreg_auc", round(Metrics.auc(label, logreg)));
        m.put("baseline_logreg_logloss", round(Metrics.logLoss(label, logreg)));
        m.put("mean_predicted", round(Arrays.stream(model).average().orElse(0)));
        m.put("observed_rate", round(Arrays.stream(label).average().orElse(0)));
        m.put("mean_price_sensitivity", round(Arrays.stream(sensitivity).average().orElse(0)));
        m.put("calibration", Metrics.calibration(label, model, 10));
        m.put("demand_curves", demandCurves(examples, baseLogit, sensitivity));
        return m;
    }

    /**
     * The learned curves of the five most requested items: for each, the shoppers with the lowest,
     * median and highest predicted sensitivity among its requests.
     */
    private static List<Map<String, Object>> demandCurves(List<TrainingExampleExtractor.Example> examples,
                                                          double[] baseLogit, double[] sensitivity) {
        Map<String, List<Integer>> byItem = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            byItem.computeIfAbsent(examples.get(i).itemId(), k -> new ArrayList<>()).add(i);
        }
        List<Map<String, Object>> curves = new ArrayList<>();
        byItem.entrySet().stream()
                .sorted((x, y) -> Integer.compare(y.getValue().size(), x.getValue().size()))
                .limit(5)
                .forEach(entry -> {
                    List<Integer> idx = new ArrayList<>(entry.getValue());
                    idx.sort((x, y) -> Double.compare(sensitivity[x], sensitivity[y]));
                    for (int pick : new int[] {idx.get(0), idx.get(idx.size() / 2), idx.get(idx.size() - 1)}) {
                        Map<String, Object> c = new LinkedHashMap<>();
                        c.put("item_id", entry.getKey());
                        c.put("requests_for_item", idx.size());
                        c.put("request_id", examples.get(pick).requestId());
                        c.put("base_logit", round(baseLogit[pick]));
                        c.put("price_sensitivity", round(sensitivity[pick]));
                        curves.add(c);
                    }
                });
        return curves;
    }

    private static void printTable(Map<String, Object> m) {
        System.out.printf("model %s on %s (%s): %s requests, %s purchased%n", m.get("model_version"), m.get("data"),
                m.get("scope"), m.get("examples"), m.get("positives"));
        System.out.printf("%-44s %8s %9s%n", "purchase prediction", "AUC", "log loss");
        System.out.printf("%-44s %8.4f %9.4f%n", "model " + m.get("model_version"), m.get("auc"), m.get("logloss"));
        System.out.printf("%-44s %8.4f %9.4f%n", "baseline: item popularity", m.get("baseline_popularity_auc"),
                m.get("baseline_popularity_logloss"));
        System.out.printf("%-44s %8.4f %9.4f%n", "baseline: logistic regression, no sequence", m.get("baseline_logreg_auc"),
                m.get("baseline_logreg_logloss"));
        System.out.printf("calibration: mean predicted %.4f, observed %.4f%n", m.get("mean_predicted"), m.get("observed_rate"));
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
