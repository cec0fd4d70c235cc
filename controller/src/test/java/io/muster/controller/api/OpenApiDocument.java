package io.muster.controller.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The OpenAPI document of the controller, as a checker: validates the document against the
 * OpenAPI 3.1 schema (shipped in vertx-openapi) and holds recorded exchanges against it: path,
 * method, status, response media type and body schema, and for accepted requests the query
 * parameters and the request body. Schemas are checked with vertx-json-schema (draft 2020-12,
 * the dialect of OpenAPI 3.1). Not thread-safe; one instance per test.
 */
final class OpenApiDocument {

    private static final String OAS_SCHEMA = "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07";
    private static final List<String> OAS_RESOURCES = List.of(
            "spec.openapis.org/oas/3.1/meta/base",
            "spec.openapis.org/oas/3.1/dialect/base",
            "spec.openapis.org/oas/3.1/schema/2022-10-07",
            "spec.openapis.org/oas/3.1/schema-base/2022-10-07");
    private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions()
            .setDraft(Draft.DRAFT202012)
            .setBaseUri("https://muster.invalid/openapi/")
            .setOutputFormat(OutputFormat.Basic);

    private final JsonObject document;
    private final List<PathTemplate> paths = new ArrayList<>();
    private final Map<String, Validator> validators = new HashMap<>();

    OpenApiDocument(JsonObject document) {
        this.document = document;
        for (String name : document.getJsonObject("paths").fieldNames()) {
            paths.add(new PathTemplate(name));
        }
        // The most literal template wins: /tasks/{id}/runs before a hypothetical /tasks/{id}/{x}.
        paths.sort(Comparator.comparingInt(PathTemplate::parameters).thenComparing(PathTemplate::name));
    }

    JsonObject raw() {
        return document;
    }

    /** Problems of the document itself: OpenAPI 3.1 schema violations, dangling $refs, duplicate operation ids. */
    List<String> selfCheck(Vertx vertx) {
        List<String> problems = new ArrayList<>();
        SchemaRepository repository = SchemaRepository.create(OPTIONS).preloadMetaSchema(vertx.fileSystem(), Draft.DRAFT202012);
        for (String resource : OAS_RESOURCES) {
            repository.dereference(JsonSchema.of(new JsonObject(resource(resource))));
        }
        OutputUnit result = repository.validator(OAS_SCHEMA).validate(document);
        if (!result.getValid()) {
            problems.add("not a valid OpenAPI 3.1 document: " + describe(result));
        }
        collectRefs(document, problems);
        Set<String> ids = new HashSet<>();
        for (PathTemplate path : paths) {
            JsonObject item = document.getJsonObject("paths").getJsonObject(path.name());
            for (String method : item.fieldNames()) {
                String id = item.getJsonObject(method).getString("operationId");
                if (id == null || !ids.add(id)) {
                    problems.add(method + " " + path.name() + ": missing or duplicate operationId " + id);
                }
            }
        }
        return problems;
    }

    /** Documented (method, path template) pairs, e.g. "GET /api/v1/hosts/{id}". */
    Set<String> operations() {
        Set<String> out = new HashSet<>();
        for (PathTemplate path : paths) {
            for (String method : document.getJsonObject("paths").getJsonObject(path.name()).fieldNames()) {
                out.add(method.toUpperCase(Locale.ROOT) + " " + path.name());
            }
        }
        return out;
    }

