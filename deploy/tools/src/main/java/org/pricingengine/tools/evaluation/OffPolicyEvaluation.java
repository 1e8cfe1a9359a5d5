package org.pricingengine.tools.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pricingengine.features.events.Json;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.policy.DecisionFeatures;
import org.pricingengine.job.policy.PriceExperiment;
import org.pricingengine.tools.cli.ToolArguments;

/**
 * Off-policy evaluation: what a target policy would have earned per request on the requests the job
 * priced with exploration, estimated from the logged outcomes alone (no new traffic).
 *
 * <p>Only randomized decisions count (the experiment says {@code randomized} and its propensity is
 * below 1). The others (holdout, stable quotes, fallbacks, a single candidate) were not a draw: the
 * logging policy could not have quoted another price, so an outcome there says nothing about how a
 * different price would have fared, and a target that would quote another price there has no support.
 * The estimates are therefore per randomized request: what the target earns on the requests where the
 * job explores, not on all traffic.
 *
 * <p>For each randomized decision i with logged candidates a, logging probabilities mu(a), chosen
 * candidate a_i, reward r_i and the target's probabilities pi(a): importance weight
 * w_i = min(pi(a_i) / mu(a_i), max weight) (clipping bounds the variance a rare candidate would add, at
 * the cost of a downward bias, so the count clipped is reported); IPS = sum w r / n; self-normalised IPS =
 * sum w r / sum w; doubly robust = mean over i of sum_a pi(a) q(a) + w_i (r_i - q(a_i)), where q is the
 * direct model's expected reward (the target model's curve for {@code model:} targets, the logged curve
 * at the posterior mean otherwise). Effective sample size (sum w)^2 / sum w^2. Rewards: realised margin
 * (purchased ? price - unit cost : 0, one unit), revenue (purchased ? price : 0) and conversion. Intervals
 * are bootstrap percentiles over shoppers (user ids resampled with replacement): one shopper's requests
 * are not independent of each other.
 */
public final class OffPolicyEvaluation {
    private OffPolicyEvaluation() {}

    /**
     * {@code maxWeight}: importance weights are clipped here; {@code resamples}: bootstrap resamples;
     * {@code confidence}: level of the intervals (0.9: 5th to 95th percentile); {@code seed}: of the
     * resampling.
     */
    public record Settings(double maxWeight, int resamples, double confidence, long seed) {
        public Settings {
            if (!(maxWeight >= 1)) {
                throw new IllegalArgumentException("max weight must be at least 1, got " + maxWeight);
            }
            if (resamples < 1) {
                throw new IllegalArgumentException("resamples must be at least 1, got " + resamples);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be between 0 and 1, got " + confidence);
            }
        }

        public static Settings defaults() {
            return new Settings(50, 200, 0.90, 42);
        }
    }

    /** One reward's per-request estimates; null where there was nothing to estimate from. */
    @JsonPropertyOrder({"logged", "ips", "snips", "dr", "dm"})
    public record Estimates(
            @JsonProperty("logged") Double logged,
            @JsonProperty("ips") Double ips,
            @JsonProperty("snips") Double snips,
            @JsonProperty("dr") Double dr,
            @JsonProperty("dm") Double dm) {}

    /** Bootstrap percentile interval of one estimate. */
    @JsonPropertyOrder({"ci_low", "ci_high"})
    public record Interval(
            @JsonProperty("ci_low") Double low,
            @JsonProperty("ci_high") Double high) {
        static final Interval NONE = new Interval(null, null);
    }

