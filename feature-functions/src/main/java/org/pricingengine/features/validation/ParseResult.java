package org.pricingengine.features.validation;

import java.util.Objects;

/** Either a valid record or the reason it was refused; never both, never neither. */
public final class ParseResult<T> {
    private final T value;
    private final String rejectReason;

    private ParseResult(T value, String rejectReason) {
        this.value = value;
        this.rejectReason = rejectReason;
    }

    public static <T> ParseResult<T> valid(T value) {
        return new ParseResult<>(Objects.requireNonNull(value), null);
    }

    public static <T> ParseResult<T> rejected(String reason) {
        return new ParseResult<>(null, Objects.requireNonNull(reason));
    }

    public boolean isValid() {
        return value != null;
    }

    public T value() {
        if (value == null) {
            throw new IllegalStateException("rejected record has no value: " + rejectReason);
        }
        return value;
    }

    public String rejectReason() {
        return rejectReason;
    }

    @Override
    public String toString() {
        return isValid() ? "valid(" + value + ")" : "rejected(" + rejectReason + ")";
    }
}
