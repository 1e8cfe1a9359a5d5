package org.pricingengine.client;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The topics' JSON Schemas from the classpath, checked as draft 2020-12 with formats asserted. */
final class TopicSchemas {
    static final List<String> NAMES = List.of(
            "behaviour-event",
            "catalog-update",
            "price-request",
            "competitor-price",
            "price-decision",
            "feedback-outcome",
            "dead-letter",
            "decision-features",
            "model-control",
            "model-serving",
            "erasure-request");

    // Formats (date-time, uuid) are only annotations in 2020-12 unless asserted: a time must be a time.
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private TopicSchemas() {}

    static String text(String name) {
        try (InputStream in = TopicSchemas.class.getResourceAsStream("/schemas/" + name + ".schema.json")) {
            if (in == null) {
                throw new IllegalArgumentException("no schema " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Schema schema(String name) {
        return REGISTRY.getSchema(text(name), InputFormat.JSON);
    }

    /** The violations of this record, empty when it conforms. */
    static List<String> violations(String name, String json) {
        return schema(name).validate(json, InputFormat.JSON).stream()
                .map(Error::toString)
                .toList();
    }
}
