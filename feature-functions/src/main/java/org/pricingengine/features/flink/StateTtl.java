package org.pricingengine.features.flink;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;

/** The one TTL policy of the job's keyed state. */
public final class StateTtl {
    private StateTtl() {}

    /**
     * Expires an entry {@code ttl} after it was last written (reads do not extend it), never returns
     * an expired value, and lets RocksDB's compaction filter delete expired entries, so state stays
     * bounded without a full scan. Canonical savepoints leave expired entries out, so a rollout does
     * not carry shoppers who have long gone (RocksDB checkpoints, incremental or not, copy its files as
     * they are: there the compaction filter is what drops expired entries).
     */
    public static StateTtlConfig afterLastWrite(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .cleanupFullSnapshot()
                .build();
    }
}
