package org.pricingengine.tools.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.tools.testutils.SyntheticFeedback;

class OffPolicyEvaluationTest {

    /** No clipping: the estimators' unbiasedness is what is under test. */
    private static final OffPolicyEvaluation.Settings UNCLIPPED = new OffPolicyEvaluation.Settings(1e9, 200, 0.90, 3);

    private static final int REPLICATIONS = 40;

    private record Replication(OffPolicyEvaluation.Result result, double[] truth) {}

    /** Replications by target spec, shared by the tests (the same logs for each target). */
    private static final java.util.Map<String, List<Replication>> REPLICATED = new java.util.HashMap<>();

    private static synchronized List<Replication> replicate(String spec) {
        return REPLICATED.computeIfAbsent(spec, s -> replicate(log -> TargetPolicy.parse(s, v -> null)));
    }

    private static List<Replication> replicate(java.util.function.Function<SyntheticFeedback, TargetPolicy> target) {
        List<Replication> out = new ArrayList<>();
        for (int r = 0; r < REPLICATIONS; r++) {
            SyntheticFeedback log = SyntheticFeedback.generate(1000 + r, 500, 4, SyntheticFeedback.World.standard());
            TargetPolicy t = target.apply(log);
            out.add(new Replication(
                    OffPolicyEvaluation.evaluate(log.outcomes(), t, UNCLIPPED),
                    new double[] {log.trueValue(t, 0), log.trueValue(t, 1), log.trueValue(t, 2)}));
        }
        return out;
    }

    private static void assertUnbiased(
            String what,
            List<Replication> reps,
            java.util.function.ToDoubleFunction<OffPolicyEvaluation.Result> estimate,
            int reward) {
        double[] error = reps.stream()
                .mapToDouble(r -> estimate.applyAsDouble(r.result()) - r.truth()[reward])
                .toArray();
        double mean = java.util.Arrays.stream(error).average().orElseThrow();
        double sd = Math.sqrt(
                java.util.Arrays.stream(error).map(e -> (e - mean) * (e - mean)).sum() / (error.length - 1));
        double truth =
                reps.stream().mapToDouble(r -> r.truth()[reward]).average().orElseThrow();
        double se = sd / Math.sqrt(error.length);
        assertTrue(
                Math.abs(mean) < 3.5 * se && Math.abs(mean) < 0.05 * truth,
                what + ": mean error " + mean + " (se " + se + ") against a true value of " + truth);
    }

    @Test
    void estimatorsAreUnbiasedInAKnownWorldWhereTheDirectModelIsWrong() {
        for (String spec : new String[] {"list", "uniform:0.1", "greedy"}) {
            List<Replication> reps = replicate(spec);
            assertUnbiased(spec + " ips", reps, r -> r.margin().ips(), 0);
            assertUnbiased(spec + " snips", reps, r -> r.margin().snips(), 0);
            assertUnbiased(spec + " dr", reps, r -> r.margin().dr(), 0);
            assertUnbiased(spec + " revenue dr", reps, r -> r.revenue().dr(), 1);
            assertUnbiased(spec + " conversion dr", reps, r -> r.conversion().dr(), 2);
            assertUnbiased(spec + " conversion ips", reps, r -> r.conversion().ips(), 2);
            // The logged curve is wrong on purpose: the direct model alone is off, which DR corrects.
            double dmError = reps.stream()
                    .mapToDouble(r -> r.result().margin().dm() - r.truth()[0])
                    .average()
                    .orElseThrow();
            double truth =
                    reps.stream().mapToDouble(r -> r.truth()[0]).average().orElseThrow();
            assertTrue(Math.abs(dmError) > 0.05 * truth, spec + ": direct model error " + dmError + " of " + truth);
        }
    }

    @Test
    void bootstrapIntervalsByShopperCoverTheTruth() {
        for (String spec : new String[] {"list", "greedy"}) {
            List<Replication> reps = replicate(spec);
            int dr = 0;
            int ips = 0;
            int snips = 0;
            for (Replication r : reps) {
                double t = r.truth()[0];
                OffPolicyEvaluation.Result e = r.result();
                dr += e.drInterval().low() <= t && t <= e.drInterval().high() ? 1 : 0;
                ips += e.ipsInterval().low() <= t && t <= e.ipsInterval().high() ? 1 : 0;
                snips += e.snipsInterval().low() <= t && t <= e.snipsInterval().high() ? 1 : 0;
            }
            // Nominal 90% of 40: 36; 31 is more than two binomial standard deviations below.
            assertTrue(dr >= 31, spec + ": dr interval covered the truth in " + dr + " of " + REPLICATIONS);
            assertTrue(ips >= 31, spec + ": ips interval covered the truth in " + ips + " of " + REPLICATIONS);
            assertTrue(snips >= 31, spec + ": snips interval covered the truth in " + snips + " of " + REPLICATIONS);
        }
    }

