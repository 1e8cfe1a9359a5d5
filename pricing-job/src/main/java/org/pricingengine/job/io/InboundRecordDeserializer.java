package org.pricingengine.job.io;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.pricingengine.features.events.BehaviourEvent;
import org.pricingengine.features.events.CatalogUpdate;
import org.pricingengine.features.events.CompetitorPrice;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.events.ErasureRequest;
import org.pricingengine.features.events.PriceRequest;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.features.privacy.PseudonymKey;
import org.pricingengine.features.privacy.UserPseudonyms;
import org.pricingengine.features.validation.EventParser;
import org.pricingengine.features.validation.ParseResult;

/**
 * Parses and validates records as they are read, so that the Kafka source can assign event-time
 * watermarks per partition from valid records only. A record that fails becomes a dead letter
 * (carrying topic, partition and offset), never an exception. With pseudonymous user ids, the user id of
 * a valid record is replaced here by its keyed pseudonym, before anything keeps or forwards it (a dead
 * letter keeps the record as it came: it names what was refused).
 */
final class InboundRecordDeserializer implements KafkaRecordDeserializationSchema<InboundRecord> {
    private static final long serialVersionUID = 1L;

    private final InputTopic topic;
    private final EventParser parser;
    private final int deadLetterMaxChars;
    /** Where the pseudonyms' key is read on the task; null: user ids stay as sent. */
    private final PseudonymKey userIdKey;

    private transient UserPseudonyms pseudonyms;

    public InboundRecordDeserializer(InputTopic topic, EventParser parser, int deadLetterMaxChars) {
        this(topic, parser, deadLetterMaxChars, null);
    }

    public InboundRecordDeserializer(
            InputTopic topic, EventParser parser, int deadLetterMaxChars, PseudonymKey userIdKey) {
        this.topic = topic;
        this.parser = parser;
        this.deadLetterMaxChars = deadLetterMaxChars;
        this.userIdKey = userIdKey;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        pseudonymous();
    }

    /** The pseudonyms, the key read once per task; null when ids stay raw. */
    private UserPseudonyms pseudonymous() {
        if (pseudonyms == null && userIdKey != null) {
            pseudonyms = userIdKey.load();
        }
        return pseudonyms;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InboundRecord> out) {
        out.collect(parse(record.topic(), record.partition(), record.offset(), record.timestamp(), record.value()));
    }

    public InboundRecord parse(String sourceTopic, int partition, long offset, long producedAtMs, byte[] value) {
        ParseResult<?> result =
                switch (topic) {
                    case BEHAVIOUR_EVENTS -> parser.parseBehaviourEvent(value);
                    case CATALOG_UPDATES -> parser.parseCatalogUpdate(value);
                    case PRICE_REQUESTS -> parser.parsePriceRequest(value);
                    case COMPETITOR_PRICES -> parser.parseCompetitorPrice(value);
                    case ERASURE_REQUESTS -> parser.parseErasureRequest(value);
                };
        if (!result.isValid()) {
            return InboundRecord.of(deadLetter(sourceTopic, partition, offset, result.rejectReason(), value));
        }
        UserPseudonyms users = pseudonymous();
        return switch (topic) {
            case BEHAVIOUR_EVENTS -> {
                BehaviourEvent event = (BehaviourEvent) result.value();
                yield InboundRecord.of(
                        users == null ? event : event.withUserId(users.of(event.userId())), partition, offset);
            }
            case CATALOG_UPDATES -> InboundRecord.of((CatalogUpdate) result.value());
            case PRICE_REQUESTS -> {
                PriceRequest request = (PriceRequest) result.value();
                yield InboundRecord.of(
                        users == null ? request : request.withUserId(users.of(request.userId())),
                        producedAtMs > 0 ? producedAtMs : System.currentTimeMillis());
            }
            case COMPETITOR_PRICES -> InboundRecord.of((CompetitorPrice) result.value());
            case ERASURE_REQUESTS -> {
                ErasureRequest erasure = (ErasureRequest) result.value();
                yield InboundRecord.of(users == null ? erasure : erasure.withUserId(users.of(erasure.userId())));
            }
        };
    }

    private DeadLetter deadLetter(String sourceTopic, int partition, long offset, String reason, byte[] value) {
        String raw = value == null
                ? ""
                : new String(value, 0, Math.min(value.length, deadLetterMaxChars * 4), StandardCharsets.UTF_8);
        boolean truncated =
                raw.length() > deadLetterMaxChars || (value != null && value.length > deadLetterMaxChars * 4);
        if (raw.length() > deadLetterMaxChars) {
            raw = raw.substring(0, deadLetterMaxChars);
        }
        return new DeadLetter(sourceTopic, partition, offset, reason, raw, truncated, System.currentTimeMillis());
    }

    @Override
    public TypeInformation<InboundRecord> getProducedType() {
        return TypeInformation.of(InboundRecord.class);
    }
}
