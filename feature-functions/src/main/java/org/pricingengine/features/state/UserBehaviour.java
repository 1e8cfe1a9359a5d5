package org.pricingengine.features.state;

import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.EventType;

/**
 * One shopper's recent behaviour (a bounded ring of events) and lifetime aggregates. A Flink POJO
 * (public fields, no-arg constructor, primitive arrays) so that RocksDB stores it compactly and its
 * schema can evolve across savepoints. Plain Java otherwise: the offline pipeline uses it as is.
 */
public class UserBehaviour {
    /** Ring buffer of the last {@code capacity} events; {@code head} is the next slot to write. */
    public long[] eventTimeMs;

    public long[] eventIdHash;
    public long[] itemHash;
    public long[] categoryHash;
    public float[] price;
    public byte[] type;
    public int head;
    public int size;

    /** Lifetime counts per {@link EventType} ordinal, and the revenue of purchases. */
    public long[] typeCounts;

    public double purchaseRevenue;
    public long firstEventTimeMs;
    public long lastEventTimeMs;

    public UserBehaviour() {}

    public static UserBehaviour empty(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("sequence capacity must be positive");
        }
        UserBehaviour u = new UserBehaviour();
        u.eventTimeMs = new long[capacity];
        u.eventIdHash = new long[capacity];
        u.itemHash = new long[capacity];
        u.categoryHash = new long[capacity];
        u.price = new float[capacity];
        u.type = new byte[capacity];
        u.typeCounts = new long[EventType.values().length];
        u.firstEventTimeMs = Long.MAX_VALUE;
        u.lastEventTimeMs = Long.MIN_VALUE;
        return u;
    }

    public int capacity() {
        return eventTimeMs.length;
    }

    /**
     * Adds an event. Returns false, changing nothing, when the same event id is already among the
     * remembered events: an upstream retry must not count a purchase twice.
     */
    public boolean record(BehaviourEvent event) {
        long idHash = Hashing.hash(event.eventId());
        for (int i = 0; i < size; i++) {
            if (eventIdHash[slot(i)] == idHash) {
                return false;
            }
        }
        int cap = capacity();
        eventTimeMs[head] = event.eventTimeMs();
        eventIdHash[head] = idHash;
        itemHash[head] = Hashing.hash(event.itemId());
        categoryHash[head] = Hashing.hashOrZero(event.category());
        price[head] = (float) event.price();
        type[head] = (byte) event.type().ordinal();
        head = (head + 1) % cap;
        size = Math.min(size + 1, cap);

        typeCounts[event.type().ordinal()]++;
        if (event.type() == EventType.PURCHASE) {
            purchaseRevenue += event.price();
        }
        firstEventTimeMs = Math.min(firstEventTimeMs, event.eventTimeMs());
        lastEventTimeMs = Math.max(lastEventTimeMs, event.eventTimeMs());
        return true;
    }

    /** Physical slot of the i-th remembered event, 0 being the oldest. */
    public int slot(int i) {
        int cap = capacity();
        return ((head - size + i) % cap + cap) % cap;
    }

    public EventType typeAt(int slot) {
        return EventType.values()[type[slot]];
    }
}
