package org.pricingengine.tools.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.tools.evaluation.LoggedFeedback;
import org.pricingengine.tools.evaluation.OffPolicyEvaluation;
import org.pricingengine.tools.evaluation.TargetPolicy;
import org.pricingengine.tools.testutils.SyntheticFeedback;

class OffPolicyGateTest {
    private static final SyntheticFeedback LOG =
            SyntheticFeedback.generate(11, 2000, 4, SyntheticFeedback.World.standard());

    /** The running policy believes shoppers three times as price-sensitive as they are: it discounts too much. */
    private static final SyntheticFeedback DISCOUNTING =
            SyntheticFeedback.generate(12, 4000, 4, new SyntheticFeedback.World(0.4, 3.0, 0.5, 0.1));

    private static OffPolicyGate gate(List<FeedbackOutcome> outcomes, double tolerance) {
        OffPolicyGate.Source source = new OffPolicyGate.Source() {
            @Override
            public LoggedFeedback read() {
                return LoggedFeedback.of(outcomes);
            }

            @Override
            public String describe() {
                return "synthetic.jsonl";
            }
        };
        return OffPolicyGate.of(
                source,
                Path.of("unused"),
                new OffPolicyGate.Settings(tolerance, OffPolicyEvaluation.Settings.defaults()));
    }

    private static Function<String, TargetPolicy> models(TargetPolicy candidate) {
        return version -> candidate;
    }

    @Test
    void aCandidateBetterThanTheRunningPolicyPasses() {
        assertTrue(
                DISCOUNTING.trueValue(DISCOUNTING.oracle(), 0) > 1.05 * DISCOUNTING.trueValue(TargetPolicy.greedy(), 0),
                DISCOUNTING.trueValue(DISCOUNTING.oracle(), 0) + " vs "
                        + DISCOUNTING.trueValue(TargetPolicy.greedy(), 0));
        List<String> problems = new ArrayList<>();
        OffPolicyGate.Figures f =
                gate(DISCOUNTING.outcomes(), 0.05).check(models(DISCOUNTING.oracle()), "v2", problems);
        assertEquals(List.of(), problems);
        assertFalse(f.skipped());
        assertEquals("oracle", f.candidatePolicy());
        assertEquals("greedy", f.currentPolicy());
        assertTrue(f.candidateDr() > f.currentDr(), f.toString());
        assertTrue(f.candidateDrCiLow() >= 0.95 * f.currentDr(), f.toString());
        assertTrue(f.candidateDrCiLow() < f.candidateDr() && f.candidateDr() < f.candidateDrCiHigh());
        assertEquals(
                DISCOUNTING.outcomes().stream()
                        .filter(o -> o.experiment().randomized())
                        .count(),
                f.randomized());
        assertEquals(f.randomized(), f.requests());
        assertEquals(0.05, f.tolerance());
        assertEquals(0.9, f.confidence());
        assertTrue(f.candidateEss() > 0);
    }

    @Test
    void aCandidateWorseThanTheRunningPolicyIsRefusedWithTheNumbers() {
        TargetPolicy worse = SyntheticFeedback.deepestDiscount();
        assertTrue(LOG.trueValue(worse, 0) < LOG.trueValue(TargetPolicy.greedy(), 0), "the world makes it worse");
        List<String> problems = new ArrayList<>();
        OffPolicyGate.Figures f = gate(LOG.outcomes(), 0.05).check(models(worse), "v2", problems);
        assertEquals(1, problems.size(), problems.toString());
        String problem = problems.get(0);
        assertTrue(problem.contains(String.format("%.4f", f.candidateDr())), problem);
        assertTrue(problem.contains(String.format("%.4f", f.candidateDrCiLow())), problem);
        assertTrue(problem.contains(String.format("%.4f", f.currentDr())), problem);
        assertTrue(problem.contains("90% interval"), problem);
        assertTrue(f.candidateDrCiLow() < f.currentDr() * 0.95);
    }

    @Test
    void theToleranceDecidesForACandidateAsGoodAsTheRunningPolicy() {
        // The running policy itself as the candidate: its lower bound sits below its own estimate.
        List<String> strict = new ArrayList<>();
        gate(LOG.outcomes(), 0.0).check(models(TargetPolicy.greedy()), "v1b", strict);
        assertEquals(1, strict.size(), "no tolerance: not shown to be at least as good");
        List<String> lenient = new ArrayList<>();
        gate(LOG.outcomes(), 0.5).check(models(TargetPolicy.greedy()), "v1b", lenient);
        assertEquals(List.of(), lenient);
    }

    @Test
    void withoutLoggedExplorationTheGateIsSkippedAndSaysWhy() {
        List<String> problems = new ArrayList<>();
        OffPolicyGate.Figures none = OffPolicyGate.none().check("v2", problems);
        assertTrue(none.skipped());
        assertTrue(none.reason().contains("--feedback-log"), none.reason());

        List<FeedbackOutcome> holdoutOnly = LOG.outcomes().stream()
                .filter(o -> !o.experiment().randomized())
                .toList();
        OffPolicyGate.Figures noExploration = gate(holdoutOnly, 0.05).check(models(LOG.oracle()), "v2", problems);
        assertTrue(noExploration.skipped());
        assertEquals(0L, noExploration.randomized());
        assertTrue(noExploration.reason().contains("no randomized outcome"), noExploration.reason());

        OffPolicyGate.Figures noFeatures = gate(LOG.outcomes(), 0.05).check(models(unpriceable()), "v2", problems);
        assertTrue(noFeatures.skipped());
        assertTrue(noFeatures.reason().contains("no logged model input"), noFeatures.reason());
        assertNull(noFeatures.candidateDr());
        assertEquals(List.of(), problems);
    }

    @Test
    void anUnreadableLogRefuses() {
        OffPolicyGate broken = OffPolicyGate.of(
                new OffPolicyGate.Source() {
                    @Override
                    public LoggedFeedback read() throws Exception {
                        throw new java.io.IOException("no such file");
                    }

                    @Override
                    public String describe() {
                        return "missing.jsonl";
                    }
                },
                Path.of("unused"),
                OffPolicyGate.Settings.defaults());
        List<String> problems = new ArrayList<>();
        OffPolicyGate.Figures f = broken.check(models(LOG.oracle()), "v2", problems);
        assertTrue(f.skipped());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("missing.jsonl: no such file"), problems.get(0));
    }

    /** A model target without any logged model input to score. */
    private static TargetPolicy unpriceable() {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "model:v2";
            }

            @Override
            public double[] probabilities(FeedbackOutcome o) {
                return null;
            }

            @Override
            public double conversionAt(FeedbackOutcome o, double price) {
                return Double.NaN;
            }
        };
    }
}
