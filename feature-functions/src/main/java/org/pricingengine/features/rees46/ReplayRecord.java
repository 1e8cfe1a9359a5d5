package org.pricingengine.features.rees46;

/**
 * One record a replay sends: the topic role it belongs to, its Kafka key and its value (one of
 * {@code BehaviourEvent}, {@code CatalogUpdate}, {@code PriceRequest}).
 */
public record ReplayRecord(Role role, String key, Object value, long eventTimeMs) {
    public enum Role {
        BEHAVIOUR,
        CATALOG,
        REQUEST
    }
}
