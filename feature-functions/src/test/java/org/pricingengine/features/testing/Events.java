package org.pricingengine.features.testing;

import java.time.Instant;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.state.ItemSnapshot;

/** Small builders for test events; times are seconds after 2019-10-01T00:00:00Z. */
public final class Events {
    public static final long T0 = Instant.parse("2019-10-01T00:00:00Z").toEpochMilli();

    private Events() {}

    public static long at(long seconds) {
        return T0 + seconds * 1000;
    }

    public static BehaviourEvent event(
            String id, String user, String item, EventType type, long seconds, double price) {
        return new BehaviourEvent(id, user, item, type, at(seconds), price, "s-" + user, "cat-1", "brand-1");
    }

    public static CatalogUpdate catalog(String item, double listPrice, long seconds) {
        return new CatalogUpdate(item, "cat-1", "brand-1", listPrice, null, null, at(seconds));
    }

    public static PriceRequest request(String id, String user, String item, long seconds) {
        return new PriceRequest(id, user, item, at(seconds), "web", null);
    }

    public static ItemSnapshot item(String item, double listPrice) {
        return new ItemSnapshot(item, "cat-1", "brand-1", listPrice, null, null, 10, 2, 1);
    }
}
