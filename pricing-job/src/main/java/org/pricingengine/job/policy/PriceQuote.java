package org.pricingengine.job.policy;

import java.util.List;

/** What the policy decided for one request, before it becomes a decision record. */
public record PriceQuote(
        double price,
        Double expectedConversion,
        List<ReasonCode> reasons,
        List<Guardrail> guardrails,
        boolean fallback,
        PriceBounds bounds,
        PriceExperiment experiment) {}