    /**
     * The {@code ope: {json}} line. Counts: {@code logged} outcomes read, {@code randomized} among them,
     * {@code requests} used (randomized ones the target could price), {@code not_priceable} (randomized
     * but the target has no curve for them, e.g. no logged model input), {@code unsupported} (the target
     * quotes a candidate the logging policy gave probability 0: biased there). Margin figures are
     * unprefixed ({@code ips}, {@code dr}, {@code dr_ci_low}, ...); revenue and conversion carry their
     * prefix. {@code logged}: the realised per-request value of the logging policy on the same requests.
     */
    @JsonPropertyOrder({
        "policy",
        "logged_outcomes",
        "randomized",
        "requests",
        "users",
        "not_priceable",
        "unsupported",
        "max_weight",
        "clipped",
        "ess"
    })
    public record Result(
            @JsonProperty("policy") String policy,
            @JsonProperty("logged_outcomes") long loggedOutcomes,
            @JsonProperty("randomized") long randomized,
            @JsonProperty("requests") long requests,
            @JsonProperty("users") long users,
            @JsonProperty("not_priceable") long notPriceable,
            @JsonProperty("unsupported") long unsupported,
            @JsonProperty("max_weight") double maxWeight,
            @JsonProperty("clipped") long clipped,
            @JsonProperty("ess") Double ess,
            @JsonUnwrapped Estimates margin,
            @JsonUnwrapped(prefix = "ips_") Interval ipsInterval,
            @JsonUnwrapped(prefix = "snips_") Interval snipsInterval,
            @JsonUnwrapped(prefix = "dr_") Interval drInterval,
            @JsonUnwrapped(prefix = "revenue_") Estimates revenue,
            @JsonUnwrapped(prefix = "revenue_dr_") Interval revenueDrInterval,
            @JsonUnwrapped(prefix = "conversion_") Estimates conversion,
            @JsonUnwrapped(prefix = "conversion_dr_") Interval conversionDrInterval,
            @JsonProperty("confidence") double confidence,
            @JsonProperty("resamples") int resamples,
            @JsonProperty("seed") long seed) {

        /** Margin per request, doubly robust. */
        public Double dr() {
            return margin.dr();
        }

        public Double drCiLow() {
            return drInterval.low();
        }

        public Double drCiHigh() {
            return drInterval.high();
        }
    }

    private static final int MARGIN = 0;
    private static final int REVENUE = 1;
    private static final int CONVERSION = 2;
    private static final int REWARDS = 3;

    /** Sums over one shopper's requests: what a bootstrap resample adds up. */
    private static final class Sums {
        long n;
        double w;
        double w2;
        final double[] wr = new double[REWARDS];
        final double[] dr = new double[REWARDS];
        final double[] dm = new double[REWARDS];
        final double[] r = new double[REWARDS];

        void add(Sums o) {
            n += o.n;
            w += o.w;
            w2 += o.w2;
            for (int k = 0; k < REWARDS; k++) {
                wr[k] += o.wr[k];
                dr[k] += o.dr[k];
                dm[k] += o.dm[k];
                r[k] += o.r[k];
            }
        }

        Double ips(int k) {
            return n == 0 ? null : wr[k] / n;
        }

        Double snips(int k) {
            return w == 0 ? null : wr[k] / w;
        }

        Double dr(int k) {
            return n == 0 ? null : dr[k] / n;
        }

        Estimates estimates(int k) {
            return new Estimates(
                    n == 0 ? null : round(r[k] / n),
                    round(ips(k)),
                    round(snips(k)),
                    round(dr(k)),
                    n == 0 ? null : round(dm[k] / n));
        }
    }

