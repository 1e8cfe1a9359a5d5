package org.pricingengine.features.state;

import java.nio.charset.StandardCharsets;

/**
 * 64-bit FNV-1a of ids, so state keeps longs instead of strings. Collisions between two ids of one
 * user's short history are vanishingly unlikely (2^-64 per pair) and would only blur a feature.
 */
public final class Hashing {
    private static final long OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Hashing() {}

    public static long hash(String id) {
        long h = OFFSET_BASIS;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= PRIME;
        }
        // 0 is reserved for "unknown".
        return h == 0 ? 1 : h;
    }

    public static long hashOrZero(String id) {
        return id == null || id.isEmpty() ? 0 : hash(id);
    }
}
