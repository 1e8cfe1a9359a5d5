package org.pricingengine.features.offline;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pricingengine.features.Checksums;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.FeatureVector;
import org.pricingengine.features.FeatureVectorizer;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.EventType;
import org.pricingengine.features.events.Json;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.rees46.Rees46Converter;
import org.pricingengine.features.rees46.Rees46Reader;
import org.pricingengine.features.rees46.Rees46Row;
import org.pricingengine.features.rees46.ReplayRecord;
import org.pricingengine.features.state.ItemProfile;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.features.state.UserBehaviour;

/**
 * Replays REES46-format logs through the serving code's own state and feature classes and writes one
 * training example per price request (each view), in the layout of model-assets/CONTRACT.md.
 *
 * <p>Usage: {@code TrainingExampleExtractor --out DIR --data FILE [--data FILE ...]}. Each file is a
 * separate store: user and item state start empty for each.
 */
public final class TrainingExampleExtractor {
    /** The job's default sequence capacity; the extractor keeps the same history per user. */
    public static final int DEFAULT_SEQUENCE_CAPACITY = 64;

    private final int sequenceCapacity;

    public TrainingExampleExtractor(int sequenceCapacity) {
        this.sequenceCapacity = sequenceCapacity;
    }

    /** One example, before it is written. */
    public record Example(
            FeatureVector features,
            float logPriceRatio,
            boolean purchased,
            boolean carted,
            long requestTimeMs,
            String itemId,
            String userId,
            String requestId,
            ItemSnapshot item) {}