    /** Estimates what {@code target} would earn per randomized request of the log. */
    public static Result evaluate(List<FeedbackOutcome> outcomes, TargetPolicy target, Settings settings) {
        Map<String, Sums> byUser = new LinkedHashMap<>();
        long randomized = 0;
        long notPriceable = 0;
        long unsupported = 0;
        long clipped = 0;
        for (FeedbackOutcome o : outcomes) {
            if (!LoggedFeedback.randomized(o)) {
                continue;
            }
            randomized++;
            PriceExperiment e = o.experiment();
            double[] candidates = e.candidates();
            double[] logging = e.probabilities();
            if (o.price() == null
                    || o.listPrice() == null
                    || o.unitCost() == null
                    || candidates == null
                    || logging == null
                    || logging.length != candidates.length
                    || e.chosen() < 0
                    || e.chosen() >= candidates.length) {
                notPriceable++;
                continue;
            }
            double[] pi = target.probabilities(o);
            if (pi == null || pi.length != candidates.length) {
                notPriceable++;
                continue;
            }
            double cost = o.unitCost();
            int chosen = e.chosen();
            double[][] q = new double[REWARDS][candidates.length];
            boolean support = true;
            for (int a = 0; a < candidates.length; a++) {
                double p = target.conversionAt(o, candidates[a]);
                // Without a direct model the record's doubly robust term is its IPS term: still unbiased.
                p = Double.isFinite(p) ? p : 0;
                q[MARGIN][a] = (candidates[a] - cost) * p;
                q[REVENUE][a] = candidates[a] * p;
                q[CONVERSION][a] = p;
                if (pi[a] > 0 && !(logging[a] > 0)) {
                    support = false;
                }
            }
            if (!support) {
                unsupported++;
            }
            double raw = pi[chosen] / e.propensity();
            double w = raw;
            if (raw > settings.maxWeight()) {
                clipped++;
                w = settings.maxWeight();
            }
            boolean bought = o.purchased();
            double[] reward = {bought ? o.price() - cost : 0, bought ? o.price() : 0, bought ? 1 : 0};
            String user = o.userId() != null ? o.userId() : "decision:" + o.decisionId();
            Sums s = byUser.computeIfAbsent(user, u -> new Sums());
            s.n++;
            s.w += w;
            s.w2 += w * w;
            for (int k = 0; k < REWARDS; k++) {
                double direct = 0;
                for (int a = 0; a < candidates.length; a++) {
                    direct += pi[a] * q[k][a];
                }
                s.wr[k] += w * reward[k];
                s.dm[k] += direct;
                s.dr[k] += direct + w * (reward[k] - q[k][chosen]);
                s.r[k] += reward[k];
            }
        }
        Sums total = new Sums();
        byUser.values().forEach(total::add);
        Interval[] intervals = bootstrap(new ArrayList<>(byUser.values()), settings);
        return new Result(
                target.name(),
                outcomes.size(),
                randomized,
                total.n,
                byUser.size(),
                notPriceable,
                unsupported,
                settings.maxWeight(),
                clipped,
                total.w2 == 0 ? null : round(total.w * total.w / total.w2),
                total.estimates(MARGIN),
                intervals[0],
                intervals[1],
                intervals[2],
                total.estimates(REVENUE),
                intervals[3],
                total.estimates(CONVERSION),
                intervals[4],
                settings.confidence(),
                settings.resamples(),
                settings.seed());
    }

    /** Percentile intervals of margin IPS, SNIPS, DR, revenue DR and conversion DR over resampled shoppers. */
    private static Interval[] bootstrap(List<Sums> users, Settings settings) {
        Interval[] none = {Interval.NONE, Interval.NONE, Interval.NONE, Interval.NONE, Interval.NONE};
        if (users.isEmpty()) {
            return none;
        }
        int b = settings.resamples();
        double[][] values = new double[5][b];
        Random random = new Random(settings.seed());
        int u = users.size();
        for (int i = 0; i < b; i++) {
            Sums s = new Sums();
            for (int j = 0; j < u; j++) {
                s.add(users.get(random.nextInt(u)));
            }
            values[0][i] = s.ips(MARGIN);
            values[1][i] = s.snips(MARGIN) == null ? Double.NaN : s.snips(MARGIN);
            values[2][i] = s.dr(MARGIN);
            values[3][i] = s.dr(REVENUE);
            values[4][i] = s.dr(CONVERSION);
        }
        double lowQ = (1 - settings.confidence()) / 2;
        Interval[] out = new Interval[5];
        for (int k = 0; k < 5; k++) {
            double[] finite =
                    Arrays.stream(values[k]).filter(Double::isFinite).sorted().toArray();
            out[k] = finite.length == 0
                    ? Interval.NONE
                    : new Interval(round(quantile(finite, lowQ)), round(quantile(finite, 1 - lowQ)));
        }
        return out;
    }

