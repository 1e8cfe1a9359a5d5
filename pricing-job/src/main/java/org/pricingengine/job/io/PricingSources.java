package org.pricingengine.job.io;

import org.apache.flink.api.connector.source.Source;
import org.pricingengine.features.flink.InboundRecord;

/**
 * The job's three inputs, already parsed: a record that fails validation arrives as a dead letter.
 * {@link KafkaEndpoints#sources} builds them from the configuration; tests and tools may bring their own.
 */
public record PricingSources(
        Source<InboundRecord, ?, ?> behaviourEvents,
        Source<InboundRecord, ?, ?> catalogUpdates,
        Source<InboundRecord, ?, ?> priceRequests) {}
