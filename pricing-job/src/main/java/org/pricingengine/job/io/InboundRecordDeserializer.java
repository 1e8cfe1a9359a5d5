package org.pricingengine.job.io;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.pricingengine.features.events.DeadLetter;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.features.validation.EventParser;
import org.pricingengine.features.validation.ParseResult;

/**
 * Parses and validates records as they are read, so that the Kafka source can assign event-time
 * watermarks per partition from valid records only. A record that fails becomes a dead letter
 * (carrying topic, partition and offset), never an exception.
 */
final class InboundRecordDeserializer implements KafkaRecordDeserializationSchema<InboundRecord> {
    private static final long serialVersionUID = 1L;

    private final InputTopic topic;
    private final EventParser parser;
    private final int deadLetterMaxChars;

    public InboundRecordDeserializer(InputTopic topic, EventParser parser, int deadLetterMaxChars) {
        this.topic = topic;
        this.parser = parser;
        this.deadLetterMaxChars = deadLetterMaxChars;
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
                };
        if (!result.isValid()) {
            return InboundRecord.of(deadLetter(sourceTopic, partition, offset, result.rejectReason(), value));
        }
        return switch (topic) {
            case BEHAVIOUR_EVENTS ->
                InboundRecord.of((org.pricingengine.features.events.BehaviourEvent) result.value(), partition, offset);
            case CATALOG_UPDATES -> InboundRecord.of((org.pricingengine.features.events.CatalogUpdate) result.value());
            case PRICE_REQUESTS ->
                InboundRecord.of(
                        (org.pricingengine.features.events.PriceRequest) result.value(),
                        producedAtMs > 0 ? producedAtMs : System.currentTimeMillis());
            case COMPETITOR_PRICES ->
                InboundRecord.of((org.pricingengine.features.events.CompetitorPrice) result.value());
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
