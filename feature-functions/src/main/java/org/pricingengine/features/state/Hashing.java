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

    /**
     * The hash of an id with every input bit spread over the result (FNV-1a mixes its low bits poorly,
     * a murmur3 finaliser fixes that): for splitting shoppers into groups and seeding random draws.
     */
    public static long mixed(String id) {
        long h = hash(id);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    public static long hashOrZero(String id) {
        return id == null || id.isEmpty() ? 0 : hash(id);
    }
}
