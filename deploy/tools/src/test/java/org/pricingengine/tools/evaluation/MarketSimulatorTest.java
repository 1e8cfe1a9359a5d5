package org.pricingengine.tools.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.tools.local.LocalStack;

class MarketSimulatorTest {
    private static final Path REPO = LocalStack.repositoryRoot();
    private static final Path MODELS = REPO.resolve("model-assets/models");
    private static final Path COSMETICS = REPO.resolve("model-assets/data/rees46/cosmetics_2019-10_2019-11.csv");

    @Test
    void oracleBoundsEveryPolicyAndNoPolicyBreaksAGuardrail() throws Exception {
        MarketSimulator.Result r = MarketSimulator.simulate(
                COSMETICS,
                MODELS,
                "v1",
                Instant.parse("2019-11-01T00:00:00Z").toEpochMilli(),
                2.5,
                0.5,
                7,
                PricingConfig.defaults());
        List<MarketSimulator.Policy> policies = r.policies();
        assertEquals(
                List.of("list_price", "best_uniform_discount", "job_policy", "oracle"),
                policies.stream().map(MarketSimulator.Policy::name).toList());
        double oracle = policies.get(3).margin();
        for (MarketSimulator.Policy p : policies) {
            assertEquals(0, p.guardrailViolations(), p.name());
            assertTrue(p.margin() <= oracle + 1e-6, p.name() + " beats the oracle");
            assertTrue(p.meanPriceRatio() <= 1.0 + 1e-9 && p.meanPriceRatio() >= 0.7 - 1e-9, p.name());
        }
        assertTrue(policies.get(1).margin() >= policies.get(0).margin() - 1e-6, "no discount is one uniform choice");
        assertEquals(0.0, policies.get(0).discountedShare());
        assertTrue(r.requests() > 9000);
    }
}