    public static void main(String[] args) throws Exception {
        Path out = null;
        List<Path> data = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--data" -> data.add(Path.of(args[++i]));
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + " (usage: --out DIR --data FILE [--data FILE ...])");
            }
        }
        if (out == null || data.isEmpty()) {
            throw new IllegalArgumentException("usage: --out DIR --data FILE [--data FILE ...]");
        }
        TrainingExampleExtractor extractor = new TrainingExampleExtractor(DEFAULT_SEQUENCE_CAPACITY);
        List<Example> examples = new ArrayList<>();
        for (Path file : data) {
            examples.addAll(extractor.extract(file));
        }
        write(out, examples, data);
        long positives = examples.stream().filter(Example::purchased).count();
        System.out.printf("examples: %d (purchase-labelled %d) written to %s%n", examples.size(), positives, out);
    }

    /** Replays one log and returns its examples in replay order. */
    public List<Example> extract(Path csv) throws IOException {
        return extract(Rees46Reader.readAll(csv), Rees46Converter.sourceTagOf(csv), FeatureVectorizer::compute);
    }

    /** How a request's features are computed; the job's own vectoriser unless a test swaps it. */
    public interface Featurizer {
        FeatureVector compute(UserBehaviour user, ItemSnapshot item, long requestTimeMs);
    }

    /** Replays rows of one store, in order, and returns the examples. */
    public List<Example> extract(List<Rees46Row> rows, String sourceTag, Featurizer featurizer) {
        Map<String, List<long[]>> outcomesByUserItem = indexOutcomes(rows);

        Rees46Converter converter = new Rees46Converter(sourceTag);
        Map<String, UserBehaviour> users = new HashMap<>();
        Map<String, ItemProfile> items = new HashMap<>();
        List<Example> examples = new ArrayList<>();
        for (Rees46Row row : rows) {
            for (ReplayRecord record : converter.convert(row)) {
                switch (record.role()) {
                    case CATALOG -> {
                        CatalogUpdate update = (CatalogUpdate) record.value();
                        items.computeIfAbsent(update.itemId(), ItemProfile::of).apply(update);
                    }
                    case REQUEST -> {
                        PriceRequest request = (PriceRequest) record.value();
                        ItemProfile item = items.get(request.itemId());
                        if (item == null || !item.hasCatalog || !(row.price() > 0)) {
                            continue; // The job cannot price it either: no list price, or no price shown.
                        }
                        ItemSnapshot snapshot = item.snapshot();
                        FeatureVector features =
                                featurizer.compute(users.get(request.userId()), snapshot, request.requestTimeMs());
                        float logRatio = (float) Math.log(row.price() / snapshot.listPrice());
                        boolean[] labels = labels(
                                outcomesByUserItem.get(request.userId() + "|" + request.itemId()),
                                request.requestTimeMs());
                        examples.add(new Example(
                                features,
                                logRatio,
                                labels[0],
                                labels[1],
                                request.requestTimeMs(),
                                request.itemId(),
                                request.userId(),
                                request.requestId(),
                                snapshot));
                    }
                    case BEHAVIOUR -> {
                        BehaviourEvent event = (BehaviourEvent) record.value();
                        users.computeIfAbsent(event.userId(), u -> UserBehaviour.empty(sequenceCapacity))
                                .record(event);
                        items.computeIfAbsent(event.itemId(), ItemProfile::of).apply(event);
                    }
                }
            }
        }
        return examples;
    }

    /** (time, type ordinal) of every cart and purchase, per user and item. */
    private static Map<String, List<long[]>> indexOutcomes(List<Rees46Row> rows) {
        Map<String, List<long[]>> index = new HashMap<>();
        for (Rees46Row row : rows) {
            EventType type = EventType.fromWireName(row.eventType());
            if (type == EventType.PURCHASE || type == EventType.CART) {
                index.computeIfAbsent(row.userId() + "|" + row.productId(), k -> new ArrayList<>())
                        .add(new long[] {row.eventTimeMs(), type.ordinal()});
            }
        }
        return index;
    }

    private static boolean[] labels(List<long[]> outcomes, long requestTimeMs) {
        boolean purchased = false;
        boolean carted = false;
        if (outcomes != null) {
            for (long[] o : outcomes) {
                if (o[0] > requestTimeMs && o[0] <= requestTimeMs + FeatureSpec.LABEL_WINDOW_MS) {
                    purchased |= o[1] == EventType.PURCHASE.ordinal();
                    carted |= o[1] == EventType.CART.ordinal();
                }
            }
        }
        return new boolean[] {purchased, carted};
    }

    public static void write(Path dir, List<Example> examples, List<Path> sources) throws IOException {
        Files.createDirectories(dir);
        int n = examples.size();
        ByteBuffer seq = buffer(n * FeatureSpec.SEQUENCE_LENGTH * FeatureSpec.TOKEN_DIM * 4L);
        ByteBuffer mask = buffer(n * FeatureSpec.SEQUENCE_LENGTH * 4L);
        ByteBuffer ctx = buffer(n * FeatureSpec.CONTEXT_DIM * 4L);
        ByteBuffer ratio = buffer(n * 4L);
        ByteBuffer purchase = buffer(n * 4L);
        ByteBuffer cart = buffer(n * 4L);
        ByteBuffer time = buffer(n * 8L);
        ByteBuffer item = buffer(n * 8L);
        for (Example e : examples) {
            for (float v : e.features().sequence()) seq.putFloat(v);
            for (float v : e.features().paddingMask()) mask.putFloat(v);
            for (float v : e.features().contextRaw()) ctx.putFloat(v);
            ratio.putFloat(e.logPriceRatio());
            purchase.putFloat(e.purchased() ? 1f : 0f);
            cart.putFloat(e.carted() ? 1f : 0f);
            time.putLong(e.requestTimeMs());
            item.putLong(parseItemId(e.itemId()));
        }
        writeBuffer(dir.resolve("seq.f32"), seq);
        writeBuffer(dir.resolve("mask.f32"), mask);
        writeBuffer(dir.resolve("context.f32"), ctx);
        writeBuffer(dir.resolve("log_price_ratio.f32"), ratio);
        writeBuffer(dir.resolve("label_purchase.f32"), purchase);
        writeBuffer(dir.resolve("label_cart.f32"), cart);
        writeBuffer(dir.resolve("event_time.i64"), time);
        writeBuffer(dir.resolve("item_id.i64"), item);

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("feature_spec_version", FeatureSpec.VERSION);
        meta.put("n", n);
        meta.put("seq_len", FeatureSpec.SEQUENCE_LENGTH);
        meta.put("token_dim", FeatureSpec.TOKEN_DIM);
        meta.put("context_dim", FeatureSpec.CONTEXT_DIM);
        meta.put("token_features", FeatureSpec.TOKEN_FEATURES);
        meta.put("context_features", FeatureSpec.CONTEXT_FEATURES);
        meta.put("attribution_window_s", FeatureSpec.LABEL_WINDOW_MS / 1000);
        meta.put("feature_fingerprint", FeatureFingerprint.current());
        List<Map<String, String>> files = new ArrayList<>();
        for (Path source : sources) {
            files.add(Map.of("file", source.getFileName().toString(), "sha256", Checksums.sha256(source)));
        }
        meta.put("source_files", files);
        Files.writeString(
                dir.resolve("meta.json"),
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /** Item ids of REES46 are numeric; others are hashed so the column stays an int64. */
    private static long parseItemId(String itemId) {
        try {
            return Long.parseLong(itemId);
        } catch (NumberFormatException e) {
            return org.pricingengine.features.state.Hashing.hash(itemId);
        }
    }

    private static ByteBuffer buffer(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many examples for one file: " + bytes + " bytes");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeBuffer(Path file, ByteBuffer buffer) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(buffer.array(), 0, buffer.position());
        }
    }
}