    /** What is wrong with one exchange according to the document; empty when it conforms. */
    List<String> check(Exchange exchange) {
        List<String> problems = new ArrayList<>();
        Optional<PathTemplate> template = paths.stream().filter(p -> p.matches(exchange.path())).findFirst();
        if (template.isEmpty()) {
            if (routerRefusal(exchange)) {
                checkBody(exchange, ref("#/components/schemas/Problem"), problems);
                return problems;
            }
            problems.add(exchange + ": undocumented path");
            return problems;
        }
        JsonObject item = document.getJsonObject("paths").getJsonObject(template.get().name());
        JsonObject operation = item.getJsonObject(exchange.method().toLowerCase(Locale.ROOT));
        if (operation == null) {
            if (exchange.status() == 405 || routerRefusal(exchange)) {
                checkBody(exchange, ref("#/components/schemas/Problem"), problems);
                return problems;
            }
            problems.add(exchange + ": method not documented for " + template.get().name());
            return problems;
        }
        JsonObject response = operation.getJsonObject("responses").getJsonObject(String.valueOf(exchange.status()));
        if (response == null) {
            problems.add(exchange + ": status " + exchange.status() + " not documented for "
                    + exchange.method() + " " + template.get().name() + " (body " + abbreviate(exchange.responseBody()) + ")");
            return problems;
        }
        response = resolve(response);
        checkResponse(exchange, response, problems);
        if (exchange.status() >= 200 && exchange.status() < 300) {
            checkQuery(exchange, item, operation, problems);
            checkRequestBody(exchange, operation, problems);
        }
        return problems;
    }

    private static boolean routerRefusal(Exchange exchange) {
        return (exchange.status() == 404 || exchange.status() == 405) && exchange.responseBody() != null
                && exchange.responseBody().contains("urn:muster:problem:no-route")
                || exchange.status() == 405 && exchange.responseBody() != null
                && exchange.responseBody().contains("urn:muster:problem:method-not-allowed");
    }

    private void checkResponse(Exchange exchange, JsonObject response, List<String> problems) {
        JsonObject content = response.getJsonObject("content");
        if (content == null) {
            if (exchange.responseBody() != null && !exchange.responseBody().isEmpty()) {
                problems.add(exchange + ": documented without a body, answered " + abbreviate(exchange.responseBody()));
            }
            return;
        }
        String mediaType = mediaType(exchange.contentType());
        JsonObject media = content.getJsonObject(mediaType);
        if (media == null) {
            problems.add(exchange + ": Content-Type " + exchange.contentType() + " not documented; documented: " + content.fieldNames());
            return;
        }
        checkBody(exchange, media.getJsonObject("schema"), problems);
    }

    private void checkBody(Exchange exchange, JsonObject schema, List<String> problems) {
        String mediaType = mediaType(exchange.contentType());
        Object body;
        if (mediaType.equals("application/json") || mediaType.endsWith("+json")) {
            try {
                body = io.vertx.core.json.Json.decodeValue(exchange.responseBody());
            } catch (RuntimeException e) {
                problems.add(exchange + ": body is not JSON: " + abbreviate(exchange.responseBody()));
                return;
            }
        } else {
            body = exchange.responseBody();
        }
        OutputUnit result = validator(schema).validate(body);
        if (!result.getValid()) {
            problems.add(exchange + ": response body does not match its schema: " + describe(result)
                    + " in " + abbreviate(exchange.responseBody()));
        }
    }

    private void checkQuery(Exchange exchange, JsonObject item, JsonObject operation, List<String> problems) {
        Map<String, JsonObject> documented = new HashMap<>();
        for (JsonArray list : new JsonArray[] {item.getJsonArray("parameters"), operation.getJsonArray("parameters")}) {
            if (list == null) {
                continue;
            }
            for (int i = 0; i < list.size(); i++) {
                JsonObject parameter = resolve(list.getJsonObject(i));
                if ("query".equals(parameter.getString("in"))) {
                    documented.put(parameter.getString("name"), parameter);
                }
            }
        }
        Map<String, String> sent = new HashMap<>();
        if (exchange.query() != null && !exchange.query().isEmpty()) {
            for (String pair : exchange.query().split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                sent.put(name, value);
            }
        }
        for (Map.Entry<String, String> entry : sent.entrySet()) {
            JsonObject parameter = documented.get(entry.getKey());
            if (parameter == null) {
                problems.add(exchange + ": query parameter '" + entry.getKey() + "' accepted but not documented");
                continue;
            }
            JsonObject schema = parameter.getJsonObject("schema");
            Object value = coerce(entry.getValue(), resolve(schema));
            OutputUnit result = validator(schema).validate(value);
            if (!result.getValid()) {
                problems.add(exchange + ": query parameter '" + entry.getKey() + "'='" + entry.getValue()
                        + "' accepted but does not match its schema: " + describe(result));
            }
        }
        documented.values().stream()
                .filter(p -> p.getBoolean("required", false) && !sent.containsKey(p.getString("name")))
                .forEach(p -> problems.add(exchange + ": required query parameter '" + p.getString("name") + "' missing but accepted"));
    }