    @Test
    void theOracleBeatsTheLoggedPolicyAndTheEstimateSaysSo() {
        SyntheticFeedback log = SyntheticFeedback.generate(7, 2000, 4, SyntheticFeedback.World.standard());
        OffPolicyEvaluation.Result oracle =
                OffPolicyEvaluation.evaluate(log.outcomes(), log.oracle(), OffPolicyEvaluation.Settings.defaults());
        OffPolicyEvaluation.Result greedy = OffPolicyEvaluation.evaluate(
                log.outcomes(), TargetPolicy.greedy(), OffPolicyEvaluation.Settings.defaults());
        assertTrue(log.trueValue(log.oracle(), 0) > log.trueValue(TargetPolicy.greedy(), 0));
        assertTrue(oracle.dr() > greedy.dr(), oracle.dr() + " vs " + greedy.dr());
    }

    // A tiny log worked by hand: candidates 10 and 9, unit cost 5, logged curve L / (L + p) (base logit 0,
    // sensitivity 1), target "list" (always 10).
    private static FeedbackOutcome hand(String user, double[] probabilities, int chosen, boolean bought) {
        double[] candidates = {10, 9};
        PriceExperiment e = new PriceExperiment(
                "p",
                "policy",
                "s",
                candidates,
                probabilities,
                chosen,
                probabilities[chosen],
                true,
                false,
                9,
                10,
                0.0,
                1.0,
                new double[] {0, 0},
                new double[] {0, 0},
                new double[] {0, 0},
                0,
                "fs-1",
                false);
        double price = candidates[chosen];
        return new FeedbackOutcome(
                user + chosen + probabilities[0],
                "r",
                user,
                "i",
                price,
                10.0,
                5.0,
                "v1",
                "control",
                false,
                bought ? "purchase" : "none",
                bought ? price : 0,
                null,
                3600,
                0,
                e);
    }

    private static FeedbackOutcome holdout() {
        PriceExperiment e = new PriceExperiment(
                "p",
                "holdout",
                "s",
                new double[] {10},
                new double[] {1},
                0,
                1,
                false,
                false,
                10,
                10,
                null,
                null,
                null,
                null,
                null,
                0,
                "fs-1",
                false);
        return new FeedbackOutcome(
                "h", "r", "u9", "i", 10.0, 10.0, 5.0, "v1", "control", false, "purchase", 10, 1.0, 3600, 0, e);
    }

    private static List<FeedbackOutcome> handLog() {
        return List.of(
                hand("u1", new double[] {0.5, 0.5}, 0, true), // w 2, margin 5
                hand("u2", new double[] {0.01, 0.99}, 0, false), // w 100 -> clipped to 50, margin 0
                hand("u3", new double[] {0.25, 0.75}, 1, true), // target never quotes 9: w 0
                holdout()); // not randomized: left out
    }

    @Test
    void clippingEssAndEstimatesOnAHandExample() {
        OffPolicyEvaluation.Result r = OffPolicyEvaluation.evaluate(
                handLog(), TargetPolicy.list(), new OffPolicyEvaluation.Settings(50, 50, 0.9, 1));
        assertEquals(4, r.loggedOutcomes());
        assertEquals(3, r.randomized());
        assertEquals(3, r.requests());
        assertEquals(3, r.users());
        assertEquals(1, r.clipped());
        assertEquals(52.0 * 52 / (4 + 2500), r.ess(), 1e-6);
        assertEquals(10.0 / 3, r.margin().ips(), 1e-6);
        assertEquals(10.0 / 52, r.margin().snips(), 1e-6);
        // q(10) = 5 x 0.5 = 2.5; DR terms 2.5 + 2 (5 - 2.5), 2.5 + 50 (0 - 2.5), 2.5 + 0.
        assertEquals((7.5 - 122.5 + 2.5) / 3, r.margin().dr(), 1e-6);
        assertEquals(2.5, r.margin().dm(), 1e-6);
        assertEquals(3.0, r.margin().logged(), 1e-6); // (5 + 0 + 4) / 3
        assertEquals(20.0 / 3, r.revenue().ips(), 1e-6);
        assertEquals(2.0 / 3, r.conversion().ips(), 1e-6);
        assertEquals(2.0 / 52, r.conversion().snips(), 1e-6);
        // Unclipped, the second record weighs 100.
        OffPolicyEvaluation.Result unclipped = OffPolicyEvaluation.evaluate(
                handLog(), TargetPolicy.list(), new OffPolicyEvaluation.Settings(1000, 50, 0.9, 1));
        assertEquals(0, unclipped.clipped());
        assertEquals(102.0 * 102 / (4 + 10_000), unclipped.ess(), 1e-6);
        assertEquals(10.0 / 102, unclipped.margin().snips(), 1e-6);
    }

