package org.pricingengine.it.testutils;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks Kubernetes manifests the way the API server does before it stores a custom resource: the
 * apiVersion and kind must name a version that the CustomResourceDefinition serves and does not
 * deprecate, and the document must match that version's openAPIV3Schema under strict field
 * validation (kubectl's default), where a field the schema does not list is an error instead of
 * being pruned silently.
 *
 * <p>A structural schema is not quite JSON Schema, so each version's schema is translated first: an
 * object lists its fields exhaustively unless it says {@code x-kubernetes-preserve-unknown-fields},
 * {@code x-kubernetes-int-or-string} means integer or string, and the root and embedded resources
 * implicitly carry apiVersion, kind and metadata, and a list of type set has unique items. metadata is
 * checked against the parts of ObjectMeta a manifest may set. Not checked: CEL rules ({@code
 * x-kubernetes-validations}, none in the vendored CRDs) and key uniqueness in lists of type map.
 */
public final class CustomResourceSchemas {
    // Duplicate keys: YAML parsers disagree on which one wins; the API server rejects them.
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    /**
     * OpenAPI 3.0 schema objects (a CRD's dialect) with Kubernetes' extensions known: tighten() has
     * already turned the ones that validate into JSON Schema, the rest only steer merging and CEL.
     */
    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(Dialect.builder(Dialects.getOpenApi30())
                    .keywords(Stream.of(
                                    "x-kubernetes-preserve-unknown-fields",
                                    "x-kubernetes-int-or-string",
                                    "x-kubernetes-embedded-resource",
                                    "x-kubernetes-list-type",
                                    "x-kubernetes-list-map-keys",
                                    "x-kubernetes-map-type",
                                    "x-kubernetes-validations")
                            .map(NonValidationKeyword::new)
                            .toList())
                    .build());

    // RFC 1123 names and label syntax, as k8s.io/apimachinery validates them.
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    /** The ObjectMeta fields a client may set; the others are written by the server. */
    private static final String OBJECT_META_SCHEMA = """
            type: object
            additionalProperties: false
            properties:
              name: {type: string, maxLength: 253}
              generateName: {type: string}
              namespace: {type: string, maxLength: 63}
              labels: {type: object, additionalProperties: {type: string}}
              annotations: {type: object, additionalProperties: {type: string}}
              finalizers: {type: array, items: {type: string}}
              ownerReferences: {type: array, items: {type: object}}
            """;

    private final Map<String, Map<String, CrdVersion>> byGroupKind;

    /** One version of a CRD as the API server sees it. */
    public record CrdVersion(
            String crdName, String version, boolean served, boolean deprecated, String warning, Schema schema) {}

    private CustomResourceSchemas(Map<String, Map<String, CrdVersion>> byGroupKind) {
        this.byGroupKind = byGroupKind;
    }

    /** Loads every CustomResourceDefinition in the files directly inside {@code dir}. */
    public static CustomResourceSchemas load(Path dir) throws IOException {
        Map<String, Map<String, CrdVersion>> byGroupKind = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        }
        for (Path file : files) {
            for (JsonNode crd : readDocuments(file)) {
                if (!"CustomResourceDefinition".equals(crd.path("kind").asText(""))) {
                    continue;
                }
                if (!"apiextensions.k8s.io/v1".equals(crd.path("apiVersion").asText(""))) {
                    throw new IllegalArgumentException(file + ": only apiextensions.k8s.io/v1 CRDs are understood");
                }
                JsonNode spec = crd.path("spec");
                String key = spec.path("group").asText() + "/"
                        + spec.path("names").path("kind").asText();
                Map<String, CrdVersion> versions = new LinkedHashMap<>();
                for (JsonNode v : spec.path("versions")) {
                    JsonNode schema = v.path("schema").path("openAPIV3Schema");
                    if (schema.isMissingNode()) {
                        throw new IllegalArgumentException(
                                file + ": version " + v.path("name").asText() + " has no openAPIV3Schema");
                    }
                    versions.put(
                            v.path("name").asText(),
                            new CrdVersion(
                                    crd.path("metadata").path("name").asText(),
                                    v.path("name").asText(),
                                    v.path("served").asBoolean(false),
                                    v.path("deprecated").asBoolean(false),
                                    v.path("deprecationWarning").asText(""),
                                    REGISTRY.getSchema(toJsonSchema(schema))));
                }
                if (byGroupKind.put(key, versions) != null) {
                    throw new IllegalArgumentException(file + ": a second CRD for " + key);
                }
            }
        }
        return new CustomResourceSchemas(byGroupKind);
    }

    /** The YAML documents of a manifest file, parsed strictly (duplicate keys are errors). */
    public static List<JsonNode> readDocuments(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /** Parses YAML text (for checks that change a manifest before validating it). */
    public static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the API server would refuse or warn about in this document; empty when it would store it
     * without a warning.
     */
    public List<String> problems(JsonNode document) {
        String apiVersion = document.path("apiVersion").asText("");
        String kind = document.path("kind").asText("");
        String what = kind + " " + document.path("metadata").path("name").asText("<no name>") + " (" + apiVersion + ")";
        int slash = apiVersion.indexOf('/');
        if (slash < 0 || kind.isEmpty()) {
            return List.of(what + ": apiVersion must be group/version and kind must be set");
        }
        Map<String, CrdVersion> versions = byGroupKind.get(apiVersion.substring(0, slash) + "/" + kind);
        if (versions == null) {
            return List.of(what + ": no CustomResourceDefinition for this group and kind is vendored");
        }
        CrdVersion version = versions.get(apiVersion.substring(slash + 1));
        if (version == null) {
            return List.of(what + ": version not defined by the CRD, which has " + versions.keySet());
        }
        List<String> problems = new ArrayList<>();
        if (!version.served()) {
            problems.add(what + ": version " + version.version() + " is not served by " + version.crdName());
        }
        if (version.deprecated()) {
            problems.add(what + ": version " + version.version() + " is deprecated in " + version.crdName() + ": "
                    + version.warning());
        }
        version.schema().validate(document).forEach(e -> problems.add(what + ": " + e));
        problems.addAll(metadataProblems(what, document.path("metadata")));
        return problems;
    }

    private static List<String> metadataProblems(String what, JsonNode metadata) {
        List<String> problems = new ArrayList<>();
        REGISTRY.getSchema(parse(OBJECT_META_SCHEMA))
                .validate(metadata)
                .forEach(e -> problems.add(what + ": metadata: " + e));
        String name = metadata.path("name").asText("");
        if (name.isEmpty() && metadata.path("generateName").asText("").isEmpty()) {
            problems.add(what + ": metadata.name or metadata.generateName must be set");
        }
        if (!name.isEmpty()
                && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
            problems.add(what + ": metadata.name is not a DNS-1123 subdomain");
        }
        String namespace = metadata.path("namespace").asText("");
        if (!namespace.isEmpty()
                && (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches())) {
            problems.add(what + ": metadata.namespace is not a DNS-1123 label");
        }
        for (var label : metadata.path("labels").properties()) {
            String key = label.getKey();
            String keyName = key.substring(key.indexOf('/') + 1);
            String prefix = key.contains("/") ? key.substring(0, key.indexOf('/')) : "";
            boolean keyOk = keyName.length() <= 63
                    && LABEL_NAME.matcher(keyName).matches()
                    && (prefix.isEmpty()
                            || (prefix.length() <= 253
                                    && DNS_SUBDOMAIN.matcher(prefix).matches()));
            if (!keyOk) {
                problems.add(what + ": label key " + key + " is not a qualified name");
            }
            String value = label.getValue().isTextual() ? label.getValue().asText() : "";
            if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
                problems.add(what + ": label " + key + " has an invalid value");
            }
        }
        return problems;
    }

    /** Translates a CRD's structural schema into the JSON Schema the API server effectively applies. */
    static ObjectNode toJsonSchema(JsonNode structural) {
        ObjectNode root = (ObjectNode) structural.deepCopy();
        addResourceFields(root, true);
        tighten(root);
        return root;
    }

    private static void addResourceFields(ObjectNode schema, boolean root) {
        ObjectNode properties =
                schema.has("properties") ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
        if (!properties.has("apiVersion")) {
            properties.putObject("apiVersion").put("type", "string");
        }
        if (!properties.has("kind")) {
            properties.putObject("kind").put("type", "string");
        }
        if (!properties.has("metadata") || root) {
            // The root's ObjectMeta is validated by metadataProblems, not by the CRD's schema.
            properties.putObject("metadata").put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        }
        schema.put("type", "object");
    }

    private static void tighten(JsonNode node) {
        if (!(node instanceof ObjectNode schema)) {
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            schema.remove("type");
            if (!schema.has("anyOf")) {
                ArrayNode anyOf = schema.putArray("anyOf");
                anyOf.addObject().put("type", "integer");
                anyOf.addObject().put("type", "string");
            }
        }
        if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
            addResourceFields(schema, false);
        }
        if ("set".equals(schema.path("x-kubernetes-list-type").asText(""))) {
            schema.put("uniqueItems", true);
        }
        boolean object = "object".equals(schema.path("type").asText("")) || schema.has("properties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (object && !preserve && !schema.has("additionalProperties")) {
            // Unlisted fields would be pruned; strict field validation makes them an error instead.
            schema.put("additionalProperties", false);
        }
        for (var property : schema.path("properties").properties()) {
            tighten(property.getValue());
        }
        tighten(schema.get("additionalProperties"));
        tighten(schema.get("items"));
        tighten(schema.get("not"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode alternative : schema.path(combinator)) {
                tighten(alternative);
            }
        }
    }

    /** The vendored CRDs directory of the integration tests. */
    public static Path vendoredCrds() {
        return RepoPaths.root().resolve("integration-tests/src/test/resources/crds");
    }
}
