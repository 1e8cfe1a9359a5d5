package org.pricingengine.features.validation;

/**
 * Reason codes on dead letters. The code comes first so consumers can group by it; a short detail
 * follows after a colon.
 */
public enum RejectReason {
    RECORD_TOO_LARGE,
    EMPTY_RECORD,
    MALFORMED_JSON,
    NOT_A_JSON_OBJECT,
    MISSING_FIELD,
    INVALID_FIELD,
    UNKNOWN_EVENT_TYPE,
    INVALID_PRICE,
    TIMESTAMP_OUT_OF_RANGE,
    /** A behaviour event whose event_id the user's recent events already hold: counted once. */
    DUPLICATE_EVENT,
    /** A behaviour event older than the user's newest by more than the allowed lateness. */
    LATE_EVENT;

    public String with(String detail) {
        return name() + ": " + detail;
    }
}
