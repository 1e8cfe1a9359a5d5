package org.pricingengine.tools.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.features.state.Hashing;
import org.pricingengine.job.config.PricingConfig;

/**
 * A synthetic competitor-price feed for the demo and the closed-loop market: the bundled data has no
 * competitor prices, and a retailer's real feed (a price-monitoring service) is what production sends
 * to the competitor-prices topic. The job never invents prices; this tool only plays that feed.
 *
 * <p>The process, all of it fixed by the seed:
 * <ul>
 *   <li>{@code competitors} shops, named {@code shopA}, {@code shopB}, ...; shop {@code c} has a fixed
 *       positioning {@code mu_c = mean_offset + positioning_sd x N(0, 1)} (some shops are cheaper than
 *       the retailer, some dearer);</li>
 *   <li>a shop carries an item with probability {@code coverage} (fixed per item and shop);</li>
 *   <li>event time is cut into periods of {@code redraw_hours}; in each period a shop's price of an item
 *       is {@code list x (1 + mu_c + price_sd x N(0, 1))}, or, with probability {@code undercut_share}
 *       (per item, shop and period), an undercut {@code list x (1 - U(undercut_min, undercut_max))};
 *       rounded to cents, at least 0.01. Each draw comes from a generator seeded by the seed, the item,
 *       the shop and the period, so any price can be recomputed without the feed's history.</li>
 * </ul>
 *
 * <p>What is sent: an item's prices (one record per shop that carries it) when the item is first seen,
 * when its list price changes, and at the first record of the item in each new period, stamped with that
 * record's event time, the way a monitoring service reports what it observed when it looked.
 */
public final class CompetitorFeed {

    /** The feed's parameters; also the {@code competitors} field of a world file. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({
        "competitors",
        "coverage",
        "mean_offset",
        "positioning_sd",
        "price_sd",
        "redraw_hours",
        "undercut_share",
        "undercut_min",
        "undercut_max"
    })
    public record Settings(
            @JsonProperty("competitors") Integer competitors,
            @JsonProperty("coverage") Double coverage,
            @JsonProperty("mean_offset") Double meanOffset,
            @JsonProperty("positioning_sd") Double positioningSd,
            @JsonProperty("price_sd") Double priceSd,
            @JsonProperty("redraw_hours") Double redrawHours,
            @JsonProperty("undercut_share") Double undercutShare,
            @JsonProperty("undercut_min") Double undercutMin,
            @JsonProperty("undercut_max") Double undercutMax) {

        /**
         * Three shops carrying 80% of the items each, positioned around 1% above list (sd 3%), prices
         * varying 2% between redraws every 6 hours, 5% of the prices an undercut of 10-20%.
         */
        public static Settings defaults() {
            return new Settings(3, 0.8, 0.01, 0.03, 0.02, 6.0, 0.05, 0.10, 0.20);
        }

        /** @throws IllegalArgumentException naming the first field ({@code prefix.field}) missing or out of range */
        public void validate(String prefix) {
            if (competitors == null || competitors < 1 || competitors > 26) {
                throw new IllegalArgumentException(prefix + ".competitors: must be in [1, 26], got " + competitors);
            }
            check(prefix + ".coverage", coverage, 0, 1);
            check(prefix + ".mean_offset", meanOffset, -0.5, 0.5);
            check(prefix + ".positioning_sd", positioningSd, 0, 0.5);
            check(prefix + ".price_sd", priceSd, 0, 0.5);
            check(prefix + ".redraw_hours", redrawHours, 1.0 / 60, 10_000);
            check(prefix + ".undercut_share", undercutShare, 0, 1);
            check(prefix + ".undercut_min", undercutMin, 0, 0.9);
            check(prefix + ".undercut_max", undercutMax, undercutMin, 0.9);
        }

