package org.pricingengine.tools.benchmark;

import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.ScoringDevice;
import org.pricingengine.job.scoring.SessionSettings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scoring ceiling: the model alone in a tight loop in one JVM (no Flink, no Kafka), on real feature
 * vectors from the bundled log, for batch sizes 1 to 512 and 1 and 2 intra-op threads. What the job
 * end to end is compared against.
 *
 * <p>Usage: {@code InferenceCeiling [--model v1] [--model-dir DIR] [--device cpu|cuda|auto] [--seconds 2]
 * [--threads 1,2] [--batches 1,2,...,512] [--cuda-device-id 0]}. Last line: {@code ceiling: {json}}.
 */
public final class InferenceCeiling {
    private InferenceCeiling() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("model", "v1", "model-dir", "model-assets/models",
                "device", "cpu", "seconds", "2", "threads", "1,2", "batches", "1,2,4,8,16,32,64,128,256,512",
                "data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        System.out.println(Json.toJson(run(a)).replaceFirst("^", "ceiling: "));
    }

    public static Map<String, Object> run(Map<String, String> a) throws Exception {
        List<FeatureVector> vectors = new ArrayList<>();
        for (TrainingExampleExtractor.Example e : new TrainingExampleExtractor(TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY)
                .extract(Path.of(a.get("data")))) {
            vectors.add(e.features());
            if (vectors.size() == 4096) {
                break;
            }
        }
        double seconds = Double.parseDouble(a.get("seconds"));
        ScoringDevice device = ScoringDevice.parse(a.get("device"));
        List<Map<String, Object>> rows = new ArrayList<>();
        double best = 0;
        Map<String, Object> bestRow = null;
        String provider = null;
        System.out.printf("%8s %8s %14s %12s%n", "threads", "batch", "sequences/s", "ms/batch");
        for (String t : a.get("threads").split(",")) {
            int threads = Integer.parseInt(t.strip());
            try (DemandModel model = DemandModel.load(new ModelLocation(Path.of(a.get("model-dir")), a.get("model")),
                    new SessionSettings(device, Integer.parseInt(a.getOrDefault("cuda-device-id", "0")), threads))) {
                provider = model.executionProvider();
                for (String b : a.get("batches").split(",")) {
                    int batchSize = Integer.parseInt(b.strip());
                    ScoringBatch batch = new ScoringBatch(batchSize);
                    int cursor = 0;
                    // Warm-up: the first runs of a shape plan memory.
                    for (int w = 0; w < 3; w++) {
                        cursor = fill(batch, vectors, cursor, model);
                        model.score(batch);
                    }
                    long scored = 0;
                    long calls = 0;
                    long start = System.nanoTime();
                    long end = start + (long) (seconds * 1e9);
                    while (System.nanoTime() < end) {
                        cursor = fill(batch, vectors, cursor, model);
                        model.score(batch);
                        scored += batchSize;
                        calls++;
                    }
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double perSecond = scored / elapsed;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("threads", threads);
                    row.put("batch", batchSize);
                    row.put("sequences_per_s", Math.round(perSecond));
                    row.put("ms_per_batch", Math.round(elapsed / calls * 1e3 * 1000) / 1000.0);
                    rows.add(row);
                    System.out.printf("%8d %8d %14.0f %12.3f%n", threads, batchSize, perSecond, elapsed / calls * 1e3);
                    if (perSecond > best) {
                        best = perSecond;
                        bestRow = row;
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_version", a.get("model"));
        out.put("execution_provider", provider);
        out.put("seconds_per_point", seconds);
        out.put("ceiling_per_s", Math.round(best));
        out.put("best", bestRow);
        out.put("points", rows);
        return out;
    }

    /** Fills the batch with the next real vectors (filling includes normalisation, as in the job). */
    private static int fill(ScoringBatch batch, List<FeatureVector> vectors, int cursor, DemandModel model) {
        batch.clear();
        for (int i = 0; i < batch.capacity(); i++) {
            batch.add(vectors.get(cursor), model.contextMean(), model.contextStd());
            cursor = (cursor + 1) % vectors.size();
        }
        return cursor;
    }
}
