package org.pricingengine.tools.evaluation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.SessionSettings;

/**
 * The price requests of a REES46 log from a given time on, with the demand curves a model version
 * gives them, computed exactly as the job does (its feature code, normalisation and ONNX Runtime).
 */
public record ScoredExamples(
        List<TrainingExampleExtractor.Example> examples,
        double[] baseLogit,
        double[] priceSensitivity,
        float[] contextMean,
        float[] contextStd) {

    public static ScoredExamples of(Path data, Path modelRoot, String version, long fromMs) throws Exception {
        List<TrainingExampleExtractor.Example> examples = new ArrayList<>();
        for (TrainingExampleExtractor.Example e :
                new TrainingExampleExtractor(TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY).extract(data)) {
            if (e.requestTimeMs() >= fromMs) {
                examples.add(e);
            }
        }
        int n = examples.size();
        double[] base = new double[n];
        double[] sensitivity = new double[n];
        try (DemandModel model =
                DemandModel.load(new ModelLocation(modelRoot, version), SessionSettings.singleThreadCpu())) {
            scoreInBatches(model, examples, 256, base, sensitivity);
            return new ScoredExamples(examples, base, sensitivity, model.contextMean(), model.contextStd());
        }
    }

    /** Scores the examples in batches of {@code batchSize}, as the job does, into the two arrays. */
    public static void scoreInBatches(
            DemandModel model,
            List<TrainingExampleExtractor.Example> examples,
            int batchSize,
            double[] baseLogit,
            double[] priceSensitivity)
            throws Exception {
        int n = examples.size();
        ScoringBatch batch = new ScoringBatch(batchSize);
        for (int start = 0; start < n; start += batch.capacity()) {
            int end = Math.min(n, start + batch.capacity());
            batch.clear();
            for (int i = start; i < end; i++) {
                batch.add(examples.get(i).features(), model.contextMean(), model.contextStd());
            }
            model.score(batch);
            for (int i = start; i < end; i++) {
                baseLogit[i] = batch.baseLogit(i - start);
                priceSensitivity[i] = batch.priceSensitivity(i - start);
            }
        }
    }

    public int size() {
        return examples.size();
    }
}
