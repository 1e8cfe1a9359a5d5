package org.pricingengine.tools.evaluation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ScoringBatch;
import org.pricingengine.job.scoring.SessionSettings;

/**
 * A model version as a target policy: its curve {@code sigmoid(a - b ln(p / L))} for each logged decision,
 * scored from the decision's logged model input exactly as the job scores (the model's own context
 * normalisation, batches, ONNX Runtime), with no posterior correction (a model that goes live starts
 * without one), and the candidate of highest expected margin under it. The same curve is the direct
 * model of the doubly robust estimate. Decisions without a logged model input of the model's feature
 * spec, or with an unusable curve (the job would fall back to list price), are not priced by it.
 */
public final class ModelTarget implements TargetPolicy {
    private final String name;
    private final Map<String, DemandEstimate> curves;

    /** {@code curves}: the model's curve by decision id. */
    public ModelTarget(String version, Map<String, DemandEstimate> curves) {
        this.name = "model:" + version;
        this.curves = Map.copyOf(curves);
    }

    /** Scores the logged model inputs of the randomized outcomes with the model {@code version}. */
    public static ModelTarget score(
            Path modelRoot,
            String version,
            Collection<FeedbackOutcome> outcomes,
            Map<String, DecisionFeatures> features) {
        try (DemandModel model =
                DemandModel.load(new ModelLocation(modelRoot, version), SessionSettings.singleThreadCpu())) {
            String spec = model.manifest().featureSpecVersion();
            List<DecisionFeatures> inputs = new ArrayList<>();
            for (FeedbackOutcome o : outcomes) {
                PriceExperiment e = o.experiment();
                DecisionFeatures f = features.get(o.decisionId());
                if (e != null && e.randomized() && f != null && spec.equals(f.featureSpec())) {
                    inputs.add(f);
                }
            }
            Map<String, DemandEstimate> curves = new HashMap<>();
            ScoringBatch batch = new ScoringBatch(64);
            for (int start = 0; start < inputs.size(); start += batch.capacity()) {
                int end = Math.min(inputs.size(), start + batch.capacity());
                batch.clear();
                for (int i = start; i < end; i++) {
                    batch.add(inputs.get(i).vector(), model.contextMean(), model.contextStd());
                }
                model.score(batch);
                for (int i = start; i < end; i++) {
                    DemandEstimate estimate =
                            new DemandEstimate(batch.baseLogit(i - start), batch.priceSensitivity(i - start));
                    if (estimate.isUsable()) {
                        curves.put(inputs.get(i).decisionId(), estimate);
                    }
                }
            }
            return new ModelTarget(version, curves);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("model " + version + " fails on the logged model inputs: " + e, e);
        }
    }

    /** How many decisions this model has a curve for. */
    public int scored() {
        return curves.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] probabilities(FeedbackOutcome o) {
        DemandEstimate curve = curves.get(o.decisionId());
        if (curve == null) {
            return null;
        }
        double[] candidates = o.experiment().candidates();
        return Candidates.oneHot(
                candidates.length,
                Candidates.greedyIndex(candidates, o.unitCost(), p -> curve.conversionAt(p, o.listPrice())));
    }

    @Override
    public double conversionAt(FeedbackOutcome o, double price) {
        DemandEstimate curve = curves.get(o.decisionId());
        return curve == null ? Double.NaN : curve.conversionAt(price, o.listPrice());
    }
}