    @Test
    void essOfEqualWeightsIsTheSampleSize() {
        List<FeedbackOutcome> log = List.of(
                hand("a", new double[] {0.5, 0.5}, 0, true),
                hand("b", new double[] {0.5, 0.5}, 0, false),
                hand("c", new double[] {0.5, 0.5}, 0, false),
                hand("d", new double[] {0.5, 0.5}, 0, true));
        OffPolicyEvaluation.Result r =
                OffPolicyEvaluation.evaluate(log, TargetPolicy.list(), OffPolicyEvaluation.Settings.defaults());
        assertEquals(4.0, r.ess(), 1e-9);
        assertEquals(5.0 / 2, r.margin().snips(), 1e-9); // 2 of 4 bought at margin 5
        assertEquals(5.0, r.margin().ips(), 1e-9); // weights 2
    }

    @Test
    void theBootstrapResamplesShoppersAndIsRepeatable() {
        SyntheticFeedback log = SyntheticFeedback.generate(3, 300, 5, SyntheticFeedback.World.standard());
        OffPolicyEvaluation.Result a = OffPolicyEvaluation.evaluate(
                log.outcomes(), TargetPolicy.list(), OffPolicyEvaluation.Settings.defaults());
        OffPolicyEvaluation.Result b = OffPolicyEvaluation.evaluate(
                log.outcomes(), TargetPolicy.list(), OffPolicyEvaluation.Settings.defaults());
        assertEquals(a, b);
        assertEquals(300, a.users());
        assertTrue(a.drInterval().low() < a.dr() && a.dr() < a.drInterval().high());
        OffPolicyEvaluation.Result wider = OffPolicyEvaluation.evaluate(
                log.outcomes(), TargetPolicy.list(), new OffPolicyEvaluation.Settings(50, 200, 0.99, 42));
        assertTrue(wider.drInterval().high() - wider.drInterval().low()
                > a.drInterval().high() - a.drInterval().low());
    }

    @Test
    void nothingToEstimateFromGivesNoFigures() {
        OffPolicyEvaluation.Result r = OffPolicyEvaluation.evaluate(
                List.of(holdout()), TargetPolicy.list(), OffPolicyEvaluation.Settings.defaults());
        assertEquals(0, r.requests());
        assertNull(r.dr());
        assertNull(r.drCiLow());
        assertNull(r.ess());
    }

    @Test
    void targetsPickAmongTheLoggedCandidates() {
        assertEquals(0, Candidates.listIndex(new double[] {9.99, 9.69, 9.49}, 9.99));
        assertEquals(1, Candidates.listIndex(new double[] {10.49, 9.99, 9.49}, 9.99), "not above list");
        assertEquals(2, Candidates.nearestIndex(new double[] {10, 9.7, 9.5, 9.2}, 10 * (1 - 0.05)));
        assertEquals(0, Candidates.nearestIndex(new double[] {9.7, 9.6}, 9.65), "a tie goes to the higher price");
        // Expected margin under L / (L + p), cost 5: 10 -> 2.5, 9 -> 2.11.
        assertEquals(0, Candidates.greedyIndex(new double[] {10, 9}, 5, p -> 10 / (10 + p)));
        // A steep curve: the discount wins.
        assertEquals(1, Candidates.greedyIndex(new double[] {10, 9}, 5, p -> Math.pow(10 / p, 8) * 0.01));
        FeedbackOutcome o = hand("u", new double[] {0.5, 0.5}, 0, true);
        assertEquals(List.of(1.0, 0.0), boxed(TargetPolicy.greedy().probabilities(o)));
        assertEquals(List.of(0.0, 1.0), boxed(TargetPolicy.uniform(0.1).probabilities(o)));
        assertEquals("uniform:0.1", TargetPolicy.parse("uniform:0.1", v -> null).name());
        assertThrows(IllegalArgumentException.class, () -> TargetPolicy.parse("cheapest", v -> null));
        assertThrows(IllegalArgumentException.class, () -> TargetPolicy.parse("uniform:1.5", v -> null));
        assertNull(TargetPolicy.greedy().probabilities(holdout()), "no logged curve: greedy cannot price it");
    }

