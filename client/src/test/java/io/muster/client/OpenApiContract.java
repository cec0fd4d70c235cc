package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The OpenAPI document the controller serves ({@code /api/v1/openapi.json}, read from the
 * controller's jar) as the client's tests need it: which operation a request is, what that
 * operation answers on success (status, media type, body schema), a documented answer to serve
 * the client, and the two checks of what came back: does an answer match its schema, and is
 * every key the client's parsers read from it a documented field.
 *
 * <p>Schemas are checked as the controller's own {@code OpenApiConformanceTest} checks them:
 * vertx-json-schema, draft 2020-12 (the dialect of OpenAPI 3.1), each schema wrapped with the
 * document's {@code components} so its {@code $ref}s resolve.
 */
final class OpenApiContract {

    private static final String DOCUMENT = "openapi/muster-v1.json";
    private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions()
            .setDraft(Draft.DRAFT202012)
            .setBaseUri("https://muster.invalid/openapi/")
            .setOutputFormat(OutputFormat.Basic);

    /** One documented operation: "GET /api/v1/hosts/{id}" and its OpenAPI operation object. */
    record Operation(String method, String template, JsonObject spec) {
        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /** The documented success of an operation: its lowest 2xx status, media type (null: no body) and body schema. */
    record Success(int status, String mediaType, JsonObject schema) {
    }

    private final JsonObject document;
    private final Map<String, Validator> validators = new HashMap<>();

    private OpenApiContract(JsonObject document) {
        this.document = document;
    }

    static OpenApiContract load() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException(DOCUMENT + " is not on the test classpath (the controller's jar has it)");
            }
            return new OpenApiContract(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonObject document() {
        return document;
    }

    /** The operation a request is, by method and raw path; null when the document has none. */
    Operation operation(String method, String rawPath) {
        JsonObject paths = document.getJsonObject("paths");
        for (String template : paths.fieldNames()) {
            JsonObject spec = paths.getJsonObject(template).getJsonObject(method.toLowerCase(Locale.ROOT));
            if (spec != null && matches(template, rawPath)) {
                return new Operation(method, template, spec);
            }
        }
        return null;
    }

    Success success(Operation operation) {
        JsonObject responses = operation.spec().getJsonObject("responses");
        int status = responses.fieldNames().stream().filter(code -> code.startsWith("2")).mapToInt(Integer::parseInt).min()
                .orElseThrow(() -> new IllegalStateException(operation + " documents no success"));
        JsonObject content = resolve(responses.getJsonObject(String.valueOf(status))).getJsonObject("content");
        if (content == null || content.isEmpty()) {
            return new Success(status, null, null);
        }
        String mediaType = content.fieldNames().iterator().next();
        return new Success(status, mediaType, content.getJsonObject(mediaType).getJsonObject("schema"));
    }

    /**
     * What is wrong with an answer's body against the schema documented for it; empty when it
     * conforms. JSON media types are decoded first; other bodies are checked as strings.
     */
    List<String> checkAnswer(Operation operation, String body) {
        Success success = success(operation);
        if (success.schema() == null) {
            return body == null || body.isEmpty() ? List.of() : List.of(operation + ": documented without a body, answered " + body);
        }
        Object value;
        if (success.mediaType().equals("application/json") || success.mediaType().endsWith("+json")) {
            try {
                value = io.vertx.core.json.Json.decodeValue(body);
            } catch (RuntimeException e) {
                return List.of(operation + ": answer is not JSON: " + body);
            }
        } else {
            value = body;
        }
        OutputUnit result = validator(success.schema()).validate(value);
        return result.getValid() ? List.of() : List.of(operation + ": answer does not match its schema: " + describe(result));
    }

    /**
     * The keys among {@code reads} (paths as {@link KeyReads} notes them) that the answer
     * documented for the operation does not have: a parser reading a field the document lacks.
     *
     * @param readAs another schema whose fields may be read too (null for none)
     */
    List<String> undocumentedReads(Operation operation, Iterable<String> reads, JsonObject readAs) {
        Success success = success(operation);
        List<String> problems = new ArrayList<>();
        for (String path : reads) {
            boolean documented = success.schema() != null && documented(success.schema(), path)
                    || readAs != null && documented(readAs, path);
            if (!documented) {
                problems.add(operation + ": reads '" + path + "', which its documented answer does not have");
            }
        }
        return problems;
    }

    /** Whether a read path names a field of the schema (a named schema: "#/components/schemas/Task"). */
    boolean documented(JsonObject schema, String path) {
        List<JsonObject> at = List.of(schema);
        for (String segment : path.split("/")) {
            List<JsonObject> next = new ArrayList<>();
            for (JsonObject node : alternatives(at)) {
                JsonObject child = child(node, segment);
                if (child != null) {
                    next.add(child);
                }
            }
            if (next.isEmpty()) {
                return false;
            }
            at = next;
        }
        return true;
    }

    /** A schema and, through $ref, allOf, oneOf and anyOf, every schema a value of it may also have to match. */
    private List<JsonObject> alternatives(List<JsonObject> nodes) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonObject node : nodes) {
            JsonObject resolved = resolve(node);
            out.add(resolved);
            for (String combinator : List.of("allOf", "oneOf", "anyOf")) {
                JsonArray members = resolved.getJsonArray(combinator);
                if (members != null) {
                    List<JsonObject> nested = new ArrayList<>();
                    members.forEach(member -> nested.add((JsonObject) member));
                    out.addAll(alternatives(nested));
                }
            }
        }
        return out;
    }

    /** The schema of one step into a value: a property, a map's value, or "[]" an array's element. */
    private static JsonObject child(JsonObject node, String segment) {
        if (segment.equals("[]")) {
            return node.getJsonObject("items");
        }
        JsonObject properties = node.getJsonObject("properties");
        if (properties != null && properties.containsKey(segment)) {
            return properties.getJsonObject(segment);
        }
        Object additional = node.getValue("additionalProperties");
        if (additional instanceof JsonObject valueSchema) {
            return valueSchema;
        }
        // A free-form object ({"type":"object"} and nothing more, e.g. a task's target) names no fields to miss.
        Object type = node.getValue("type");
        boolean object = type == null && !node.containsKey("enum") && !node.containsKey("const") || "object".equals(type) || type instanceof JsonArray types && types.contains("object");
        return properties == null && !Boolean.FALSE.equals(additional) && object ? new JsonObject() : null;
    }

    /**
     * A value of the schema with every documented property present (so that whatever a parser may
     * read is there to read): the first of an enum or of oneOf/anyOf, a non-null type where null
     * is allowed, one element per array, one entry per map, minimums respected.
     */
    Object example(JsonObject schema) {
        JsonObject node = resolve(schema);
        if (node.containsKey("const")) {
            return node.getValue("const");
        }
        if (node.containsKey("enum")) {
            return node.getJsonArray("enum").getValue(0);
        }
        if (node.containsKey("examples")) {
            return node.getJsonArray("examples").getValue(0);
        }
        for (String combinator : List.of("oneOf", "anyOf")) {
            if (node.containsKey(combinator)) {
                return example(node.getJsonArray(combinator).getJsonObject(0));
            }
        }
        if (node.containsKey("allOf")) {
            JsonObject merged = new JsonObject();
            node.getJsonArray("allOf").forEach(member -> merged.mergeIn((JsonObject) example((JsonObject) member)));
            return merged;
        }
        String type = type(node);
        switch (type) {
            case "object":
                JsonObject object = new JsonObject();
                JsonObject properties = node.getJsonObject("properties", new JsonObject());
                for (String name : properties.fieldNames()) {
                    object.put(name, example(properties.getJsonObject(name)));
                }
                if (node.getValue("additionalProperties") instanceof JsonObject valueSchema) {
                    object.put("example", example(valueSchema));
                }
                return object;
            case "array":
                JsonArray array = new JsonArray();
                JsonObject items = node.getJsonObject("items", new JsonObject());
                for (int i = 0; i < Math.max(1, node.getInteger("minItems", 1)); i++) {
                    array.add(example(items));
                }
                return array;
            case "integer":
                return node.getLong("minimum", 1L);
            case "number":
                return 1.5;
            case "boolean":
                return true;
            case "null":
                return null;
            default:
                return switch (node.getString("format", "")) {
                    case "date-time" -> "2026-12-01T00:00:00Z";
                    case "uuid" -> "00000000-0000-4000-8000-000000000001";
                    default -> "x".repeat(Math.max(1, node.getInteger("minLength", 1)));
                };
        }
    }

    /** The type to give an example: the first non-null one listed, else what the keywords imply. */
    private static String type(JsonObject node) {
        Object type = node.getValue("type");
        if (type instanceof String text) {
            return text;
        }
        if (type instanceof JsonArray types) {
            for (Object option : types) {
                if (!"null".equals(option)) {
                    return (String) option;
                }
            }
            return "null";
        }
        if (node.containsKey("properties") || node.containsKey("additionalProperties")) {
            return "object";
        }
        return node.containsKey("items") ? "array" : "string";
    }

    /** A validator for a schema of this document; $refs resolve against the document's components. */
    private Validator validator(JsonObject schema) {
        return validators.computeIfAbsent(schema.encode(), key -> {
            JsonObject wrapper = new JsonObject()
                    .put("components", document.getJsonObject("components"))
                    .put("allOf", new JsonArray().add(schema));
            return Validator.create(JsonSchema.of(wrapper), OPTIONS);
        });
    }

    /** Follows local "#/components/..." $refs. */
    JsonObject resolve(JsonObject node) {
        JsonObject at = node;
        while (at.containsKey("$ref")) {
            String ref = at.getString("$ref");
            if (!ref.startsWith("#/")) {
                throw new IllegalStateException("not a local $ref: " + ref);
            }
            Object target = document;
            for (String part : ref.substring(2).split("/")) {
                target = ((JsonObject) target).getValue(part.replace("~1", "/").replace("~0", "~"));
            }
            if (!(target instanceof JsonObject resolved)) {
                throw new IllegalStateException("dangling $ref " + ref);
            }
            at = resolved;
        }
        return at;
    }

    private static boolean matches(String template, String rawPath) {
        String[] want = template.split("/", -1);
        String[] got = rawPath.split("/", -1);
        if (want.length != got.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            boolean variable = want[i].startsWith("{") && want[i].endsWith("}");
            if (variable ? got[i].isEmpty() : !want[i].equals(got[i])) {
                return false;
            }
        }
        return true;
    }

    private static String describe(OutputUnit result) {
        StringBuilder out = new StringBuilder();
        if (result.getError() != null) {
            out.append(result.getError());
        }
        if (result.getErrors() != null) {
            for (OutputUnit error : result.getErrors()) {
                out.append(" [").append(error.getInstanceLocation()).append(": ").append(error.getError())
                        .append(" at ").append(error.getKeywordLocation()).append(']');
            }
        }
        return out.toString();
    }
}
