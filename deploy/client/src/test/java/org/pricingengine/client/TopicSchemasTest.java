package org.pricingengine.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The topics' JSON Schemas against the README's examples, the client's own records and broken variants of
 * them. The README's example of a record is the first {@code ```json} block after the paragraph that starts
 * with the schema's title in bold followed by its topic in brackets ({@code **Price decision** (`...`}),
 * before the next such paragraph.
 */
class TopicSchemasTest {
    /** Records the README shows an example of; decision features are described but not shown. */
    private static final List<String> EXAMPLES_IN_README = List.of(
            "behaviour-event",
            "catalog-update",
            "price-request",
            "competitor-price",
            "price-decision",
            "feedback-outcome",
            "dead-letter",
            "model-control",
            "model-serving",
            "erasure-request");

    private static final Pattern RECORD_HEADING = Pattern.compile("(?m)^\\*\\*([A-Z][A-Za-z ]+)\\*\\* \\(");

    @Test
    void everySchemaIsDraft202012AndStrict() throws IOException {
        for (String name : TopicSchemas.NAMES) {
            JsonNode s = Wire.mapper().readTree(TopicSchemas.text(name));
            assertEquals(
                    "https://json-schema.org/draft/2020-12/schema",
                    s.get("$schema").asText(),
                    name);
            assertEquals(false, s.get("additionalProperties").asBoolean(true), name);
            assertTrue(s.get("required").size() >= 3, name);
            assertNotNull(TopicSchemas.schema(name), name);
        }
    }

    @Test
    void theReadmeExamplesConform() throws IOException {
        Map<String, String> examples = readmeExamples();
        for (String name : EXAMPLES_IN_README) {
            String example = examples.get(name);
            assertNotNull(example, "README.md has no ```json example after **" + title(name) + "** (");
            assertEquals(List.of(), TopicSchemas.violations(name, example), name + ": " + example);
        }
    }

    @Test
    void dropping_any_required_field_or_mistyping_one_is_refused() throws IOException {
        Map<String, String> examples = readmeExamples();
        for (String name : EXAMPLES_IN_README) {
            ObjectNode example = (ObjectNode) Wire.mapper().readTree(examples.get(name));
            JsonNode required = Wire.mapper().readTree(TopicSchemas.text(name)).get("required");
            for (JsonNode field : required) {
                ObjectNode without = example.deepCopy();
                without.remove(field.asText());
                assertFalse(
                        TopicSchemas.violations(name, without.toString()).isEmpty(),
                        name + " without " + field.asText() + " must be refused");
                ObjectNode mistyped = example.deepCopy();
                // An object is no valid value of any top-level field of any topic.
                mistyped.putObject(field.asText());
                assertFalse(
                        TopicSchemas.violations(name, mistyped.toString()).isEmpty(),
                        name + " with an object as " + field.asText() + " must be refused");
            }
            ObjectNode extra = example.deepCopy();
            extra.put("list_prise", 1.0);
            assertFalse(TopicSchemas.violations(name, extra.toString()).isEmpty(), name + ": unknown field");
        }
    }

    @Test
    void erasureRequestsAreCheckedLikeTheOtherInputs() {
        String erasure = "{\"erasure_id\":\"x-1\",\"user_id\":%s,\"request_time\":\"2026-01-01T00:00:00Z\"}";
        assertEquals(List.of(), TopicSchemas.violations("erasure-request", erasure.formatted("\"shopper-7\"")));
        assertEquals(List.of(), TopicSchemas.violations("erasure-request", erasure.formatted("7")));
        assertFalse(TopicSchemas.violations("erasure-request", erasure.formatted("\"\""))
                .isEmpty());
        assertFalse(TopicSchemas.violations("erasure-request", erasure.formatted("{}"))
                .isEmpty());
        assertFalse(TopicSchemas.violations(
                        "erasure-request", "{\"user_id\":\"u\",\"request_time\":\"2026-01-01T00:00:00Z\"}")
                .isEmpty());
        assertFalse(TopicSchemas.violations(
                        "erasure-request",
                        "{\"erasure_id\":\"x\",\"user_id\":\"u\",\"request_time\":\"2026-01-01T00:00:00Z\",\"reason\":\"gdpr\"}")
                .isEmpty());
    }

    @Test
    void malformedValuesAreRefused() {
        String request = "{\"request_id\":\"r1\",\"user_id\":\"u1\",\"item_id\":\"i1\",\"request_time\":%s}";
        assertEquals(
                List.of(), TopicSchemas.violations("price-request", request.formatted("\"2026-01-01T00:00:00Z\"")));
        assertEquals(List.of(), TopicSchemas.violations("price-request", request.formatted("1767225600000")));
        assertFalse(TopicSchemas.violations("price-request", request.formatted("\"yesterday\""))
                .isEmpty());
        assertFalse(TopicSchemas.violations("price-request", request.formatted("12"))
                .isEmpty());
        String catalog = "{\"item_id\":\"i1\",\"list_price\":%s,\"update_time\":\"2026-01-01T00:00:00Z\"}";
        assertEquals(List.of(), TopicSchemas.violations("catalog-update", catalog.formatted("9.5")));
        assertFalse(TopicSchemas.violations("catalog-update", catalog.formatted("0"))
                .isEmpty());
        assertFalse(TopicSchemas.violations("catalog-update", catalog.formatted("\"9.5\""))
                .isEmpty());
        String event =
                "{\"event_id\":\"e1\",\"user_id\":1,\"item_id\":\"i1\",\"event_type\":\"%s\",\"event_time\":\"2026-01-01T00:00:00Z\",\"price\":1}";
        assertEquals(List.of(), TopicSchemas.violations("behaviour-event", event.formatted("purchase")));
        assertFalse(TopicSchemas.violations("behaviour-event", event.formatted("click"))
                .isEmpty());
    }

