package org.pricingengine.job.policy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pricingengine.features.FeatureSpec;
import org.pricingengine.features.state.Hashing;
import org.pricingengine.features.state.ItemSnapshot;
import org.pricingengine.job.policy.ItemRules.StockPosition;
import org.pricingengine.job.policy.PriceBounds.FairnessBand;
import org.pricingengine.job.scoring.DemandEstimate;
import org.pricingengine.job.scoring.ScoringFailure;

/**
 * Chooses a price from the model's demand curve, inside guardrails that hold whatever the model says, and
 * explores so that the price response can be learned.
 *
 * <p>Bounds: floor = max(unit cost x (1 + min margin), list price x (1 - max discount)); ceiling = list
 * price x (1 + max markup); then the item's stock, competitor and fairness rules ({@link ItemRules},
 * {@link #bounds}). If the user was quoted for this item recently, the new price also stays within
 * max-change of that quote (when that interval meets the bounds). Both ends are snapped inward onto the
 * rounding grid.
 *
 * <p>Choice: the candidates are the price ladder (shares of the list price) cut to the bounds. The curve
 * is the model's P(p) = sigmoid(a - b ln(p / list)) corrected by what the job has learned for the
 * request's segment (see {@link SegmentPosterior}); the objective is expected margin (p - cost) P(p) or
 * revenue p P(p). See {@link #decide(ItemSnapshot, DemandEstimate, ScoringFailure, Double, PricingContext)}
 * for how exploration and the holdout choose among the candidates. Without a usable curve (model error,
 * timeout, NaN or absurd outputs) the fallback is the list price clamped into the bounds.
 */