    private static List<Double> boxed(double[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    @Test
    void resultLineCarriesItsKeys() {
        OffPolicyEvaluation.Result r =
                OffPolicyEvaluation.evaluate(handLog(), TargetPolicy.list(), OffPolicyEvaluation.Settings.defaults());
        JsonNode json = Json.mapper().valueToTree(r);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertEquals(
                List.of(
                        "policy",
                        "logged_outcomes",
                        "randomized",
                        "requests",
                        "users",
                        "not_priceable",
                        "unsupported",
                        "max_weight",
                        "clipped",
                        "ess",
                        "logged",
                        "ips",
                        "snips",
                        "dr",
                        "dm",
                        "ips_ci_low",
                        "ips_ci_high",
                        "snips_ci_low",
                        "snips_ci_high",
                        "dr_ci_low",
                        "dr_ci_high",
                        "revenue_logged",
                        "revenue_ips",
                        "revenue_snips",
                        "revenue_dr",
                        "revenue_dm",
                        "revenue_dr_ci_low",
                        "revenue_dr_ci_high",
                        "conversion_logged",
                        "conversion_ips",
                        "conversion_snips",
                        "conversion_dr",
                        "conversion_dm",
                        "conversion_dr_ci_low",
                        "conversion_dr_ci_high",
                        "confidence",
                        "resamples",
                        "seed"),
                keys);
        assertEquals("list", json.get("policy").asText());
    }

    @Test
    void readsJsonlKeepingOneOutcomePerDecision(@TempDir Path dir) throws Exception {
        List<FeedbackOutcome> log = handLog();
        StringBuilder lines = new StringBuilder();
        for (FeedbackOutcome o : log) {
            lines.append(Json.mapper().writeValueAsString(o)).append('\n');
        }
        lines.append(Json.mapper().writeValueAsString(log.get(0))).append("\n\n");
        Path file = dir.resolve("feedback.jsonl");
        Files.writeString(file, lines);
        List<FeedbackOutcome> read = LoggedFeedback.readOutcomes(file);
        assertEquals(log.size(), read.size());
        assertEquals(log.get(1), read.get(1));
        Files.writeString(dir.resolve("bad.jsonl"), "{\"decision_id\": \n");
        Exception e = assertThrows(Exception.class, () -> LoggedFeedback.readOutcomes(dir.resolve("bad.jsonl")));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void commandLineRunsOnAFile(@TempDir Path dir) throws Exception {
        SyntheticFeedback log = SyntheticFeedback.generate(5, 100, 3, SyntheticFeedback.World.standard());
        StringBuilder lines = new StringBuilder();
        for (FeedbackOutcome o : log.outcomes()) {
            lines.append(Json.mapper().writeValueAsString(o)).append('\n');
        }
        Path file = dir.resolve("feedback.jsonl");
        Files.writeString(file, lines);
        OffPolicyEvaluation.Result r = OffPolicyEvaluation.run(OffPolicyEvaluation.OPTIONS.parse(
                "--policy", "uniform:0.05", "--feedback-log", file.toString(), "--resamples", "20"));
        assertEquals(
                OffPolicyEvaluation.evaluate(
                        log.outcomes(), TargetPolicy.uniform(0.05), new OffPolicyEvaluation.Settings(50, 20, 0.9, 42)),
                r);
        Exception e = assertThrows(
                IllegalArgumentException.class,
                () -> OffPolicyEvaluation.run(
                        OffPolicyEvaluation.OPTIONS.parse("--policy", "model:v1", "--feedback-log", file.toString())));
        assertTrue(e.getMessage().contains("--features-log"), e.getMessage());
    }
}
