package org.pricingengine.features.rees46;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.PriceRequest;

class Rees46ConverterTest {
    @Test
    void parsesARealLine() {
        Rees46Row row = Rees46Reader.parse(
                2,
                "2019-10-01 00:00:07 UTC,cart,5881589,2151191071051219817,,lovely,13.48,429681830,49e8d843-adf3-428b-a2c3-fe8bc6a307c9");
        assertEquals("cart", row.eventType());
        assertEquals(13.48, row.price());
        assertNull(row.categoryCode());
        assertEquals(1569888007000L, row.eventTimeMs());
        assertNull(Rees46Reader.parse(3, "garbage,line"));
    }

    @Test
    void viewBecomesRequestAndEventAndListPriceIsTheHighestSeen() {
        Rees46Converter c = new Rees46Converter("shop");
        List<ReplayRecord> first = c.convert(new Rees46Row(2, 1000, "view", "p", "c", null, "b", 10.0, "u", "s"));
        assertEquals(
                List.of(ReplayRecord.Role.CATALOG, ReplayRecord.Role.REQUEST, ReplayRecord.Role.BEHAVIOUR),
                first.stream().map(ReplayRecord::role).toList());
        assertEquals(10.0, ((CatalogUpdate) first.get(0).value()).listPrice());
        assertEquals("req-shop:2", ((PriceRequest) first.get(1).value()).requestId());
        assertEquals("shop:2", ((BehaviourEvent) first.get(2).value()).eventId());

        // A promotion (lower price) is not a catalog change; a higher price is.
        List<ReplayRecord> promo = c.convert(new Rees46Row(3, 2000, "purchase", "p", "c", null, "b", 8.0, "u", "s"));
        assertEquals(1, promo.size());
        assertEquals(EventType.PURCHASE, ((BehaviourEvent) promo.get(0).value()).type());
        List<ReplayRecord> rise = c.convert(new Rees46Row(4, 3000, "cart", "p", "c", null, "b", 12.0, "u", "s"));
        assertTrue(rise.get(0).value() instanceof CatalogUpdate);
        assertEquals(12.0, c.listPriceOf("p"));
        assertTrue(c.convert(new Rees46Row(5, 4000, "wishlist", "p", "c", null, "b", 12.0, "u", "s"))
                .isEmpty());
    }
}
