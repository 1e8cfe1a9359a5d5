package org.pricingengine.features.rees46;

/**
 * One record a replay sends: the topic role it belongs to, its Kafka key and its value (one of
 * {@code BehaviourEvent}, {@code CatalogUpdate}, {@code PriceRequest}, {@code CompetitorPrice}).
 * REES46 conversion makes the first three; competitor prices come from a synthetic feed or a file.
 */
public record ReplayRecord(Role role, String key, Object value, long eventTimeMs) {
    public enum Role {
        BEHAVIOUR,
        CATALOG,
        REQUEST,
        COMPETITOR_PRICE
    }
}
