package org.pricingengine.features.validation;

import java.io.Serializable;
import java.time.Instant;

/**
 * What the parser accepts. Event times before {@code earliestEventTimeMs} or more than
 * {@code maxFutureSkewMs} ahead of the wall clock are implausible (a client clock set to 1970 or to
 * next year) and would corrupt event-time watermarks, so they are refused.
 */
public record ValidationRules(
        int maxRecordBytes, int maxIdLength, long earliestEventTimeMs, long maxFutureSkewMs, double maxPrice)
        implements Serializable {

    public static final ValidationRules DEFAULTS = new ValidationRules(
            64 * 1024, 128, Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(), 24L * 3600 * 1000, 1.0e7);

    public ValidationRules {
        if (maxRecordBytes <= 0 || maxIdLength <= 0 || maxFutureSkewMs < 0 || !(maxPrice > 0)) {
            throw new IllegalArgumentException("validation limits must be positive");
        }
    }
}
