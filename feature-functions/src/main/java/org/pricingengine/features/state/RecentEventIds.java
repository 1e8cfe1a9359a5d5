package org.pricingengine.features.state;

/**
 * The ids (64-bit hashes) of a user's most recent behaviour events, in a ring, and the newest event
 * time seen. A POJO so that Flink serializes it without Kryo and can evolve it across savepoints.
 */
public class RecentEventIds {
    public long[] idHashes;
    public int head;
    public int size;
    public long newestEventTimeMs = Long.MIN_VALUE;

    public RecentEventIds() {}

    /** An empty ring of {@code capacity}, or {@code old}'s newest ids moved into one. */
    public static RecentEventIds resized(RecentEventIds old, int capacity) {
        RecentEventIds fresh = new RecentEventIds();
        fresh.idHashes = new long[capacity];
        if (old != null) {
            int keep = Math.min(old.size, capacity);
            for (int i = old.size - keep; i < old.size; i++) {
                fresh.add(old.idHashes[(old.head - old.size + i + old.capacity()) % old.capacity()], Long.MIN_VALUE);
            }
            fresh.newestEventTimeMs = old.newestEventTimeMs;
        }
        return fresh;
    }

    public int capacity() {
        return idHashes.length;
    }

    public int size() {
        return size;
    }

    public boolean contains(long idHash) {
        for (int i = 0; i < size; i++) {
            if (idHashes[i] == idHash) {
                return true;
            }
        }
        return false;
    }

    public void add(long idHash, long eventTimeMs) {
        idHashes[head] = idHash;
        head = (head + 1) % idHashes.length;
        size = Math.min(size + 1, idHashes.length);
        newestEventTimeMs = Math.max(newestEventTimeMs, eventTimeMs);
    }
}
