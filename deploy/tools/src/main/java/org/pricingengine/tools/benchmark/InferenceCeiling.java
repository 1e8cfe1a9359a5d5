package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.config.PricingConfig.ModelDevice;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.SessionSettings;
import org.pricingengine.tools.cli.ToolArguments;

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

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "InferenceCeiling",
                    "The model alone in a tight loop on real feature vectors: sequences/s per batch size and threads.")
            .option("model", "v1", "the model version")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option("device", "cpu", "cpu, cuda or auto")
            .option("seconds", "2", "seconds per measured point")
            .option("threads", "1,2", "intra-op thread counts, comma-separated")
            .option("batches", "1,2,4,8,16,32,64,128,256,512", "batch sizes, comma-separated")
            .option(
                    "data",
                    "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv",
                    "the log the feature vectors come from")
            .option("cuda-device-id", "0", "the CUDA device");

    /** What to measure. */
    public record Settings(
            String model,
            Path modelDir,
            String device,
            double seconds,
            List<Integer> threads,
            List<Integer> batches,
            Path data,
            int cudaDeviceId) {
        static Settings of(ToolArguments a) {
            return new Settings(
                    a.string("model"),
                    a.path("model-dir"),
                    a.string("device"),
                    a.decimal("seconds"),
                    a.integers("threads"),
                    a.integers("batches"),
                    a.path("data"),
                    a.integer("cuda-device-id"));
        }
    }

    /**
     * One measured point; {@code core_ms_per_seq} is the process's CPU time over the point per sequence
     * (null in JSON written before it was measured).
     */
    @JsonPropertyOrder({"threads", "batch", "sequences_per_s", "ms_per_batch", "core_ms_per_seq"})
    public record Point(
            @JsonProperty("threads") int threads,
            @JsonProperty("batch") int batch,
            @JsonProperty("sequences_per_s") long sequencesPerS,
            @JsonProperty("ms_per_batch") double msPerBatch,

            @JsonProperty("core_ms_per_seq") @JsonInclude(JsonInclude.Include.NON_NULL)
            Double coreMsPerSeq) {
        public Point(int threads, int batch, long sequencesPerS, double msPerBatch) {
            this(threads, batch, sequencesPerS, msPerBatch, null);
        }
    }

    /** The {@code ceiling: {json}} line. */
    @JsonPropertyOrder({"model_version", "execution_provider", "seconds_per_point", "ceiling_per_s", "best", "points"})
    public record Result(
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("execution_provider") String executionProvider,
            @JsonProperty("seconds_per_point") double secondsPerPoint,
            @JsonProperty("ceiling_per_s") long ceilingPerS,
            @JsonProperty("best") Point best,
            @JsonProperty("points") List<Point> points) {

        /** The model's CPU per sequence with one intra-op thread at {@code batch}; null when not measured. */
        Double coreMsPerSeqAt(int batch) {
            return points.stream()
                    .filter(p -> p.threads() == 1 && p.batch() == batch && p.coreMsPerSeq() != null)
                    .map(Point::coreMsPerSeq)
                    .findFirst()
                    .orElse(null);
        }

        /** The model's least CPU per sequence over every measured point (its cheapest batch). */
        Double cheapestCoreMsPerSeq() {
            return points.stream()
                    .map(Point::coreMsPerSeq)
                    .filter(java.util.Objects::nonNull)
                    .min(Double::compare)
                    .orElse(null);
        }

        /**
         * The model's CPU per sequence with one intra-op thread (the job's default) at a mean batch size
         * the job ran, interpolated on log(batch) between the measured batch sizes; null when not measured.
         */
        Double coreMsPerSeqAtMeanBatch(double meanBatch) {
            List<Point> one = points.stream()
                    .filter(p -> p.threads() == 1 && p.coreMsPerSeq() != null)
                    .sorted(java.util.Comparator.comparingInt(Point::batch))
                    .toList();
            if (one.isEmpty() || !(meanBatch > 0)) {
                return null;
            }
            if (meanBatch <= one.get(0).batch()) {
                return one.get(0).coreMsPerSeq();
            }
            for (int i = 1; i < one.size(); i++) {
                Point lo = one.get(i - 1);
                Point hi = one.get(i);
                if (meanBatch <= hi.batch()) {
                    double w = Math.log(meanBatch / lo.batch()) / Math.log((double) hi.batch() / lo.batch());
                    return lo.coreMsPerSeq() + w * (hi.coreMsPerSeq() - lo.coreMsPerSeq());
                }
            }
            return one.get(one.size() - 1).coreMsPerSeq();
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println(
                Json.toJson(run(Settings.of(OPTIONS.parseOrExit(args)))).replaceFirst("^", "ceiling: "));
    }

    public static Result run(Settings a) throws Exception {
        List<FeatureVector> vectors = new ArrayList<>();
        for (TrainingExampleExtractor.Example e :
                new TrainingExampleExtractor(TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY).extract(a.data())) {
            vectors.add(e.features());
            if (vectors.size() == 4096) {
                break;
            }
        }
        double seconds = a.seconds();
        ModelDevice device = ModelDevice.valueOf(a.device().strip().toUpperCase(java.util.Locale.ROOT));
        List<Point> rows = new ArrayList<>();
        double best = 0;
        Point bestRow = null;
        String provider = null;
        System.out.printf("%8s %8s %14s %12s %14s%n", "threads", "batch", "sequences/s", "ms/batch", "core-ms/seq");
        for (int threads : a.threads()) {
            try (DemandModel model = DemandModel.load(
                    new ModelLocation(a.modelDir(), a.model()),
                    new SessionSettings(device, a.cudaDeviceId(), threads))) {
                provider = model.executionProvider();
                for (int batchSize : a.batches()) {
                    ScoringBatch batch = new ScoringBatch(batchSize);
                    int cursor = 0;
                    // Warm-up: the first runs of a shape plan memory.
                    for (int w = 0; w < 3; w++) {
                        cursor = fill(batch, vectors, cursor, model);
                        model.score(batch);
                    }
                    long scored = 0;
                    long calls = 0;
                    Duration cpuBefore = ProcessStats.ownCpu();
                    long start = System.nanoTime();
                    long end = start + (long) (seconds * 1e9);
                    while (System.nanoTime() < end) {
                        cursor = fill(batch, vectors, cursor, model);
                        model.score(batch);
                        scored += batchSize;
                        calls++;
                    }
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double coreMs = (ProcessStats.ownCpu().toNanos() - cpuBefore.toNanos()) / 1e6 / scored;
                    double perSecond = scored / elapsed;
                    Point row = new Point(
                            threads,
                            batchSize,
                            Math.round(perSecond),
                            Math.round(elapsed / calls * 1e3 * 1000) / 1000.0,
                            Math.round(coreMs * 10_000) / 10_000.0);
                    rows.add(row);
                    System.out.printf(
                            "%8d %8d %14.0f %12.3f %14.4f%n",
                            threads, batchSize, perSecond, elapsed / calls * 1e3, coreMs);
                    if (perSecond > best) {
                        best = perSecond;
                        bestRow = row;
                    }
                }
            }
        }
        return new Result(a.model(), provider, seconds, Math.round(best), bestRow, rows);
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
