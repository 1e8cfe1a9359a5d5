package org.pricingengine.features.offline;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.FeatureVectorizer;
import org.pricingengine.features.rees46.Rees46Row;

/**
 * A checksum of what the feature code computes, not of what it is called. A fixed, generated stream
 * of shopper events (every event type, repeat and new users, promotions, zero prices, gaps from
 * seconds to days) is replayed through the same path as training-example extraction, and the
 * resulting feature values are hashed. The trainer records the fingerprint in the model manifest; the
 * job recomputes it at start-up. Any change to how a feature is computed, its order, scaling or the
 * state behind it changes the fingerprint, so a model trained on the old features is refused.
 */
public final class FeatureFingerprint {
    /** Values are rounded to this many decimals first, so last-bit differences of Math.log between JVMs do not count. */
    private static final double ROUNDING = 1e5;

    private static final int PROBE_ROWS = 4000;
    private static volatile String current;

    private FeatureFingerprint() {}

    /** The fingerprint of this build's feature code (computed once per JVM, ~100 ms). */
    public static String current() {
        String c = current;
        if (c == null) {
            c = compute(FeatureVectorizer::compute);
            current = c;
        }
        return c;
    }

    public static String compute(TrainingExampleExtractor.Featurizer featurizer) {
        List<TrainingExampleExtractor.Example> examples = new TrainingExampleExtractor(
                        TrainingExampleExtractor.DEFAULT_SEQUENCE_CAPACITY)
                .extract(probeRows(), "probe", featurizer);
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(8);
        digest.update((FeatureSpec.VERSION + FeatureSpec.TOKEN_FEATURES + FeatureSpec.CONTEXT_FEATURES).getBytes());
        for (TrainingExampleExtractor.Example e : examples) {
            FeatureVector f = e.features();
            for (float[] part : new float[][] {f.sequence(), f.paddingMask(), f.contextRaw()}) {
                for (float v : part) {
                    buffer.clear();
                    buffer.putLong(Math.round(v * ROUNDING));
                    digest.update(buffer.array());
                }
            }
        }
        return FeatureSpec.VERSION + ":"
                + HexFormat.of().formatHex(digest.digest()).substring(0, 32);
    }

    /** A deterministic synthetic event log in REES46 form (the generator's seed is part of the contract). */
    static List<Rees46Row> probeRows() {
        Random random = new Random(20191001L);
        List<Rees46Row> rows = new ArrayList<>(PROBE_ROWS);
        String[] types = {"view", "view", "view", "cart", "remove_from_cart", "purchase"};
        long time = 1569888000000L;
        double[] basePrice = new double[60];
        for (int i = 0; i < basePrice.length; i++) {
            basePrice[i] = Math.round((1 + random.nextDouble() * 80) * 100) / 100.0;
        }
        for (int n = 0; n < PROBE_ROWS; n++) {
            time += random.nextInt(10) == 0 ? random.nextInt(3 * 86_400) * 1000L : random.nextInt(90) * 1000L;
            int item = random.nextInt(basePrice.length);
            double price = random.nextInt(40) == 0
                    ? 0.0
                    : Math.round(basePrice[item]
                                    * (random.nextInt(5) == 0 ? 0.7 + random.nextDouble() * 0.5 : 1.0)
                                    * 100)
                            / 100.0;
            String user = "u" + random.nextInt(120);
            String category = item % 7 == 0 ? null : "c" + (item % 5);
            rows.add(new Rees46Row(
                    n + 2,
                    time,
                    types[random.nextInt(types.length)],
                    "p" + item,
                    category,
                    null,
                    "b" + (item % 3),
                    price,
                    user,
                    "s-" + user + "-" + (time / 3_600_000)));
        }
        return rows;
    }
}