    /** Linear interpolation between order statistics of a sorted array. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static Double round(Double v) {
        return v == null || !Double.isFinite(v) ? null : Math.round(v * 1e6) / 1e6;
    }

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/ope.sh",
                    "Estimates a target pricing policy's margin, revenue and conversion per request from logged "
                            + "feedback outcomes (IPS, self-normalised IPS, doubly robust; README \"Off-policy evaluation\").")
            .required("policy", "the target: list, uniform:D (e.g. uniform:0.1), greedy or model:VERSION")
            .option("feedback-log", null, "a JSONL file of feedback outcomes (instead of the topic)")
            .option("features-log", null, "a JSONL file of decision features (model: targets)")
            .option("bootstrap-servers", null, "read the topics from this Kafka cluster")
            .option("feedback-topic", "pricing.feedback-outcomes", "the feedback topic (read_committed, to its end)")
            .option("features-topic", "", "the decision-features topic (model: targets)")
            .option("model-dir", "model-assets/models", "where the model versions are (model: targets)")
            .option("max-weight", "50", "importance weights are clipped at this value")
            .option("resamples", "200", "bootstrap resamples (shoppers drawn with replacement)")
            .option("confidence", "0.90", "level of the bootstrap intervals")
            .option("seed", "42", "seed of the resampling")
            .option("json-out", null, "also write the result JSON to this file")
            .jobOptions("kafka.client.* options for the Kafka consumer (security settings)", false);

    public static void main(String[] args) throws Exception {
        ToolArguments options = OPTIONS.parseOrExit(args);
        Result result;
        try {
            result = run(options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("ope: " + e.getMessage());
            System.exit(2);
            return;
        }
        String json = Json.mapper().writeValueAsString(result);
        if (options.optional("json-out").isPresent()) {
            Path out = options.path("json-out");
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(
                    out, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
        }
        System.out.println("ope: " + json);
        System.exit(result.requests() > 0 ? 0 : 1);
    }

    static Result run(ToolArguments options) throws Exception {
        PricingConfig config = PricingConfig.fromArgs(options.jobArgs().toArray(String[]::new));
        String policy = options.string("policy");
        boolean fromFile = options.optional("feedback-log").isPresent();
        if (fromFile == options.optional("bootstrap-servers").isPresent()) {
            throw new IllegalArgumentException("give either --feedback-log FILE or --bootstrap-servers HOST:PORT");
        }
        List<FeedbackOutcome> outcomes = fromFile
                ? LoggedFeedback.readOutcomes(options.path("feedback-log"))
                : LoggedFeedback.outcomesFromTopic(
                        options.string("bootstrap-servers"), config, options.string("feedback-topic"));
        Settings settings = new Settings(
                options.decimal("max-weight"),
                options.integer("resamples"),
                options.decimal("confidence"),
                options.longValue("seed"));
        TargetPolicy target = TargetPolicy.parse(policy, version -> {
            java.util.Set<String> wanted = LoggedFeedback.randomizedDecisionIds(outcomes);
            Map<String, DecisionFeatures> features;
            try {
                if (options.optional("features-log").isPresent()) {
                    features = LoggedFeedback.readFeatures(options.path("features-log"), wanted::contains);
                } else if (options.optional("features-topic").isPresent() && !fromFile) {
                    features = LoggedFeedback.featuresFromTopic(
                            options.string("bootstrap-servers"),
                            config,
                            options.string("features-topic"),
                            wanted::contains);
                } else {
                    throw new IllegalArgumentException(
                            "model:" + version + " scores the logged model inputs: give --features-log FILE "
                                    + "or --features-topic TOPIC");
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            System.out.println(
                    "ope: " + features.size() + " logged model inputs for " + wanted.size() + " randomized decisions");
            return ModelTarget.score(options.path("model-dir"), version, outcomes, features);
        });
        Result r = evaluate(outcomes, target, settings);
        System.out.printf(
                "ope: %s on %d of %d outcomes (%d randomized, %d shoppers): margin/request dr %s [%s, %s], "
                        + "ips %s, snips %s, logged %s; ess %s, %d weights clipped at %.0f%n",
                r.policy(),
                r.requests(),
                r.loggedOutcomes(),
                r.randomized(),
                r.users(),
                r.margin().dr(),
                r.drInterval().low(),
                r.drInterval().high(),
                r.margin().ips(),
                r.margin().snips(),
                r.margin().logged(),
                r.ess(),
                r.clipped(),
                r.maxWeight());
        return r;
    }
}
