package org.pricingengine.features.rees46;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.PriceRequest;

/**
 * Turns REES46 log lines into the engine's three input streams, the same way for the demo, the
 * tests and the offline training extractor:
 * <ul>
 *   <li>every line is a behaviour event (event id derived from source and line, so a replay of the
 *       same file produces the same ids);</li>
 *   <li>every view is also a price request, sent before its view event;</li>
 *   <li>the catalog list price of an item is the highest price seen for it so far: a catalog update
 *       goes out when an item is first seen and whenever a higher price shows up. Lower shown prices
 *       are promotions, which is the price variation the demand model learns from.</li>
 * </ul>
 */
public final class Rees46Converter {
    private final String sourceTag;
    private final Map<String, Double> listPrices = new HashMap<>();

    public Rees46Converter(String sourceTag) {
        this.sourceTag = sourceTag;
    }

    public static String sourceTagOf(java.nio.file.Path csv) {
        String name = csv.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Records for one line, in the order they are to be sent. Unknown event types yield none. */
    public List<ReplayRecord> convert(Rees46Row row) {
        EventType type = EventType.fromWireName(row.eventType());
        List<ReplayRecord> out = new ArrayList<>(3);
        if (type == null) {
            return out;
        }
        String category = row.categoryId();
        if (row.price() > 0) {
            Double known = listPrices.get(row.productId());
            if (known == null || row.price() > known) {
                listPrices.put(row.productId(), row.price());
                out.add(new ReplayRecord(
                        ReplayRecord.Role.CATALOG,
                        row.productId(),
                        new CatalogUpdate(
                                row.productId(), category, row.brand(), row.price(), null, null, row.eventTimeMs()),
                        row.eventTimeMs()));
            }
        }
        String eventId = sourceTag + ":" + row.lineNumber();
        if (type == EventType.VIEW) {
            out.add(new ReplayRecord(
                    ReplayRecord.Role.REQUEST,
                    row.userId(),
                    new PriceRequest("req-" + eventId, row.userId(), row.productId(), row.eventTimeMs(), "web", null),
                    row.eventTimeMs()));
        }
        out.add(new ReplayRecord(
                ReplayRecord.Role.BEHAVIOUR,
                row.userId(),
                new BehaviourEvent(
                        eventId,
                        row.userId(),
                        row.productId(),
                        type,
                        row.eventTimeMs(),
                        row.price(),
                        row.userSession(),
                        category,
                        row.brand()),
                row.eventTimeMs()));
        return out;
    }

    /** The list price the catalog holds for an item now, or null if none was sent. */
    public Double listPriceOf(String itemId) {
        return listPrices.get(itemId);
    }
}
