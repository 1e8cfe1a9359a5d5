package org.pricingengine.tools.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pricingengine.features.offline.TrainingExampleExtractor;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceBounds;
import org.pricingengine.job.policy.PricingPolicy;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelContract;
import org.pricingengine.job.scoring.ModelContractException;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.SessionSettings;
import org.pricingengine.tools.evaluation.ScoredExamples;

/**
 * Checks a candidate model version before a rollout touches the running job: its manifest and checksum,
 * its input/output contract against this build's feature code, a sanity run over a probe set of real
 * price requests (no NaN, every price inside the guardrails, outputs not wildly off the current model's)
 * and, where the job has logged exploration, an off-policy estimate of its margin against the current
 * policy's ({@link OffPolicyGate}). It scores exactly as the job does (same feature code, normalisation,
 * ONNX Runtime, pricing policy).
 */
public final class CandidateValidator {

    /** Limits of the comparison with the current model; defaults are documented in the README. */
    public record Limits(int probeSize, double maxConversionRatio, double maxMeanPriceShift) {
        public static Limits defaults() {
            return new Limits(1000, 3.0, 0.15);
        }
    }

    /** The verdict: passed only when {@code problems} is empty; {@code figures} are for the record. */
    public record Report(String candidate, String current, boolean passed, List<String> problems, Figures figures) {}

    /** One model's outputs over the probe set. */
    @JsonPropertyOrder({
        "unusable",
        "outside_guardrails",
        "mean_conversion_at_list",
        "median_price_sensitivity",
        "mean_discount"
    })
    public record ProbeSummary(
            @JsonProperty("unusable") int unusable,
            @JsonProperty("outside_guardrails") int outsideGuardrails,
            @JsonProperty("mean_conversion_at_list") double meanConversionAtList,
            @JsonProperty("median_price_sensitivity") double medianPriceSensitivity,
            @JsonProperty("mean_discount") double meanDiscount) {}

    /**
     * What validation measured, as far as it got: a check that fails early leaves the later figures out.
     * The comparison with the current model only when there is one and it still loads here
     * ({@code current_error} otherwise); the off-policy gate's figures once the probe checks passed.
     */
    @JsonPropertyOrder({
        "probe_requests",
        "candidate",
        "current",
        "conversion_ratio",
        "mean_price_shift",
        "current_error",
        "off_policy"
    })
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Figures(
            @JsonProperty("probe_requests") Integer probeRequests,
            @JsonProperty("candidate") ProbeSummary candidate,
            @JsonProperty("current") ProbeSummary current,
            @JsonProperty("conversion_ratio") Double conversionRatio,
            @JsonProperty("mean_price_shift") Double meanPriceShift,
            @JsonProperty("current_error") String currentError,
            @JsonProperty("off_policy") OffPolicyGate.Figures offPolicy) {
        static final Figures NONE = new Figures(null, null, null, null, null, null, null);

        Figures withProbe(int requests, ProbeSummary candidateScores) {
            return new Figures(
                    requests, candidateScores, current, conversionRatio, meanPriceShift, currentError, offPolicy);
        }

        Figures withComparison(ProbeSummary currentScores, double conversion, double priceShift) {
            return new Figures(
                    probeRequests, candidate, currentScores, conversion, priceShift, currentError, offPolicy);
        }

        Figures withCurrentError(String error) {
            return new Figures(probeRequests, candidate, current, conversionRatio, meanPriceShift, error, offPolicy);
        }

        Figures withOffPolicy(OffPolicyGate.Figures gate) {
            return new Figures(probeRequests, candidate, current, conversionRatio, meanPriceShift, currentError, gate);
        }
    }

    private final Path modelRoot;
    private final Path probeData;
    private final PricingPolicy policy;
    private final Limits limits;
    private final OffPolicyGate gate;

    /** Without logged feedback: the off-policy gate is skipped. */
    public CandidateValidator(Path modelRoot, Path probeData, PolicySettings policy, Limits limits) {
        this(modelRoot, probeData, policy, limits, OffPolicyGate.none());
    }