    @Test
    void aDecisionWithoutPriceMustBeTheUnknownItemFallbackAndAPersonalizedOneCarriesTheDisclosure() throws IOException {
        ObjectNode decision =
                (ObjectNode) Wire.mapper().readTree(readmeExamples().get("price-decision"));
        ObjectNode noDisclosure = decision.deepCopy();
        noDisclosure.remove("disclosure");
        assertFalse(TopicSchemas.violations("price-decision", noDisclosure.toString())
                .isEmpty());

        ObjectNode unknownItem = decision.deepCopy();
        for (String f :
                List.of("price", "list_price", "unit_cost", "experiment", "disclosure", "expected_conversion")) {
            unknownItem.remove(f);
        }
        unknownItem.put("fallback", true).put("personalized", false);
        unknownItem.putArray("reason_codes").add("FALLBACK_UNKNOWN_ITEM");
        assertEquals(List.of(), TopicSchemas.violations("price-decision", unknownItem.toString()));
        unknownItem.putArray("reason_codes").add("FALLBACK_MODEL_ERROR");
        assertFalse(TopicSchemas.violations("price-decision", unknownItem.toString())
                .isEmpty());
    }

    @Test
    void decisionsAndOutcomesDescribeTheExperimentAlike() throws IOException {
        JsonNode decision = Wire.mapper().readTree(TopicSchemas.text("price-decision"));
        JsonNode outcome = Wire.mapper().readTree(TopicSchemas.text("feedback-outcome"));
        assertEquals(decision.at("/$defs/experiment"), outcome.at("/$defs/experiment"));
    }

    @Test
    void whatTheClientWritesConforms() {
        Instant now = Instant.parse("2026-11-22T12:00:00.250Z");
        assertEquals(
                List.of(),
                TopicSchemas.violations(
                        "price-request", Wire.toJson(new PriceRequest("r-1", "u-1", "i-1", now, "web", null))));
        assertEquals(
                List.of(),
                TopicSchemas.violations(
                        "catalog-update", Wire.toJson(new CatalogUpdate("i-1", "c", "b", 12.5, 7.0, 3L, now))));
        assertEquals(
                List.of(),
                TopicSchemas.violations("catalog-update", Wire.toJson(CatalogUpdate.listPrice("i-1", 12.5))));
        assertEquals(
                List.of(),
                TopicSchemas.violations(
                        "behaviour-event",
                        Wire.toJson(new BehaviourEvent(
                                "e-1",
                                "u-1",
                                "i-1",
                                BehaviourEvent.Type.REMOVE_FROM_CART,
                                now,
                                12.5,
                                "s",
                                null,
                                null))));
    }

    @Test
    void theClientReadsTheReadmeDecision() throws IOException {
        String json = readmeExamples().get("price-decision");
        PriceDecision d = Wire.mapper().readValue(json, PriceDecision.class);
        JsonNode node = Wire.mapper().readTree(json);
        assertEquals(node.get("request_id").asText(), d.requestId());
        assertEquals(node.get("price").asDouble(), d.price());
        assertEquals(Instant.parse(node.get("decision_time").asText()), d.decisionTime());
        assertEquals(node.get("reason_codes").size(), d.reasonCodes().size());
        assertTrue(d.personalized());
        assertEquals(node.get("experiment"), d.experiment());
    }

    static Map<String, String> readmeExamples() throws IOException {
        String readme = Files.readString(readme());
        List<int[]> headings = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        Matcher m = RECORD_HEADING.matcher(readme);
        while (m.find()) {
            headings.add(new int[] {m.start(), m.end()});
            titles.add(m.group(1));
        }
        Map<String, String> byTitle = new LinkedHashMap<>();
        for (int i = 0; i < headings.size(); i++) {
            int from = headings.get(i)[1];
            int to = i + 1 < headings.size() ? headings.get(i + 1)[0] : readme.length();
            int open = readme.indexOf("```json\n", from);
            if (open < 0 || open >= to) {
                continue;
            }
            int close = readme.indexOf("\n```", open + 8);
            byTitle.putIfAbsent(titles.get(i), readme.substring(open + 8, close));
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (String name : TopicSchemas.NAMES) {
            String example = byTitle.get(title(name));
            if (example != null) {
                byName.put(name, example);
            }
        }
        return byName;
    }

    static String title(String name) {
        try {
            return Wire.mapper().readTree(TopicSchemas.text(name)).get("title").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("README.md");
            if (Files.exists(candidate) && Files.exists(dir.resolve("ARCHITECTURE.md"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "no repository README.md above " + Path.of("").toAbsolutePath());
    }
}
