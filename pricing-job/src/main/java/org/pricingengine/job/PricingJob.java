package org.pricingengine.job;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.flink.BehaviourEventGate;
import org.pricingengine.features.flink.EnrichedRequest;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.features.flink.ItemFacts;
import org.pricingengine.features.flink.ItemStateFunction;
import org.pricingengine.features.flink.ScoringRequest;
import org.pricingengine.features.flink.UserBehaviourFunction;
import org.pricingengine.features.flink.UserInput;
import org.pricingengine.job.config.PricingConfig;
import org.pricingengine.job.feedback.AttributionInput;
import org.pricingengine.job.feedback.FeedbackAttributionFunction;
import org.pricingengine.job.feedback.FeedbackOutcome;
import org.pricingengine.job.feedback.PriceResponseLearner;
import org.pricingengine.job.io.KafkaEndpoints;
import org.pricingengine.job.io.PricingSinks;
import org.pricingengine.job.io.PricingSources;
import org.pricingengine.job.io.RouteInboundRecords;
import org.pricingengine.job.policy.AttachPosteriors;
import org.pricingengine.job.policy.PolicySettings;
import org.pricingengine.job.policy.PriceDecision;
import org.pricingengine.job.policy.PriceResponsePosterior;
import org.pricingengine.job.policy.PricingDecisionFunction;
import org.pricingengine.job.policy.PricingPolicy;
import org.pricingengine.job.policy.PricingRequest;
import org.pricingengine.job.scoring.DemandModel;
import org.pricingengine.job.scoring.ModelContractException;
import org.pricingengine.job.scoring.ModelLocation;
import org.pricingengine.job.scoring.ModelManifest;
import org.pricingengine.job.scoring.ModelScoringFunction;
import org.pricingengine.job.scoring.ScoredRequest;
import org.pricingengine.job.scoring.ServingControl;
import org.pricingengine.job.scoring.ServingControlOperator;
import org.pricingengine.job.scoring.ServingReport;
import org.pricingengine.job.scoring.SessionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The personalized pricing job. Inputs: behaviour events, catalog updates and price requests.
 * Outputs: price decisions, feedback outcomes and dead letters. Sources, sinks and the read-back of
 * published decisions come from outside ({@link KafkaEndpoints} in production); the topology is wired
 * in {@link #build}.
 *
 * <p>Operator uids are part of the savepoint contract: renaming one orphans its state.
 */
public final class PricingJob {
    private static final Logger LOG = LoggerFactory.getLogger(PricingJob.class);

    /**
     * How requests with features become scored requests. Production scores asynchronously in micro-batches
     * ({@link #asyncScoring}); the benchmark brings its naive one-call-per-record peer through here, so the
     * production graph has no mode switch. With serving control on, the stage must be an operator chained
     * right after the serving operator (no shuffle in between): it reads the models it serves from it.
     */
    @FunctionalInterface
    public interface ScoringStage {
        /**
         * @param settings the models and scoring limits; {@code settings.controlled()}: a serving operator runs
         *                 right before the stage and decides which models serve (hot swap)
         */
        DataStream<ScoredRequest> score(
                DataStream<ScoringRequest> withFeatures, PricingConfig config, ModelScoringFunction.Settings settings);
    }

    private final PricingConfig config;
    private final ScoringStage scoring;

    public PricingJob(PricingConfig config) {
        this(config, PricingJob::asyncScoring);
    }

    public PricingJob(PricingConfig config, ScoringStage scoring) {
        this.config = config;
        this.scoring = scoring;
    }

    public static void main(String[] args) throws Exception {
        PricingConfig config;
        try {
            config = PricingConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("pricing job: bad configuration: " + e.getMessage());
            throw e;
        }
        try {
            KafkaEndpoints.userIdKey(config);
        } catch (IllegalArgumentException e) {
            System.err.println("pricing job: refusing to start: " + e.getMessage());
            throw e;
        }
        try {
            checkModelsBeforeSubmitting(config);
        } catch (ModelContractException e) {
            System.err.println("pricing job: refusing to start: " + e.getMessage());
            throw e;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
        new PricingJob(config).build(env, KafkaEndpoints.sources(config), KafkaEndpoints.sinks(config));
        env.execute(config.get(PricingConfig.JOB_NAME));
    }

    /**
     * Refuses a missing, corrupt or mismatched model before anything is submitted: checks the manifest
     * (files, sha256, input/output contract, feature fingerprint) and has ONNX Runtime load the model
     * once on the CPU. Task managers would otherwise fail in a restart loop.
     */
    static void checkModelsBeforeSubmitting(PricingConfig config) {
        Path root = Path.of(config.get(PricingConfig.MODEL_DIR));
        String canary = config.get(PricingConfig.CANARY_MODEL_VERSION);
        for (String version : canary.isBlank()
                ? java.util.List.of(config.get(PricingConfig.MODEL_VERSION))
                : java.util.List.of(config.get(PricingConfig.MODEL_VERSION), canary)) {
            // Loading reads and checks the manifest itself: the model file is hashed once.
            try (DemandModel trial =
                    DemandModel.load(new ModelLocation(root, version), SessionSettings.singleThreadCpu())) {
                ModelManifest manifest = trial.manifest();
                LOG.info(
                        "Model {} (feature spec {}) checked: loads and answers",
                        manifest.modelVersion(),
                        manifest.featureSpecVersion());
            }
        }
        if (!canary.isBlank()) {
            LOG.info("Canary model {} prices {} of users", canary, config.get(PricingConfig.CANARY_SHARE));
        }
    }

    /** Job-level Flink settings: RocksDB with incremental checkpoints, low network latency, no Kryo. */
    public static Configuration flinkConfiguration(PricingConfig config) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, config.get(PricingConfig.CHECKPOINT_INCREMENTAL));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.get(PricingConfig.CHECKPOINT_INTERVAL));
        conf.set(CheckpointingOptions.ENABLE_UNALIGNED, config.get(PricingConfig.CHECKPOINT_UNALIGNED));
        // Most lookups of a new shopper or item miss; without bloom filters every miss reads index blocks of
        // every SST file. The benchmark's soak slowed to a third after 5 minutes of new users without them.
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        // A checkpoint's synchronous part flushes every memtable on the task thread, and all tasks flush at
        // the same barrier: small write buffers (flushed in the background as they fill) and more background
        // threads (two flushes at a time instead of one for all tasks of the process) keep it shorter
        // (BENCHMARKS.md).
        conf.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, MemorySize.parse("8mb"));
        conf.set(RocksDBConfigurableOptions.MAX_BACKGROUND_THREADS, 8);
        if (!config.get(PricingConfig.CHECKPOINT_DIR).isBlank()) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.get(PricingConfig.CHECKPOINT_DIR));
        }
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, config.get(PricingConfig.BUFFER_TIMEOUT));
        // Every type on the wire and in state must have a real serializer (evolvable across savepoints).
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on without a copy. Safe here: events and decisions are immutable
        // records, and no function keeps or changes an object after emitting it.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        // Set, never derived: a derived value follows the first deployment's parallelism and then caps every
        // later rescale of its savepoints.
        conf.set(PipelineOptions.MAX_PARALLELISM, config.get(PricingConfig.MAX_PARALLELISM));
        if (config.get(PricingConfig.PARALLELISM) > 0) {
            conf.set(
                    org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM,
                    config.get(PricingConfig.PARALLELISM));
        }
        return conf;
    }

    /** Wires the topology; returns the decisions as the decisions topic gets them (tests and tools attach to it). */
    public DataStream<PriceDecision> build(StreamExecutionEnvironment env, PricingSources sources, PricingSinks sinks) {
        WatermarkStrategy<InboundRecord> eventTime = WatermarkStrategy.<InboundRecord>forBoundedOutOfOrderness(
                        config.get(PricingConfig.WATERMARK_OUT_OF_ORDERNESS))
                // Dead letters carry no event time and must not move the watermark.
                .withTimestampAssigner((record, kafkaTimestamp) -> record.eventTimeMs())
                .withIdleness(config.get(PricingConfig.WATERMARK_IDLENESS));

        // Each source is validated and routed in its own chain: the records cross no thread before the keyBy.
        SingleOutputStreamOperator<InboundRecord> behaviourIn = routed(
                env.fromSource(sources.behaviourEvents(), eventTime, "behaviour events")
                        .uid("source-behaviour-events"),
                "behaviour-events");
        SingleOutputStreamOperator<InboundRecord> catalogIn = routed(
                env.fromSource(sources.catalogUpdates(), eventTime, "catalog updates")
                        .uid("source-catalog-updates"),
                "catalog-updates");
        SingleOutputStreamOperator<InboundRecord> requestsIn = routed(
                env.fromSource(sources.priceRequests(), eventTime, "price requests")
                        .uid("source-price-requests"),
                "price-requests");
        // Erasures share the behaviour gate's keyed stream: the gate forgets the user and hands them on.
        SingleOutputStreamOperator<InboundRecord> erasuresIn = sources.erasureRequests() == null
                ? null
                : routed(
                        env.fromSource(sources.erasureRequests(), outsideEventTime(), "erasure requests")
                                .uid("source-erasure-requests"),
                        "erasure-requests");
        // Repeats and stale events are refused per user before anything counts them.
        SingleOutputStreamOperator<InboundRecord> behaviourAccepted = (erasuresIn == null
                        ? behaviourIn
                        : behaviourIn.union(erasuresIn))
                .keyBy(InboundRecord::userId, Types.STRING)
                .process(new BehaviourEventGate(
                        config.get(PricingConfig.TOPIC_BEHAVIOUR),
                        config.get(PricingConfig.DUPLICATE_WINDOW),
                        config.get(PricingConfig.MAX_EVENT_LATENESS),
                        config.get(PricingConfig.USER_TTL)))
                .uid("behaviour-duplicates-and-late-events")
                .name("refuse duplicate and late behaviour events");
        DataStream<InboundRecord> valid = behaviourAccepted.union(catalogIn, requestsIn);
        DataStream<DeadLetter> deadLetters = behaviourIn
                .getSideOutput(RouteInboundRecords.DEAD_LETTERS)
                .union(
                        catalogIn.getSideOutput(RouteInboundRecords.DEAD_LETTERS),
                        requestsIn.getSideOutput(RouteInboundRecords.DEAD_LETTERS),
                        behaviourAccepted.getSideOutput(BehaviourEventGate.DEAD_LETTERS));
        if (sources.competitorPrices() != null) {
            SingleOutputStreamOperator<InboundRecord> competitorsIn = routed(
                    env.fromSource(sources.competitorPrices(), eventTime, "competitor prices")
                            .uid("source-competitor-prices"),
                    "competitor-prices");
            valid = valid.union(competitorsIn);
            deadLetters = deadLetters.union(competitorsIn.getSideOutput(RouteInboundRecords.DEAD_LETTERS));
        }
        if (erasuresIn != null) {
            deadLetters = deadLetters.union(erasuresIn.getSideOutput(RouteInboundRecords.DEAD_LETTERS));
        }
        DataStream<BehaviourEvent> behaviour = behaviourAccepted.getSideOutput(BehaviourEventGate.ACCEPTED_EVENTS);
        // Empty without an erasure topic; every user-keyed operator takes it, so the graph is the same either way.
        DataStream<ErasureRequest> erasures = behaviourAccepted.getSideOutput(BehaviourEventGate.ERASURES);

        DataStream<EnrichedRequest> requestsWithItem = valid.keyBy(InboundRecord::itemId, Types.STRING)
                .process(new ItemStateFunction(
                        config.get(PricingConfig.ITEM_TTL),
                        config.get(PricingConfig.CATALOG_WAIT),
                        config.get(PricingConfig.MAX_PENDING_REQUESTS),
                        new ItemFacts(
                                config.get(PricingConfig.STOCK_DEMAND_HALF_LIFE),
                                config.get(PricingConfig.COMPETITOR_PRICE_TTL),
                                config.get(PricingConfig.COMPETITOR_MAX_PER_ITEM),
                                config.get(PricingConfig.FAIRNESS_WINDOW))))
                .uid("item-state")
                .name("item catalog and demand state");

        DataStream<UserInput> userInputs = behaviour
                .map(UserInput::of)
                .returns(UserInput.class)
                .uid("behaviour-to-user-input")
                .name("behaviour to user input")
                .union(requestsWithItem
                        .map(UserInput::of)
                        .returns(UserInput.class)
                        .uid("request-to-user-input")
                        .name("request to user input"))
                .union(erasures.map(UserInput::of)
                        .returns(UserInput.class)
                        .uid("erasure-to-user-input")
                        .name("erasure to user input"));

        DataStream<ScoringRequest> withFeatures = userInputs
                .keyBy(UserInput::userId, Types.STRING)
                .process(new UserBehaviourFunction(
                        config.get(PricingConfig.USER_SEQUENCE_CAPACITY), config.get(PricingConfig.USER_TTL)))
                .uid("user-behaviour-state")
                .name("user behaviour state and features");

        ModelScoringFunction.Settings scoringSettings = scoringSettings(config);
        DataStream<ScoringRequest> toScoring = withFeatures;
        if (sources.servingControl() != null) {
            toScoring = servingControl(env, sources, sinks, withFeatures, scoringSettings);
            scoringSettings = scoringSettings.controlled(true);
        }
        DataStream<ScoredRequest> scored = scoring.score(toScoring, config, scoringSettings);
        PolicySettings policySettings = PolicySettings.from(config);
        DataStream<PricingRequest> withPosteriors = learnedPosteriors(env, sources, policySettings, scored);

        // Keyed by user again rather than trusted to still be in the user's subtask: the async scoring keeps its
        // in-flight requests in operator state, which a rescale deals out to the new subtasks without regard to
        // their keys, so a restored request can come out of a subtask that does not own its user.
        SingleOutputStreamOperator<PriceDecision> decisions = withPosteriors
                .keyBy(r -> r.scored().enriched().request().userId(), Types.STRING)
                .connect(erasures.keyBy(ErasureRequest::userId, Types.STRING))
                .process(new PricingDecisionFunction(new PricingPolicy(policySettings), sinks.publishedDecisions()))
                .uid("pricing-policy")
                .name("pricing policy and guardrails");

        // One keyed input of decisions and events; erasures are broadcast: a user has one key per item.
        DataStream<FeedbackOutcome> outcomes = decisions
                .map(AttributionInput::of)
                .returns(AttributionInput.class)
                .uid("decision-to-attribution-input")
                .name("decision to attribution input")
                .union(behaviour
                        .map(AttributionInput::of)
                        .returns(AttributionInput.class)
                        .uid("behaviour-to-attribution-input")
                        .name("behaviour to attribution input"))
                .keyBy(AttributionInput::key, Types.STRING)
                .connect(erasures.broadcast(FeedbackAttributionFunction.ERASURES))
                .process(new FeedbackAttributionFunction(config.get(PricingConfig.ATTRIBUTION_WINDOW)))
                .uid("feedback-attribution")
                .name("feedback attribution");

        // What the decisions topic gets: new and re-issued decisions, and the repeats given to client retries.
        DataStream<PriceDecision> published =
                decisions.union(decisions.getSideOutput(PricingDecisionFunction.REPEATED_DECISIONS));
        published.sinkTo(sinks.decisions()).uid("sink-price-decisions").name("price decisions sink");
        outcomes.sinkTo(sinks.feedback()).uid("sink-feedback-outcomes").name("feedback outcomes sink");
        deadLetters.sinkTo(sinks.deadLetters()).uid("sink-dead-letters").name("dead letters sink");
        if (sinks.decisionFeatures() != null) {
            decisions
                    .getSideOutput(PricingDecisionFunction.DECISION_FEATURES)
                    .sinkTo(sinks.decisionFeatures())
                    .uid("sink-decision-features")
                    .name("decision features sink");
        }
        return published;
    }

    /**
     * The learning loop's way back in: the job's own committed feedback outcomes update the posterior of
     * the price response (keyed by model version), and every update reaches all policy subtasks as
     * broadcast state. Without a feedback source the requests get their segment only.
     */
    private DataStream<PricingRequest> learnedPosteriors(
            StreamExecutionEnvironment env,
            PricingSources sources,
            PolicySettings policySettings,
            DataStream<ScoredRequest> scored) {
        double[] bands = policySettings.segmentPriceBands();
        if (sources.feedbackOutcomes() == null) {
            return scored.map(s -> PricingRequest.of(s, bands))
                    .returns(PricingRequest.class)
                    .uid("request-segment")
                    .name("learning segment");
        }
        DataStream<PriceResponsePosterior> posteriors = env.fromSource(
                        sources.feedbackOutcomes(), WatermarkStrategy.noWatermarks(), "feedback outcomes read back")
                .uid("source-feedback-read-back")
                .filter(outcome -> PriceResponseLearner.keyOf(outcome) != null)
                .uid("feedback-with-price-response")
                .name("outcomes of model prices")
                .keyBy(PriceResponseLearner::keyOf, Types.STRING)
                .process(new PriceResponseLearner(
                        policySettings.prior(),
                        bands,
                        config.get(PricingConfig.PRICE_VARIATION) == PricingConfig.PriceVariation.ALL,
                        config.get(PricingConfig.PUBLISH_EVERY),
                        config.get(PricingConfig.PUBLISH_INTERVAL),
                        config.get(PricingConfig.POSTERIOR_TTL)))
                .uid("price-response-learner")
                .name("price response learner (posterior per model version)")
                .assignTimestampsAndWatermarks(outsideEventTime())
                .uid("posteriors-outside-event-time")
                .name("posteriors outside event time");
        return scored.connect(posteriors.broadcast(AttachPosteriors.POSTERIORS))
                .process(new AttachPosteriors(bands, policySettings.prior()))
                .uid("attach-segment-posteriors")
                .name("segment and learned posterior");
    }

    /**
     * Hot swap of models: the model-control records reach every scoring subtask (broadcast) through the
     * serving operator, which loads and checks a new version beside the serving one and hands it to the
     * scoring function chained right after it. The requests cross to it on a forward edge (a two-input
     * operator starts a chain), so each stays in the subtask that owns its user.
     */
    private DataStream<ScoringRequest> servingControl(
            StreamExecutionEnvironment env,
            PricingSources sources,
            PricingSinks sinks,
            DataStream<ScoringRequest> withFeatures,
            ModelScoringFunction.Settings settings) {
        if (!env.isChainingEnabled()) {
            throw new IllegalArgumentException("serving control (topic.model-control) needs operator chaining: the"
                    + " scoring function reads its models from the serving operator chained before it");
        }
        DataStream<ServingControl> control = env.fromSource(
                        sources.servingControl(), outsideEventTime(), "model control")
                .uid("source-model-control")
                .setParallelism(1);
        SingleOutputStreamOperator<ScoringRequest> served = withFeatures
                .connect(control.broadcast())
                .transform("model serving (hot swap)", withFeatures.getType(), new ServingControlOperator(settings))
                .uid("model-serving-control");
        DataStream<ServingReport> reports = served.getSideOutput(ServingControlOperator.REPORTS);
        if (sinks.servingReports() != null) {
            reports.sinkTo(sinks.servingReports()).uid("sink-model-serving").name("model serving reports sink");
        }
        return served;
    }

    /**
     * Posteriors have no event time. Their input must not hold back the watermark of the requests they
     * meet (outcomes are only written once that watermark passes their window: holding it back on the
     * outcomes' own time would stall the loop), nor move it: it is marked idle for good, so the requests'
     * watermark alone is the operator's. (Putting it at the end of time instead would end event time
     * for the whole job the first time the requests go idle.)
     */
    private static <T> WatermarkStrategy<T> outsideEventTime() {
        return WatermarkStrategy.forGenerator(context -> new WatermarkGenerator<T>() {
            @Override
            public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        });
    }

    /** The production scoring stage: the async, micro-batched ONNX Runtime operator. */
    public static DataStream<ScoredRequest> asyncScoring(
            DataStream<ScoringRequest> withFeatures, PricingConfig config, ModelScoringFunction.Settings settings) {
        return AsyncDataStream.unorderedWait(
                        withFeatures,
                        new ModelScoringFunction(settings),
                        config.get(PricingConfig.SCORING_TIMEOUT).toMillis(),
                        TimeUnit.MILLISECONDS,
                        config.get(PricingConfig.SCORING_CAPACITY))
                .uid("demand-model-scoring")
                .name("demand model scoring (ONNX Runtime)");
    }

    private static SingleOutputStreamOperator<InboundRecord> routed(DataStream<InboundRecord> source, String input) {
        return source.process(new RouteInboundRecords())
                .uid("route-valid-and-dead-letters-" + input)
                .name("validate and route " + input.replace('-', ' '));
    }

    public static ModelScoringFunction.Settings scoringSettings(PricingConfig config) {
        return new ModelScoringFunction.Settings(
                config.get(PricingConfig.MODEL_DIR),
                config.get(PricingConfig.MODEL_VERSION),
                config.get(PricingConfig.MODEL_DEVICE),
                config.get(PricingConfig.MODEL_CUDA_DEVICE),
                config.get(PricingConfig.MODEL_INTRA_OP_THREADS),
                config.get(PricingConfig.SCORING_BATCH_SIZE),
                config.get(PricingConfig.SCORING_MAX_WAIT).toNanos(),
                config.get(PricingConfig.SCORING_CAPACITY),
                config.get(PricingConfig.BREAKER_FAILURES),
                config.get(PricingConfig.BREAKER_COOLDOWN).toMillis(),
                config.get(PricingConfig.CANARY_MODEL_VERSION).isBlank()
                        ? null
                        : config.get(PricingConfig.CANARY_MODEL_VERSION),
                config.get(PricingConfig.CANARY_SHARE),
                config.get(PricingConfig.MODEL_SERVING_REVISION),
                false);
    }
}
