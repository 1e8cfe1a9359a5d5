package org.pricingengine.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pricingengine.features.events.Json;
import org.pricingengine.it.testutils.EmbeddedKafka;
import org.pricingengine.it.testutils.RepoPaths;
import org.pricingengine.tools.benchmark.StateBoundBenchmark;

/**
 * A small run of deploy/bench/state-bound.sh (the million-shopper run is in BENCHMARKS.md): state grows
 * with shoppers, not with their events, stays under the documented per-shopper bound, and shoppers past
 * the user TTL leave the savepoint.
 */
@Tag("long-running")
class StateBoundIT {
    /**
     * The documented bound per shopper in a (compressed) checkpoint; uncompressed, in a canonical
     * savepoint, a shopper's fixed-size rings take about 3.2 KB whatever the number of events.
     */
    private static final long BOUND_PER_SHOPPER = 3_300;

    @RegisterExtension
    static final EmbeddedKafka KAFKA = new EmbeddedKafka();

    private static StateBoundBenchmark.Result run(String... args) throws Exception {
        String[] common = {
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--model.dir",
            RepoPaths.models().toString(),
            "--checkpoint.interval",
            "2s",
            "--job.parallelism",
            "2",
            "--data-dir",
            RepoPaths.cosmetics().getParent().toString()
        };
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        StateBoundBenchmark.Result r = StateBoundBenchmark.run(all);
        System.out.println("state-bound: " + Json.toJson(r));
        return r;
    }

    @Test
    void stateGrowsWithShoppersNotWithTheirEvents() throws Exception {
        StateBoundBenchmark.Result r = run(
                "--work-dir",
                "target/state-bound",
                "--users",
                "20000",
                "--heavy-users",
                "200",
                "--heavy-events",
                "100");
        List<StateBoundBenchmark.Step> steps = r.steps();
        assertEquals(9, steps.size(), r.toString());
        for (StateBoundBenchmark.Step quarter : steps.subList(0, 4)) {
            long perShopper = quarter.shopperStateBytesPerUser();
            assertTrue(perShopper > 0 && perShopper < BOUND_PER_SHOPPER, "per shopper: " + quarter);
        }
        assertTrue(
                steps.get(3).shopperStateBytes() > 2.5 * steps.get(0).shopperStateBytes(),
                "four times the shoppers, about four times the state: " + steps);
        StateBoundBenchmark.Step secondReturn = steps.get(8);
        assertEquals("savepoint after return 2", secondReturn.step());
        // Had the sequence grown with events, 100 events would add at least 37 bytes each before compression.
        assertTrue(secondReturn.addedShopperStateBytesPerEvent() < 10, "full rings do not grow: " + secondReturn);
    }

    @Test
    void shoppersPastTheirTtlLeaveTheSavepoint() throws Exception {
        StateBoundBenchmark.Result r = run(
                "--work-dir",
                "target/state-bound-ttl",
                "--users",
                "5000",
                "--heavy-users",
                "0",
                "--idle-wait",
                "35s",
                "--user.ttl",
                "20s",
                "--item.ttl",
                "20s",
                "--pricing.quote-ttl",
                "20s",
                "--pricing.change-memory",
                "20s");
        List<StateBoundBenchmark.Step> steps = r.steps();
        StateBoundBenchmark.Step before = steps.get(steps.size() - 2);
        StateBoundBenchmark.Step after = steps.get(steps.size() - 1);
        assertTrue(before.shopperStateBytes() > 1_000_000, "shoppers in the first savepoint: " + before);
        assertTrue(
                after.shopperStateBytes() < before.shopperStateBytes() / 10,
                "expired shoppers are left out of the savepoint: " + after);
    }
}
