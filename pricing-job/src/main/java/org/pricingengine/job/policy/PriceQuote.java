package org.pricingengine.job.policy;

import java.util.List;

/** What the policy decided for one request, before it becomes a decision record. */
public record PriceQuote(double price, Double expectedConversion, List<String> reasons, List<String> guardrails,
                         boolean fallback, PriceBounds bounds) {}
