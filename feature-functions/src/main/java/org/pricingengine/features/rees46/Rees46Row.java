package org.pricingengine.features.rees46;

/** One line of a REES46-format event log, as written (ids as text, time in epoch milliseconds). */
public record Rees46Row(
        long lineNumber,
        long eventTimeMs,
        String eventType,
        String productId,
        String categoryId,
        String categoryCode,
        String brand,
        double price,
        String userId,
        String userSession) {}
