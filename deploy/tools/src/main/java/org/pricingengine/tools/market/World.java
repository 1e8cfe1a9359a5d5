package org.pricingengine.tools.market;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.pricingengine.tools.local.CompetitorFeed;

/**
 * The true demand of a simulated market: how likely a shopper is to buy an item at a price. A world is
 * a test fixture the simulator plays and the job never sees; its format is documented in the README
 * ("Closed-loop market"). {@link #read} refuses a file with an unknown, missing or out-of-range field
 * and names it.
 *
 * <p>For a request with observable traits {@code t} (see {@link Trait}), a shopper effect {@code u} and
 * a shopper factor {@code z} (both drawn once per shopper, invisible to the job):
 * <ul>
 *   <li>log-odds of buying at list price {@code a = propensity.intercept + sum propensity.weights[t] x t + u},
 *       {@code u ~ N(0, propensity.shopper_sd)};</li>
 *   <li>price sensitivity {@code b = sensitivity.median x exp(sum sensitivity.weights[t] x t +
 *       sensitivity.spread x z)}, {@code z ~ N(0, 1)};</li>
 *   <li>the probability of buying at price {@code p} with list price {@code L}: {@link Shape}.</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "name",
    "description",
    "seed",
    "cost_ratio",
    "reference_price",
    "propensity",
    "sensitivity",
    "shape",
    "carts",
    "stock",
    "competitors"
})
public record World(
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        @JsonProperty("seed") Long seed,
        @JsonProperty("cost_ratio") Double costRatio,
        @JsonProperty("reference_price") Double referencePrice,
        @JsonProperty("propensity") Propensity propensity,
        @JsonProperty("sensitivity") Sensitivity sensitivity,
        @JsonProperty("shape") Shape shape,
        @JsonProperty("carts") Carts carts,
        @JsonProperty("stock") Stock stock,
        @JsonProperty("competitors") CompetitorFeed.Settings competitors) {

    /** A world without stock limits or competitors: unlimited stock, as before stock existed. */
    public World(
            String name,
            String description,
            Long seed,
            Double costRatio,
            Double referencePrice,
            Propensity propensity,
            Sensitivity sensitivity,
            Shape shape,
            Carts carts) {
        this(name, description, seed, costRatio, referencePrice, propensity, sensitivity, shape, carts, null, null);
    }

    /** Purchase log-odds at list price: intercept, trait weights, and the sd of a per-shopper effect. */
    @JsonPropertyOrder({"intercept", "weights", "shopper_sd"})
    public record Propensity(
            @JsonProperty("intercept") Double intercept,
            @JsonProperty("weights") Map<String, Double> weights,
            @JsonProperty("shopper_sd") Double shopperSd) {}

    /** Price sensitivity: median (all traits zero), log-normal per-shopper spread, trait weights. */
    @JsonPropertyOrder({"median", "spread", "weights"})
    public record Sensitivity(
            @JsonProperty("median") Double median,
            @JsonProperty("spread") Double spread,
            @JsonProperty("weights") Map<String, Double> weights) {}

    /**
     * How the purchase probability falls with the price ratio {@code r = p / L}, given {@code a} and
     * {@code b}. {@code threshold}: for {@code kinked} only, the discount below which shoppers do not
     * respond at all.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"type", "threshold"})
    public record Shape(
            @JsonProperty("type") String type,
            @JsonProperty("threshold") Double threshold) {
        public ShapeType kind() {
            return ShapeType.valueOf(type.toUpperCase(Locale.ROOT));
        }
    }

    public enum ShapeType {
        /** {@code P = sigmoid(a - b ln r)}: the curve the job's model assumes. */
        LOGISTIC,
        /** {@code P = sigmoid(a) x (1 + b (1 - r))}, cut to [0, 1]: demand linear in price. */
        LINEAR,
        /**
         * {@code P = sigmoid(a - b ln(min(1, r / (1 - threshold))))} below list, logistic above: no response
         * to discounts smaller than the threshold, the full sensitivity beyond it.
         */
        KINKED
    }

    /**
     * What shoppers do besides buying. {@code cart_before_purchase}: share of purchases preceded by a
     * cart event. {@code abandoned_per_purchase}: a shopper who does not buy adds the item to the cart and
     * removes it again with probability {@code min(1, abandoned_per_purchase x P(p))}, so abandoned carts
     * also fall with the price.
     */
    @JsonPropertyOrder({"cart_before_purchase", "abandoned_per_purchase"})
    public record Carts(
            @JsonProperty("cart_before_purchase") Double cartBeforePurchase,
            @JsonProperty("abandoned_per_purchase") Double abandonedPerPurchase) {}

    /**
     * Limited stock (optional: a world without it has unlimited stock and the simulator sends no
     * inventory). Items fall into {@code classes} by a hash of the world seed and the item id, each
     * class taking its {@code share} of the items; shares may leave a remainder, whose items have
     * unlimited stock. An item's stock is set in hours of its expected demand (see {@link StockClass});
     * {@code min_units}: no item starts or is replenished below this many units.
     */
    @JsonPropertyOrder({"min_units", "classes"})
    public record Stock(
            @JsonProperty("min_units") Integer minUnits,
            @JsonProperty("classes") java.util.List<StockClass> classes) {}

    /**
     * One class of items. The expected demand of an item is its requests per hour of event time in one
     * pass of the traffic times {@code sigmoid(propensity.intercept + propensity.weights.price_level x
     * price_level)}, the purchase probability at list price of a new shopper with no history.
     * {@code initial_cover_hours}: the first stock, in hours of that demand. {@code
     * replenish_every_hours} (optional): every this many hours of event time since the item's first
     * appearance, the stock is topped up to {@code replenish_to_cover_hours} of demand (never taken
     * down); without it the item is never replenished.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "share", "initial_cover_hours", "replenish_every_hours", "replenish_to_cover_hours"})
    public record StockClass(
            @JsonProperty("name") String name,
            @JsonProperty("share") Double share,
            @JsonProperty("initial_cover_hours") Double initialCoverHours,
            @JsonProperty("replenish_every_hours") Double replenishEveryHours,
            @JsonProperty("replenish_to_cover_hours") Double replenishToCoverHours) {}

    /** The observable traits the weights may name; computed by the simulator from what it sent. */
    public enum Trait {
        /** {@code ln(list price / reference_price)}. */
        PRICE_LEVEL,
        /** 1 when the shopper had any earlier behaviour event, else 0. */
        RETURNING,
        /** {@code ln(1 + purchases so far)}. */
        PAST_PURCHASES,
        /** {@code ln(1 + earlier views of this item by this shopper)}. */
        ITEM_INTEREST,
        /** {@code removes from cart / (carts + 1)}, both counted so far. */
        BARGAIN_HUNTING;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Trait ofWireName(String field, String name) {
            for (Trait t : values()) {
                if (t.wireName().equals(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException(field + ": unknown trait '" + name + "' (known: "
                    + java.util.Arrays.stream(values()).map(Trait::wireName).collect(Collectors.joining(", ")) + ")");
        }
    }

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Reads and validates a world file; the message of any failure names the file and the field. */
    public static World read(Path file) throws IOException {
        World w;
        try {
            w = parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("world " + file + ": " + e.getMessage(), e);
        }
        return w;
    }

    /** Parses and validates a world from JSON text. */
    public static World parse(String json) {
        World w;
        try {
            w = STRICT.readValue(json, World.class);
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(path(e) + ": unknown field (known: "
                    + e.getKnownPropertyIds().stream()
                            .map(Object::toString)
                            .sorted()
                            .collect(Collectors.joining(", "))
                    + ")");
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(path(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (w == null) {
            throw new IllegalArgumentException("empty world");
        }
        w.validate();
        return w;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** @throws IllegalArgumentException naming the first field that is missing or out of range */
    public void validate() {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: missing or blank");
        }
        present("seed", seed);
        between("cost_ratio", costRatio, 0, 1, false);
        positive("reference_price", referencePrice);
        present("propensity", propensity);
        finite("propensity.intercept", propensity.intercept());
        weights("propensity.weights", propensity.weights());
        between("propensity.shopper_sd", propensity.shopperSd(), 0, 5, true);
        present("sensitivity", sensitivity);
        positive("sensitivity.median", sensitivity.median());
        if (sensitivity.median() > 100) {
            throw new IllegalArgumentException("sensitivity.median: " + sensitivity.median() + " is above 100");
        }
        between("sensitivity.spread", sensitivity.spread(), 0, 3, true);
        weights("sensitivity.weights", sensitivity.weights());
        present("shape", shape);
        present("shape.type", shape.type());
        ShapeType kind;
        try {
            kind = shape.kind();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "shape.type: unknown shape '" + shape.type() + "' (known: logistic, linear, kinked)");
        }
        if (kind == ShapeType.KINKED) {
            between("shape.threshold", shape.threshold(), 0, 0.9, true);
        } else if (shape.threshold() != null) {
            throw new IllegalArgumentException("shape.threshold: only the kinked shape has a threshold");
        }
        present("carts", carts);
        between("carts.cart_before_purchase", carts.cartBeforePurchase(), 0, 1, true);
        between("carts.abandoned_per_purchase", carts.abandonedPerPurchase(), 0, 100, true);
        if (stock != null) {
            validateStock();
        }
        if (competitors != null) {
            competitors.validate("competitors");
        }
    }

    private void validateStock() {
        present("stock.min_units", stock.minUnits());
        if (stock.minUnits() < 0 || stock.minUnits() > 1_000_000) {
            throw new IllegalArgumentException("stock.min_units: must be in [0, 1000000], got " + stock.minUnits());
        }
        if (stock.classes() == null || stock.classes().isEmpty()) {
            throw new IllegalArgumentException("stock.classes: missing or empty");
        }
        double shares = 0;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < stock.classes().size(); i++) {
            StockClass c = stock.classes().get(i);
            String at = "stock.classes[" + i + "]";
            if (c == null) {
                throw new IllegalArgumentException(at + ": missing");
            }
            if (c.name() == null || c.name().isBlank()) {
                throw new IllegalArgumentException(at + ".name: missing or blank");
            }
            if (!names.add(c.name())) {
                throw new IllegalArgumentException(at + ".name: '" + c.name() + "' appears twice");
            }
            between(at + ".share", c.share(), 0, 1, true);
            shares += c.share();
            between(at + ".initial_cover_hours", c.initialCoverHours(), 0, 100_000, true);
            if (c.replenishEveryHours() == null) {
                if (c.replenishToCoverHours() != null) {
                    throw new IllegalArgumentException(
                            at + ".replenish_to_cover_hours: only with replenish_every_hours");
                }
            } else {
                positive(at + ".replenish_every_hours", c.replenishEveryHours());
                between(at + ".replenish_to_cover_hours", c.replenishToCoverHours(), 0, 100_000, true);
            }
        }
        if (shares > 1 + 1e-9) {
            throw new IllegalArgumentException("stock.classes: the shares add up to " + shares + ", above 1");
        }
    }

    /** The weights of a map by trait (absent traits weigh 0). */
    static double[] weightsByTrait(Map<String, Double> weights) {
        double[] w = new double[Trait.values().length];
        if (weights != null) {
            weights.forEach((k, v) -> w[Trait.ofWireName("weights", k).ordinal()] = v);
        }
        return w;
    }

    /** The world with another seed (the command's --seed). */
    public World withSeed(long newSeed) {
        return new World(
                name,
                description,
                newSeed,
                costRatio,
                referencePrice,
                propensity,
                sensitivity,
                shape,
                carts,
                stock,
                competitors);
    }

    private static void present(String field, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
    }

    private static void finite(String field, Double value) {
        present(field, value);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(field + ": must be a finite number, got " + value);
        }
    }

    private static void positive(String field, Double value) {
        finite(field, value);
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": must be above 0, got " + value);
        }
    }

    private static void between(String field, Double value, double low, double high, boolean closed) {
        finite(field, value);
        boolean inside = closed ? value >= low && value <= high : value > low && value < high;
        if (!inside) {
            throw new IllegalArgumentException(field + ": must be in " + (closed ? "[" : "(") + low + ", " + high
                    + (closed ? "]" : ")") + ", got " + value);
        }
    }

    private static void weights(String field, Map<String, Double> weights) {
        if (weights == null) {
            return;
        }
        weights.forEach((k, v) -> {
            Trait.ofWireName(field, k);
            if (v == null || !Double.isFinite(v) || Math.abs(v) > 10) {
                throw new IllegalArgumentException(field + "." + k + ": must be a number in [-10, 10], got " + v);
            }
        });
    }
}
