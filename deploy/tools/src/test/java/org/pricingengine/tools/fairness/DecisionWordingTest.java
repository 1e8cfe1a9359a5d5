package org.pricingengine.tools.fairness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.job.policy.Guardrail;
import org.pricingengine.job.policy.ReasonCode;

/** Every code a decision can carry has plain words: a new constant without them fails here. */
class DecisionWordingTest {
    /** Codes of stock, competitor prices and the fairness band: named here too, so none is dropped with its constant. */
    private static final List<String> STOCK_COMPETITOR_FAIRNESS_REASONS =
            List.of("LOW_STOCK", "OVERSTOCK", "COMPETITOR_BOUND", "COMPETITOR_BELOW_FLOOR", "FAIRNESS_BAND");

    private static final List<String> STOCK_COMPETITOR_FAIRNESS_GUARDRAILS =
            List.of("FLOOR_LOW_STOCK", "COMPETITOR_PRICE", "FAIRNESS_SPREAD");

    @Test
    void everyReasonCodeHasWordsAndAFactor() {
        List<String> codes = new ArrayList<>(
                Arrays.stream(ReasonCode.values()).map(ReasonCode::code).toList());
        codes.addAll(STOCK_COMPETITOR_FAIRNESS_REASONS);
        List<String> missing =
                codes.stream().filter(c -> !DecisionWording.hasReason(c)).toList();
        assertTrue(missing.isEmpty(), "reason codes without words in DecisionWording: " + missing);
        for (String code : codes) {
            String words = DecisionWording.reason(code);
            assertFalse(words.contains(code), code + " reads as its code: " + words);
            assertTrue(words.endsWith("."), code + ": a sentence, got " + words);
            assertNotEquals("OTHER", DecisionWording.factorOf(code), code + " has no explanation factor");
        }
    }

    @Test
    void everyGuardrailHasWords() {
        List<String> codes = new ArrayList<>(
                Arrays.stream(Guardrail.values()).map(Guardrail::code).toList());
        codes.addAll(STOCK_COMPETITOR_FAIRNESS_GUARDRAILS);
        List<String> missing =
                codes.stream().filter(c -> !DecisionWording.hasGuardrail(c)).toList();
        assertTrue(missing.isEmpty(), "guardrails without words in DecisionWording: " + missing);
        for (String code : codes) {
            String words = DecisionWording.guardrail(code);
            assertFalse(words.contains(code), code + " reads as its code: " + words);
            assertTrue(words.endsWith("."), code + ": a sentence, got " + words);
        }
    }

    @Test
    void fallbackReasonsSayTheShopsOwnPriceApplied() {
        for (ReasonCode r : ReasonCode.values()) {
            if (r.isFallback()) {
                assertTrue(
                        DecisionWording.factorOf(r.code()).equals("FALLBACK")
                                && DecisionWording.reason(r.code()).contains("price"),
                        r + ": " + DecisionWording.reason(r.code()));
            }
        }
    }

    @Test
    void anUnknownCodeStillReads() {
        assertTrue(DecisionWording.reason("SOMETHING_NEW").contains("SOMETHING_NEW"));
        assertTrue(DecisionWording.guardrail("SOMETHING_NEW").contains("SOMETHING_NEW"));
    }
}
