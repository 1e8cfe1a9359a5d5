package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonValue;

/** The kinds of shopper behaviour the engine learns from. The wire names are the REES46 ones. */
public enum EventType {
    VIEW("view"),
    CART("cart"),
    REMOVE_FROM_CART("remove_from_cart"),
    PURCHASE("purchase");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Returns the type for a wire name, or null when the name is not one of ours. */
    public static EventType fromWireName(String name) {
        for (EventType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        return null;
    }
}