    private void checkRequestBody(Exchange exchange, JsonObject operation, List<String> problems) {
        JsonObject requestBody = operation.getJsonObject("requestBody");
        if (requestBody == null) {
            return;
        }
        JsonObject media = requestBody.getJsonObject("content").getJsonObject("application/json");
        if (exchange.requestBody() == null) {
            if (requestBody.getBoolean("required", false)) {
                problems.add(exchange + ": accepted without its required body");
            }
            return;
        }
        if (media == null) {
            // Only byte bodies are documented (uploads of images and agent builds): they are opaque.
            return;
        }
        Object body;
        try {
            body = io.vertx.core.json.Json.decodeValue(exchange.requestBody());
        } catch (RuntimeException e) {
            problems.add(exchange + ": accepted a request body that is not JSON");
            return;
        }
        OutputUnit result = validator(media.getJsonObject("schema")).validate(body);
        if (!result.getValid()) {
            problems.add(exchange + ": accepted a request body that does not match its schema: " + describe(result)
                    + " in " + abbreviate(exchange.requestBody()));
        }
    }

    private static Object coerce(String text, JsonObject schema) {
        Object type = schema.getValue("type");
        if ("integer".equals(type)) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                return text;
            }
        }
        return text;
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

    private static JsonObject ref(String pointer) {
        return new JsonObject().put("$ref", pointer);
    }

    /** Follows a local "#/components/..." $ref of a response or parameter object. */
    private JsonObject resolve(JsonObject object) {
        String ref = object.getString("$ref");
        if (ref == null) {
            return object;
        }
        Object target = pointer(ref);
        if (!(target instanceof JsonObject resolved)) {
            throw new IllegalStateException("dangling $ref " + ref);
        }
        return resolve(resolved);
    }

    private Object pointer(String ref) {
        if (!ref.startsWith("#/")) {
            return null;
        }
        Object at = document;
        for (String part : ref.substring(2).split("/")) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (!(at instanceof JsonObject object) || !object.containsKey(key)) {
                return null;
            }
            at = object.getValue(key);
        }
        return at;
    }

    private void collectRefs(Object node, List<String> problems) {
        if (node instanceof JsonObject object) {
            Object ref = object.getValue("$ref");
            if (ref instanceof String text && pointer(text) == null) {
                problems.add("dangling $ref " + text);
            }
            object.forEach(entry -> collectRefs(entry.getValue(), problems));
        } else if (node instanceof JsonArray array) {
            array.forEach(value -> collectRefs(value, problems));
        }
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
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
                if (out.length() > 1500) {
                    break;
                }
            }
        }
        return out.toString();
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "(none)";
        }
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private static String resource(String name) {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test classpath (vertx-openapi ships it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A documented path such as /api/v1/hosts/{id}/labels, as a matcher of concrete paths. */
    record PathTemplate(String name, Pattern pattern, int parameters) {
        PathTemplate(String name) {
            this(name, Pattern.compile("^" + name.replaceAll("\\{[^/}]+}", "[^/]+").replace(".", "\\.") + "$"),
                    (int) name.chars().filter(c -> c == '{').count());
        }

        boolean matches(String path) {
            return pattern.matcher(path).matches();
        }
    }
}
