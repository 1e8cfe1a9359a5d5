package org.pricingengine.features.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * A record the job refused, with where it came from and why, so it can be inspected and replayed.
 * The raw record is truncated so a hostile multi-megabyte record cannot bloat the dead-letter topic.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"source_topic", "partition", "offset", "reason", "raw_record", "raw_truncated", "time"})
public record DeadLetter(
        @JsonProperty("source_topic") String sourceTopic,
        @JsonProperty("partition") int partition,
        @JsonProperty("offset") long offset,
        @JsonProperty("reason") String reason,
        @JsonProperty("raw_record") String rawRecord,
        @JsonProperty("raw_truncated") boolean rawTruncated,

        @JsonProperty("time") @JsonSerialize(using = IsoTimeSerializer.class)
        long timeMs) {}