    public CandidateValidator(
            Path modelRoot, Path probeData, PolicySettings policy, Limits limits, OffPolicyGate gate) {
        this.modelRoot = modelRoot;
        this.probeData = probeData;
        this.policy = new PricingPolicy(policy);
        this.limits = limits;
        this.gate = gate;
    }

    /** {@code current} null: a first deployment, nothing to compare with. */
    /**
     * The feature fingerprint a model version was trained for, from its manifest; null when it has no
     * readable manifest (validation then says why). A version with the running job's fingerprint can be
     * hot swapped: it reads the features the job already computes.
     */
    public String featureFingerprint(String version) {
        try {
            return org.pricingengine.features.events.Json.mapper()
                    .readTree(
                            new ModelLocation(modelRoot, version).manifestFile().toFile())
                    .path("feature_fingerprint")
                    .asText(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public Report validate(String candidate, String current) {
        List<String> problems = new ArrayList<>();
        try {
            ModelContract.readAndCheckManifest(new ModelLocation(modelRoot, candidate));
        } catch (ModelContractException e) {
            problems.add(e.getMessage());
            return new Report(candidate, current, false, problems, Figures.NONE);
        }
        List<TrainingExampleExtractor.Example> probe;
        try {
            probe = probeSet();
        } catch (Exception e) {
            problems.add("cannot build the probe set from " + probeData + ": " + e);
            return new Report(candidate, current, false, problems, Figures.NONE);
        }
        ProbeScores cand;
        try {
            cand = score(candidate, probe);
        } catch (Exception e) {
            problems.add("candidate " + candidate + " fails on the probe requests: " + e.getMessage());
            return new Report(
                    candidate, current, false, problems, new Figures(probe.size(), null, null, null, null, null, null));
        }
        Figures figures = Figures.NONE.withProbe(probe.size(), cand.summary());
        if (cand.unusable > 0) {
            problems.add(cand.unusable + " of " + probe.size() + " probe requests got an unusable demand curve "
                    + "(NaN, infinite or negative price sensitivity)");
        }
        if (cand.outsideGuardrails > 0) {
            problems.add(cand.outsideGuardrails + " of " + probe.size() + " probe prices fall outside the guardrails");
        }
        List<String> priceShift = new ArrayList<>();
        if (current != null && !current.equals(candidate)) {
            try {
                ProbeScores cur = score(current, probe);
                figures = compare(cand, cur, problems, priceShift, figures);
            } catch (Exception e) {
                // The current model is running in the job; if it no longer loads here, say so but do not
                // block a rollout that may be the fix.
                figures = figures.withCurrentError(e.getMessage());
            }
        }
        if (problems.isEmpty() && !candidate.equals(current)) {
            try {
                OffPolicyGate.Figures offPolicy = gate.check(candidate, problems);
                figures = figures.withOffPolicy(offPolicy);
                if (offPolicy.skipped()) {
                    // Without logged exploration nothing says whether new prices pay: a large move is refused.
                    // With it, the off-policy estimate decides, so a model that learned the price
                    // response is not held back for moving prices.
                    problems.addAll(priceShift);
                }
            } catch (RuntimeException e) {
                problems.add("off-policy check of " + candidate + " failed: " + e.getMessage());
            }
        } else {
            problems.addAll(priceShift);
        }
        return new Report(candidate, current, problems.isEmpty(), problems, figures);
    }

    private Figures compare(
            ProbeScores cand, ProbeScores cur, List<String> problems, List<String> priceShift, Figures figures) {
        double conversionRatio = cand.meanConversionAtList / cur.meanConversionAtList;
        double shift = 0;
        for (int i = 0; i < cand.prices.length; i++) {
            shift += Math.abs(cand.prices[i] - cur.prices[i]) / cand.listPrices[i];
        }
        shift /= Math.max(1, cand.prices.length);
        if (!withinRatio(conversionRatio, limits.maxConversionRatio())) {
            problems.add(String.format(
                    "mean predicted conversion at list price is %.4f against the current model's "
                            + "%.4f (ratio %.2f, allowed 1/%.1f to %.1f)",
                    cand.meanConversionAtList,
                    cur.meanConversionAtList,
                    conversionRatio,
                    limits.maxConversionRatio(),
                    limits.maxConversionRatio()));
        }
        if (!(shift <= limits.maxMeanPriceShift() + 1e-9)) {
            priceShift.add(String.format(
                    "prices move by %.1f%% of list price on average against the current model's " + "(allowed %.1f%%)",
                    100 * shift, 100 * limits.maxMeanPriceShift()));
        }
        return figures.withComparison(cur.summary(), round(conversionRatio), round(shift));
    }

    private static boolean withinRatio(double ratio, double max) {
        return ratio >= 1 / max && ratio <= max;
    }

    /** The latest price requests of the probe log: the period a model was not trained on. */
    private List<TrainingExampleExtractor.Example> probeSet() throws Exception {
        List<TrainingExampleExtractor.Example> all =
                new TrainingExampleExtractor(TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY).extract(probeData);
        List<TrainingExampleExtractor.Example> withPrice = new ArrayList<>();
        for (TrainingExampleExtractor.Example e : all) {
            if (e.item() != null && e.item().listPrice() > 0) {
                withPrice.add(e);
            }
        }
        if (withPrice.isEmpty()) {
            throw new IllegalStateException("no price requests with a list price in " + probeData);
        }
        return withPrice.subList(Math.max(0, withPrice.size() - limits.probeSize()), withPrice.size());
    }

    private ProbeScores score(String version, List<TrainingExampleExtractor.Example> probe) throws Exception {
        int n = probe.size();
        ProbeScores s = new ProbeScores(n);
        // Batches as the job forms them under load, so a batch-shape bug in an export shows here.
        double[] base = new double[n];
        double[] sensitivity = new double[n];
        try (DemandModel model =
                DemandModel.load(new ModelLocation(modelRoot, version), SessionSettings.singleThreadCpu())) {
            ScoredExamples.scoreInBatches(model, probe, 64, base, sensitivity);
        }
        for (int i = 0; i < n; i++) {
            s.add(i, probe.get(i), new DemandEstimate(base[i], sensitivity[i]));
        }
        s.finish();
        return s;
    }

    private final class ProbeScores {
        final double[] prices;
        final double[] listPrices;
        final double[] sensitivities;
        double conversionSum;
        int usable;
        int unusable;
        int outsideGuardrails;
        double meanConversionAtList;
        double medianSensitivity;

        ProbeScores(int n) {
            prices = new double[n];
            listPrices = new double[n];
            sensitivities = new double[n];
        }

        void add(int i, TrainingExampleExtractor.Example e, DemandEstimate estimate) {
            listPrices[i] = e.item().listPrice();
            if (!estimate.isUsable()) {
                unusable++;
                prices[i] = listPrices[i];
                sensitivities[i] = Double.NaN;
                return;
            }
            usable++;
            conversionSum += estimate.conversionAt(listPrices[i], listPrices[i]);
            sensitivities[i] = estimate.priceSensitivity();
            double price = policy.decide(e.item(), estimate, null, null).price();
            PriceBounds bounds = policy.bounds(e.item(), null);
            prices[i] = price;
            if (!Double.isFinite(price) || !bounds.contains(price)) {
                outsideGuardrails++;
            }
        }

        void finish() {
            meanConversionAtList = usable == 0 ? Double.NaN : conversionSum / usable;
            double[] finite = Arrays.stream(sensitivities)
                    .filter(Double::isFinite)
                    .sorted()
                    .toArray();
            medianSensitivity = finite.length == 0 ? Double.NaN : finite[finite.length / 2];
        }

        ProbeSummary summary() {
            double discount = 0;
            for (int i = 0; i < prices.length; i++) {
                discount += 1 - prices[i] / listPrices[i];
            }
            return new ProbeSummary(
                    unusable,
                    outsideGuardrails,
                    round(meanConversionAtList),
                    round(medianSensitivity),
                    round(discount / Math.max(1, prices.length)));
        }
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10_000) / 10_000.0 : v;
    }
}