public final class PricingPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PolicySettings settings;
    private transient ExplorationDraws draws;

    public PricingPolicy(PolicySettings settings) {
        this.settings = settings;
    }

    public PolicySettings settings() {
        return settings;
    }

    public double unitCost(ItemSnapshot item) {
        Double cost = item.unitCost();
        return cost != null ? cost : item.listPrice() * settings.costRatio();
    }

    /**
     * The guardrails for one request, in order of precedence: the minimum margin; the discount floor (held
     * back by scarce stock, deepened for overstock); the list-price ceiling; the competitor ceiling, unless it
     * lies under the floor (then the floor is quoted); the item's fairness band this window; and the change
     * limit around the shopper's previous quote, when it fits inside the rest.
     *
     * @param previousPrice the user's previous quote for the item still inside change memory, or null
     */
    public PriceBounds bounds(ItemSnapshot item, Double previousPrice) {
        ItemRules rules = settings.itemRules();
        double list = item.listPrice();
        double cost = unitCost(item);
        StockPosition stock = rules.stockOf(item);
        double marginFloor = cost * (1 + settings.minMargin());
        double maxDiscount = settings.maxDiscount();
        Guardrail discountGuardrail = Guardrail.FLOOR_MAX_DISCOUNT;
        if (stock.scarce()) {
            maxDiscount *= 1 - stock.scarcity();
            discountGuardrail = Guardrail.FLOOR_LOW_STOCK;
        } else if (stock.overstocked()) {
            maxDiscount += stock.glut() * Math.max(0, rules.clearanceMaxDiscount() - maxDiscount);
        }
        double discountFloor = list * (1 - maxDiscount);
        double floor = Math.max(marginFloor, discountFloor);
        Guardrail floorGuardrail = marginFloor >= discountFloor ? Guardrail.FLOOR_MIN_MARGIN : discountGuardrail;
        double ceiling = list * (1 + settings.maxMarkup());
        Guardrail ceilingGuardrail = Guardrail.CEILING_LIST_PRICE;
        boolean costAboveList = floor > ceiling;
        if (costAboveList) {
            // Selling below the margin floor is the lesser evil than quoting above list price.
            floor = ceiling;
        }
        CompetitorBound competitor = null;
        Double competitorCeiling = rules.competitorCeiling(item.lowestCompetitorPrice(), marginFloor);
        if (competitorCeiling != null && competitorCeiling < ceiling) {
            boolean belowFloor = competitorCeiling < floor;
            competitor = new CompetitorBound(
                    item.lowestCompetitor(), item.lowestCompetitorPrice(), roundCents(competitorCeiling), belowFloor);
            // Under the floor the competitor is not followed: the floor is the lowest price this job quotes.
            ceiling = belowFloor ? floor : competitorCeiling;
            ceilingGuardrail = belowFloor ? floorGuardrail : Guardrail.COMPETITOR_PRICE;
        }
        FairnessBand fairness = null;
        if (rules.fairnessMaxSpread() > 0 && item.fairnessWindowStartMs() != null && !costAboveList) {
            double windowList = item.fairnessListPrice();
            double top = windowList * (1 + settings.maxMarkup());
            Double windowCompetitorCeiling = rules.competitorCeiling(item.fairnessCompetitorPrice(), marginFloor);
            if (windowCompetitorCeiling != null) {
                top = Math.min(top, windowCompetitorCeiling);
            }
            double bandFloor = top - rules.fairnessMaxSpread() * windowList;
            fairness = new FairnessBand(roundCents(bandFloor), roundCents(top), item.fairnessWindowStartMs());
            if (bandFloor > ceiling) {
                // The ceiling fell under the window's band since it opened (a competitor cut its price): the
                // ceiling is the price closest to what others were quoted this window.
                floor = ceiling;
                floorGuardrail = Guardrail.FAIRNESS_SPREAD;
            } else if (bandFloor > floor) {
                floor = bandFloor;
                floorGuardrail = Guardrail.FAIRNESS_SPREAD;
            }
            if (top < ceiling && top >= floor) {
                ceiling = top;
                ceilingGuardrail = Guardrail.FAIRNESS_SPREAD;
            }
        }
        double[] hard = snapInward(floor, ceiling);
        PriceBounds bounds = new PriceBounds(
                hard[0], hard[1], floorGuardrail, ceilingGuardrail, costAboveList, stock, competitor, fairness);
        if (previousPrice != null && settings.maxChange() > 0 && !costAboveList) {
            // The change limit narrows the hard bounds when the two overlap on the rounding grid;
            // otherwise the hard guardrails win.
            double[] limited = snapInward(
                    Math.max(bounds.floor(), previousPrice * (1 - settings.maxChange())),
                    Math.min(bounds.ceiling(), previousPrice * (1 + settings.maxChange())));
            if (limited[0] <= limited[1] && limited[0] >= bounds.floor() && limited[1] <= bounds.ceiling()) {
                bounds = bounds.narrowed(
                        limited[0],
                        limited[1],
                        limited[0] > bounds.floor() ? Guardrail.CHANGE_LIMIT : floorGuardrail,
                        limited[1] < bounds.ceiling() ? Guardrail.CHANGE_LIMIT : ceilingGuardrail);
            }
        }
        return bounds;
    }

    /**
     * The unit cost the objective weighs: scarce stock adds its opportunity cost (a unit sold at a discount
     * now is a unit not sold at list later), overstock forgets part of the cost (the unit would sit unsold).
     * The minimum-margin floor always uses the real cost.
     */
    public double objectiveCost(ItemSnapshot item, StockPosition stock) {
        double cost = unitCost(item);
        if (stock.scarce()) {
            return cost + stock.scarcity() * Math.max(0, item.listPrice() - cost);
        }
        if (stock.overstocked()) {
            return cost * (1 - stock.glut() * settings.itemRules().overstockCostRelief());
        }
        return cost;
    }

    /** The item's reasons for a price inside these bounds: stock, competitor, fairness. */
    static void addItemReasons(PriceBounds bounds, double price, List<ReasonCode> reasons) {
        if (bounds.stock().scarce()) {
            reasons.add(ReasonCode.LOW_STOCK);
        } else if (bounds.stock().overstocked()) {
            reasons.add(ReasonCode.OVERSTOCK);
        }
        List<Guardrail> binding = bounds.bindingAt(price);
        if (bounds.competitor() != null && bounds.competitor().belowFloor()) {
            reasons.add(ReasonCode.COMPETITOR_BELOW_FLOOR);
        } else if (binding.contains(Guardrail.COMPETITOR_PRICE)) {
            reasons.add(ReasonCode.COMPETITOR_BOUND);
        }
        if (binding.contains(Guardrail.FAIRNESS_SPREAD)) {
            reasons.add(ReasonCode.FAIRNESS_BAND);
        }
    }

    /** Moves both ends onto the rounding grid, inward; an interval narrower than a step keeps its exact ends. */
    private double[] snapInward(double floor, double ceiling) {
        double unit = settings.roundingUnit();
        double snappedFloor = roundCents(Math.ceil(floor / unit - 1e-9) * unit);
        double snappedCeiling = roundCents(Math.floor(ceiling / unit + 1e-9) * unit);
        if (snappedFloor <= snappedCeiling) {
            return new double[] {snappedFloor, snappedCeiling};
        }
        return new double[] {roundCents(floor), Math.max(roundCents(floor), roundCents(ceiling))};
    }

    /**
     * The price without exploration or holdout and without learned corrections: the best ladder candidate
     * under the model's own curve (what tools compare models with).
     *
     * @param failure       why scoring gave no demand curve, or null
     * @param previousPrice the user's previous quote for the item still inside change memory, or null
     */
    public PriceQuote decide(ItemSnapshot item, DemandEstimate estimate, ScoringFailure failure, Double previousPrice) {
        return decide(item, estimate, failure, previousPrice, null);
    }

    /**
     * The price for one request. The candidates are the price ladder cut to this request's guardrails, so
     * whatever is drawn stays inside them. Then, in order: without a usable curve, the list price (in the
     * bounds); a holdout shopper, the list price; otherwise each candidate's expected margin (or revenue)
     * is evaluated under the model's curve corrected by the segment's posterior, at every one of the fixed
     * posterior draws. With Thompson sampling the price is the winner of one draw picked at random, or with
     * the uniform share a candidate picked uniformly; a candidate's probability is the share of draws it
     * wins x (1 - uniform share) + uniform share / candidates. Without exploration it is the winner at the
     * posterior mean. The random picks are seeded from the decision id.
     *
     * @param context null: no exploration, no holdout, no learned correction
     */
    public PriceQuote decide(
            ItemSnapshot item,
            DemandEstimate estimate,
            ScoringFailure failure,
            Double previousPrice,
            PricingContext context) {
        PriceBounds bounds = bounds(item, previousPrice);
        List<ReasonCode> reasons = new ArrayList<>(4);
        if (bounds.costAboveList()) {
            reasons.add(ReasonCode.COST_ABOVE_LIST_PRICE);
        }
        double list = item.listPrice();
        String segment = context == null ? null : context.segment();
        double[] traits = context == null ? null : context.traits();
        String group =
                context != null && inHoldout(context.userId()) ? PriceExperiment.HOLDOUT : PriceExperiment.POLICY;
        if (failure != null || estimate == null || !estimate.isUsable()) {
            reasons.add(
                    0, failure != null ? ReasonCode.fallbackFor(failure) : ReasonCode.FALLBACK_INVALID_MODEL_OUTPUT);
            double price = bounds.clamp(list);
            addItemReasons(bounds, price, reasons);
            PriceExperiment experiment = single(group, segment, null, price, bounds, null, null);
            return new PriceQuote(price, null, reasons, bounds.bindingAt(price), true, bounds, experiment);
        }
        SegmentPosterior posterior = context == null
                ? null
                : context.posterior() != null ? context.posterior() : SegmentPosterior.prior(null, settings.prior());
        double[] mean =
                posterior == null ? new double[] {0, 0} : new double[] {posterior.meanLevel, posterior.meanShift};
        if (PriceExperiment.HOLDOUT.equals(group)) {
            double price = bounds.clamp(round(list));
            reasons.add(ReasonCode.HOLDOUT_LIST_PRICE);
            reasons.add(price < list - 1e-9 ? ReasonCode.DISCOUNTED : ReasonCode.AT_LIST_PRICE);
            addItemReasons(bounds, price, reasons);
            double conversion = conversion(estimate, mean, price, list);
            PriceExperiment experiment = single(group, segment, traits, price, bounds, estimate, posterior);
            return new PriceQuote(price, conversion, reasons, bounds.bindingAt(price), false, bounds, experiment);
        }
        double cost = objectiveCost(item, bounds.stock());
        double[] candidates = candidates(list, bounds);
        int k = candidates.length;
        int greedy = best(candidates, cost, list, estimate, mean);
        double[] probabilities = new double[k];
        int chosen = greedy;
        double[] draw = mean;
        boolean uniformPick = false;
        boolean explore = context != null && settings.thompson() && k > 1;
        if (explore) {
            ExplorationDraws points = draws();
            int m = points.count();
            int[] winners = new int[m];
            for (int j = 0; j < m; j++) {
                winners[j] = best(candidates, cost, list, estimate, posterior.at(points.z1(j), points.z2(j)));
            }
            double epsilon = settings.uniformShare();
            for (int j = 0; j < m; j++) {
                probabilities[winners[j]] += (1 - epsilon) / m;
            }
            for (int i = 0; i < k; i++) {
                probabilities[i] += epsilon / k;
            }
            SplittableRandom random = new SplittableRandom(Hashing.mixed("explore:" + context.decisionId()));
            double u = random.nextDouble();
            int j = random.nextInt(m);
            int uniform = random.nextInt(k);
            if (u < epsilon) {
                chosen = uniform;
                uniformPick = true;
                reasons.add(ReasonCode.UNIFORM_EXPLORATION);
            } else {
                chosen = winners[j];
                draw = posterior.at(points.z1(j), points.z2(j));
                reasons.add(ReasonCode.THOMPSON_DRAW);
            }
        } else {
            probabilities[greedy] = 1.0;
            reasons.add(ReasonCode.MODEL_OPTIMUM);
        }
        double price = candidates[chosen];
        reasons.add(settings.maximiseMargin() ? ReasonCode.OBJECTIVE_MARGIN : ReasonCode.OBJECTIVE_REVENUE);
        reasons.add(price < list - 1e-9 ? ReasonCode.DISCOUNTED : ReasonCode.AT_LIST_PRICE);
        addItemReasons(bounds, price, reasons);
        boolean randomized = explore && probabilities[chosen] < 1.0;
        PriceExperiment experiment = new PriceExperiment(
                settings.policyId(),
                group,
                segment,
                candidates,
                probabilities,
                chosen,
                probabilities[chosen],
                randomized,
                uniformPick,
                bounds.floor(),
                bounds.ceiling(),
                estimate.baseLogit(),
                estimate.priceSensitivity(),
                mean,
                sd(posterior),
                draw,
                posterior == null ? 0 : posterior.observations,
                FeatureSpec.VERSION,
                randomized && context.featuresLogged(),
                traits);
        return new PriceQuote(
                price,
                conversion(estimate, mean, price, list),
                reasons,
                bounds.bindingAt(price),
                false,
                bounds,
                experiment);
    }

    /**
     * A decision whose price could be nothing else (a stable quote, a fallback): one candidate, propensity 1.
     */
    public PriceExperiment single(
            String group,
            String segment,
            double[] traits,
            double price,
            PriceBounds bounds,
            DemandEstimate estimate,
            SegmentPosterior posterior) {
        boolean curve = estimate != null && estimate.isUsable();
        double[] mean =
                posterior == null ? new double[] {0, 0} : new double[] {posterior.meanLevel, posterior.meanShift};
        return new PriceExperiment(
                settings.policyId(),
                group,
                segment,
                new double[] {price},
                new double[] {1.0},
                0,
                1.0,
                false,
                false,
                bounds.floor(),
                bounds.ceiling(),
                curve ? estimate.baseLogit() : null,
                curve ? estimate.priceSensitivity() : null,
                curve ? mean : null,
                curve ? sd(posterior) : null,
                curve ? mean : null,
                posterior == null ? 0 : posterior.observations,
                FeatureSpec.VERSION,
                false,
                curve ? traits : null);
    }

    /** Whether the shopper is in the permanent holdout: stable from the user id, like the canary split. */
    public boolean inHoldout(String userId) {
        if (settings.holdoutShare() <= 0) {
            return false;
        }
        long bucket = Math.floorMod(Hashing.mixed("holdout:" + (userId == null ? "" : userId)), 10_000L);
        return bucket < settings.holdoutShare() * 10_000;
    }

    /**
     * The price ladder x list price, rounded and cut to the bounds, duplicates merged, highest first. An
     * overstocked item also gets its floor, the clearance price, which may lie below the ladder.
     */
    public double[] candidates(double listPrice, PriceBounds bounds) {
        java.util.TreeSet<Double> prices = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (double share : settings.priceLadder()) {
            prices.add(bounds.clamp(round(listPrice * share)));
        }
        if (bounds.stock().overstocked()) {
            prices.add(bounds.floor());
        }
        return prices.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The candidate with the highest expected objective under the corrected curve; ties go to the higher price. */
    private int best(double[] candidates, double cost, double list, DemandEstimate estimate, double[] correction) {
        int best = 0;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates.length; i++) {
            double value = objective(candidates[i], cost, conversion(estimate, correction, candidates[i], list));
            // Candidates come highest first: a later one must be strictly better, never discount for nothing.
            if (value > bestValue + 1e-12) {
                bestValue = value;
                best = i;
            }
        }
        return best;
    }

    private static double conversion(DemandEstimate estimate, double[] correction, double price, double list) {
        double z = estimate.baseLogit()
                + correction[0]
                - (estimate.priceSensitivity() + correction[1]) * Math.log(price / list);
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private static double[] sd(SegmentPosterior posterior) {
        return posterior == null ? new double[] {0, 0} : new double[] {posterior.sdLevel(), posterior.sdShift()};
    }

    private ExplorationDraws draws() {
        if (draws == null || draws.count() != settings.thompsonDraws()) {
            draws = new ExplorationDraws(settings.thompsonDraws());
        }
        return draws;
    }

    private double objective(double price, double cost, double conversion) {
        return (settings.maximiseMargin() ? price - cost : price) * conversion;
    }

    private double round(double price) {
        return roundCents(Math.round(price / settings.roundingUnit()) * settings.roundingUnit());
    }

    /** Removes binary floating-point noise (19.990000000000002) from money amounts. */
    static double roundCents(double amount) {
        return Math.round(amount * 1e6) / 1e6;
    }
}