        private static void check(String field, Double v, double low, double high) {
            if (v == null || !Double.isFinite(v) || v < low || v > high) {
                throw new IllegalArgumentException(
                        field + ": must be a number in [" + low + ", " + high + "], got " + v);
            }
        }
    }

    private final Settings settings;
    private final long seed;
    private final String[] names;
    private final double[] positioning;
    private final long periodMs;
    /** Per item: {list price, period} last sent. */
    private final Map<String, double[]> sent = new HashMap<>();

    public CompetitorFeed(Settings settings, long seed) {
        settings.validate("competitors");
        this.settings = settings;
        this.seed = seed;
        this.names = new String[settings.competitors()];
        this.positioning = new double[names.length];
        SplittableRandom shops = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
        for (int c = 0; c < names.length; c++) {
            names[c] = "shop" + (char) ('A' + c);
            positioning[c] = settings.meanOffset() + settings.positioningSd() * gaussian(shops);
        }
        this.periodMs = Math.max(1, Math.round(settings.redrawHours() * 3_600_000));
    }

    public Settings settings() {
        return settings;
    }

    /** The shops' names, in order. */
    public List<String> competitors() {
        return List.of(names);
    }

    /** Shop {@code c}'s fixed positioning {@code mu_c} (share above list). */
    public double positioning(int c) {
        return positioning[c];
    }

    /** The period (index of {@code redraw_hours} of event time since the epoch) containing {@code timeMs}. */
    public long period(long timeMs) {
        return Math.floorDiv(timeMs, periodMs);
    }

    /** Whether shop {@code c} carries the item (fixed per item and shop). */
    public boolean carries(String itemId, int c) {
        return new SplittableRandom(mix(itemId, c, -1)).nextDouble() < settings.coverage();
    }

    /** Shop {@code c}'s price of the item in {@code period}, given the item's list price; NaN when it does not carry it. */
    public double price(String itemId, double listPrice, int c, long period) {
        if (!carries(itemId, c)) {
            return Double.NaN;
        }
        SplittableRandom r = new SplittableRandom(mix(itemId, c, period));
        double factor;
        if (r.nextDouble() < settings.undercutShare()) {
            factor = 1 - (settings.undercutMin() + r.nextDouble() * (settings.undercutMax() - settings.undercutMin()));
        } else {
            factor = 1 + positioning[c] + settings.priceSd() * gaussian(r);
        }
        return Math.max(0.01, Math.round(listPrice * factor * 100) / 100.0);
    }

    /** Every carrying shop's price of the item at {@code timeMs}, stamped with that time. */
    public List<CompetitorPrice> prices(String itemId, double listPrice, long timeMs) {
        long p = period(timeMs);
        List<CompetitorPrice> out = new ArrayList<>(names.length);
        for (int c = 0; c < names.length; c++) {
            double price = price(itemId, listPrice, c, p);
            if (!Double.isNaN(price)) {
                out.add(new CompetitorPrice(itemId, names[c], price, timeMs));
            }
        }
        return out;
    }

    /**
     * What the feed reports on seeing a record of the item at {@code timeMs} with list price {@code
     * listPrice}: the item's prices if it is new, its list price changed or a new period began since it
     * last reported them; nothing otherwise. Records must come in event-time order per item.
     */
    public List<CompetitorPrice> observe(String itemId, double listPrice, long timeMs) {
        if (!(listPrice > 0) || !Double.isFinite(listPrice)) {
            return List.of();
        }
        long p = period(timeMs);
        double[] last = sent.get(itemId);
        if (last != null && last[0] == listPrice && (long) last[1] >= p) {
            return List.of();
        }
        sent.put(itemId, new double[] {listPrice, p});
        return prices(itemId, listPrice, timeMs);
    }

    /**
     * The feed as a producer beside a replay: it watches the records the replay sends (catalog updates
     * give an item's list price; a request for a known item may open a new period) and sends the feed's
     * prices to the competitor-prices topic, keyed by item, right after the record that prompted them.
     */
    public static final class Publisher implements java.util.function.Consumer<ReplayRecord>, AutoCloseable {
        private final CompetitorFeed feed;
        private final String topic;
        private final KafkaProducer<byte[], byte[]> producer;
        private final Map<String, Double> listPrices = new HashMap<>();
        public final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

        public Publisher(CompetitorFeed feed, String bootstrapServers, PricingConfig config, String topic) {
            this.feed = feed;
            this.topic = topic;
            Properties p = new Properties();
            p.putAll(config.kafkaClientProperties());
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            this.producer = new KafkaProducer<>(p);
        }

        @Override
        public synchronized void accept(ReplayRecord record) {
            String item;
            long time = record.eventTimeMs();
            if (record.value() instanceof CatalogUpdate c) {
                item = c.itemId();
                listPrices.put(item, c.listPrice());
            } else if (record.value() instanceof PriceRequest q) {
                item = q.itemId();
            } else {
                return;
            }
            Double list = listPrices.get(item);
            if (list == null) {
                return;
            }
            for (CompetitorPrice o : feed.observe(item, list, time)) {
                producer.send(new ProducerRecord<>(topic, item.getBytes(StandardCharsets.UTF_8), Json.toBytes(o)));
                sent.incrementAndGet();
            }
        }

        @Override
        public void close() {
            producer.close(java.time.Duration.ofSeconds(10));
        }
    }

    private long mix(String itemId, int c, long period) {
        long h = seed * 0x9E3779B97F4A7C15L ^ Hashing.mixed(itemId);
        h = (h ^ (c + 1) * 0xBF58476D1CE4E5B9L) * 0x94D049BB133111EBL;
        return h ^ (period * 0xD6E8FEB86659FD93L);
    }

    /** A standard normal draw (Box-Muller; SplittableRandom has no nextGaussian on Java 17). */
    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
