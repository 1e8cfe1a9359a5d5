package org.pricingengine.features.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of the engine. Parser limits are explicit so that hostile input (deep
 * nesting, huge strings and numbers) is rejected cheaply instead of exhausting memory or stack.
 */
public final class Json {
    public static final int MAX_NESTING_DEPTH = 16;
    public static final int MAX_STRING_LENGTH = 16 * 1024;
    public static final int MAX_NUMBER_LENGTH = 64;
    /** Above any record size the job accepts (validation.max-record-bytes is checked first). */
    public static final long MAX_DOCUMENT_LENGTH = 1024 * 1024;
    /** An event has about 25 tokens; a huge array in an ignored field must not be walked to its end. */
    public static final long MAX_TOKEN_COUNT = 10_000;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                            .maxTokenCount(MAX_TOKEN_COUNT)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // "{...} garbage" is not a record with a harmless tail: refuse it whole.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
