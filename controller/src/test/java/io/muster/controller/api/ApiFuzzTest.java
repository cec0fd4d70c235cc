package io.muster.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.InterfaceFixture;
import io.muster.controller.http.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.awaitility.Awaitility;

/**
 * API fuzzing from the contract: for every operation in the controller's own
 * {@code /api/v1/openapi.json}, generated requests, valid and invalid (wrong types, missing and
 * extra fields, huge values, bad selectors and cursors, unicode, malformed percent-encoding,
 * broken paths and headers), sent byte for byte to a real controller. Never a 5xx, never a hang,
 * and every 4xx an RFC 9457 problem whose type and detail say what was wrong. jqwik prints the
 * seed of a failing run; replay it with {@code @Property(seed = "...")}.
 */
class ApiFuzzTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Pattern TEMPLATE_PARAMETER = Pattern.compile("\\{([^}]+)}");

    private static InterfaceFixture fixture;
    private static int port;
    private static JsonObject document;
    private static List<Operation> operations;
    private static String taskId;

    /** One documented operation, its parameters and body schema with every $ref resolved. */
    record Operation(String method, String template, List<JsonObject> parameters, JsonObject bodySchema, String bodyType) {

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /** One request exactly as it goes on the wire. */
    record Request(String method, String target, List<String> headers, byte[] body) {

        String head() {
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: 127.0.0.1\r\n");
            headers.forEach(h -> head.append(h).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("Connection: close\r\n");
            return head.toString();
        }

        @Override
        public String toString() {
            String shown = new String(body, StandardCharsets.UTF_8);
            return head().replace("\r\n", " | ") + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown);
        }
    }

    @BeforeContainer
    static void start() throws IOException {
        fixture = new InterfaceFixture(Files.createTempDirectory("api-fuzz"));
        port = fixture.controller.httpPort();
        document = new JsonObject(RawHttp.send(port, "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n",
                new byte[0], DEADLINE).body());
        operations = operations(document);
        RawHttp.Response created = RawHttp.send(port, "POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Authorization: Bearer " + fixture.adminToken + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + taskBody().length + "\r\n",
                taskBody(), DEADLINE);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        taskId = new JsonObject(created.body()).getString("id");
    }

    @AfterContainer
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Property(tries = 200)
    void contractShapedRequests_neverFailTheServer(@ForAll("contractRequests") Request request) throws IOException {
        check(request, RawHttp.send(port, request.head(), request.body(), DEADLINE));
    }

    @Property(tries = 150)
    void malformedUrlsAndHeaders_areBadRequestsWithAProblem(@ForAll("malformedRequests") Request request) throws IOException {
        RawHttp.Response response = RawHttp.send(port, request.head(), request.body(), DEADLINE);
        check(request, response);
        assertThat(response.status()).as("status of %s", request).isBetween(400, 499);
    }

    /** The two new-user examples from the issue, by name. */
    @Property(tries = 1)
    void malformedPercentEncodingInTheQuery_isABadRequestNamingTheParameter() throws IOException {
        for (String target : List.of("/api/v1/hosts?cursor=%%%garbage", "/api/v1/hosts?limit=%zz")) {
            Request request = new Request("GET", target, List.of("Authorization: Bearer " + fixture.adminToken), new byte[0]);
            RawHttp.Response response = RawHttp.send(port, request.head(), request.body(), DEADLINE);
            check(request, response);
            assertThat(response.status()).isEqualTo(400);
            assertThat(new JsonObject(response.body()).getString("type")).isEqualTo("urn:muster:problem:malformed-url");
            assertThat(new JsonObject(response.body()).getString("detail")).contains("percent-encoding");
        }
    }

    /** A GraphQL body that is not one request object once got a bare "Bad Request" (a fuzz find). */
    @Property(tries = 1)
    void aGraphQlBodyThatIsNotOneRequest_isABadRequestSayingWhatItMustBe() throws IOException {
        for (String body : List.of("[]", "[{\"query\":\"{ cluster { members { id } } }\"}]", "{}", "{\"query\":42}", "\"x\"")) {
            Request request = new Request("POST", "/graphql", List.of("Authorization: Bearer " + fixture.adminToken,
                    "Content-Type: application/json"), body.getBytes(StandardCharsets.UTF_8));
            RawHttp.Response response = RawHttp.send(port, request.head(), request.body(), DEADLINE);
            check(request, response);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(new JsonObject(response.body()).getString("detail")).as(body).contains("POST one JSON object");
        }
    }

    /** A path of kilobytes once failed the audit batch (index row too big) and lost every event in it. */
    @Property(tries = 1)
    void aMutationWithAHugePath_isStillAudited() throws Exception {
        String host = "x".repeat(3_000);
        Request request = new Request("POST", "/api/v1/hosts/" + host + "/revoke", admin(), new byte[0]);
        RawHttp.Response response = RawHttp.send(port, request.head(), request.body(), DEADLINE);
        check(request, response);

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (Connection connection = fixture.testDatabase.connect();
                 PreparedStatement query = connection.prepareStatement(
                         "SELECT action FROM audit_events WHERE action LIKE 'POST /api/v1/hosts/xxxx%'")) {
                ResultSet rows = query.executeQuery();
                assertThat(rows.next()).as("the audit event of the huge path").isTrue();
                assertThat(rows.getString(1)).hasSizeLessThan(600).endsWith("(" + ("POST /api/v1/hosts/" + host + "/revoke").length()
                        + " characters)");
            }
        });
    }

    private static void check(Request request, RawHttp.Response response) {
        String about = request + "\n -> " + response.status() + " " + response.body();
        boolean readiness = request.target().startsWith("/readyz");
        if (!(readiness && response.status() == 503)) {
            assertThat(response.status()).as("no server error for %s", about).isLessThan(500);
        }
        if (response.status() >= 400) {
            assertThat(response.header("content-type")).as("problem media type for %s", about).startsWith(Problem.CONTENT_TYPE);
            JsonObject problem = new JsonObject(response.body());
            assertThat(problem.getInteger("status")).as(about).isEqualTo(response.status());
            assertThat(problem.getString("type")).as(about).startsWith("urn:muster:problem:")
                    .isNotEqualTo("urn:muster:problem:internal");
            assertThat(problem.getString("detail")).as("a detail saying what was wrong for %s", about)
                    .doesNotStartWith("the request was refused");
            assertThat(problem.getString("title")).as(about).isNotBlank();
            assertThat(problem.getString("detail")).as(about).isNotBlank();
        }
    }

    // ---- generators --------------------------------------------------------------------------

    @Provide
    Arbitrary<Request> contractRequests() {
        return Arbitraries.of(operations).flatMap(op -> Combinators.combine(
                        path(op), query(op), auth(), extraHeaders(op), body(op))
                .as((path, query, auth, headers, body) -> {
                    List<String> all = new ArrayList<>(auth);
                    all.addAll(headers);
                    return new Request(op.method(), path + query, all, body);
                }));
    }

    @Provide
    Arbitrary<Request> malformedRequests() {
        Arbitrary<Operation> op = Arbitraries.of(operations);
        Arbitrary<Request> badTarget = op.flatMap(o -> Combinators.combine(path(o), malformedPercent(), Arbitraries.of(0, 1, 2))
                .as((path, bad, where) -> new Request(o.method(), switch (where) {
                    case 0 -> path + bad;
                    case 1 -> path + "?limit=1&" + bad + "=" + bad;
                    default -> path + "?selector=" + bad + "&cursor=" + bad;
                }, admin(), new byte[0])));
        Arbitrary<Request> badHeader = op.flatMap(o -> Combinators.combine(path(o), Arbitraries.of(
                        "Bad Header: x", "NoColonAtAll", "X-Control: a\u0001b", "Content-Type", ": empty-name",
                        "X-Huge: " + "h".repeat(20_000), "Authorization: Bearer \u00e9\u00e8", "Host: a", "Expect: 999-nonsense"))
                .as((path, header) -> new Request(o.method(), path, withAdmin(header), new byte[0])));
        Arbitrary<Request> badPath = Arbitraries.of(
                        "/api/v1/hosts/%", "/api/v1/hosts/%zz", "/api/v1/hosts/%C3%28", "/api/v1/tasks/%ff%fe/runs",
                        "/api/v1/" + "a".repeat(10_000), "/api/v1/hosts/%00", "/api/v1/hosts?selector=a%00b",
                        "/api/v1/hosts/\u00e9\u2603 x", "*",
                        "/api/v1/hosts?limit=%", "/api/v1/hosts?%=1", "/api/v1/audit?since=%e9%00")
                .map(target -> new Request("GET", target, admin(), new byte[0]));
        return Arbitraries.oneOf(badTarget, badHeader, badPath);
    }

    private static Arbitrary<String> path(Operation op) {
        Matcher matcher = TEMPLATE_PARAMETER.matcher(op.template());
        List<Arbitrary<String>> segments = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        int last = 0;
        while (matcher.find()) {
            literals.add(op.template().substring(last, matcher.start()));
            segments.add(Arbitraries.frequencyOf(
                    Tuple.of(4, validPathValue(op.template(), matcher.group(1))),
                    Tuple.of(2, junkText().map(ApiFuzzTest::encode)),
                    Tuple.of(1, malformedPercent())).map(s -> s));
            last = matcher.end();
        }
        String tail = op.template().substring(last);
        if (segments.isEmpty()) {
            return Arbitraries.just(op.template());
        }
        return Combinators.combine(segments).as(values -> {
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < values.size(); i++) {
                path.append(literals.get(i)).append(values.get(i));
            }
            return path.append(tail).toString();
        });
    }

    private static Arbitrary<String> validPathValue(String template, String name) {
        if (template.startsWith("/api/v1/hosts")) {
            return Arbitraries.of("h-0", "h-1", "h-2", "no-such-host");
        }
        if (template.startsWith("/api/v1/tasks")) {
            return Arbitraries.of(taskId, UUID.randomUUID().toString(), "not-a-uuid");
        }
        if (name.equals("digest")) {
            return Arbitraries.of("sha256:" + "ab".repeat(32), "sha256:zz", "md5:00");
        }
        if (name.equals("version")) {
            return Arbitraries.of("1.2.3", "0.1.0-SNAPSHOT", "x");
        }
        return Arbitraries.of(UUID.randomUUID().toString(), "1");
    }

    private static Arbitrary<String> query(Operation op) {
        List<Arbitrary<String>> pairs = new ArrayList<>();
        for (JsonObject parameter : op.parameters()) {
            if (!"query".equals(parameter.getString("in"))) {
                continue;
            }
            String name = parameter.getString("name");
            Arbitrary<String> value = Arbitraries.frequencyOf(
                    Tuple.of(4, validValue(parameter.getJsonObject("schema", new JsonObject()))),
                    Tuple.of(3, junkText().map(ApiFuzzTest::encode)),
                    Tuple.of(1, malformedPercent()));
            pairs.add(Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("")),
                    Tuple.of(2, value.map(v -> name + "=" + v))));
        }
        pairs.add(Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just("")),
                Tuple.of(1, junkText().map(v -> "unknown_" + encode(v) + "=1"))));
        return Combinators.combine(pairs).as(parts -> {
            String joined = parts.stream().filter(p -> !p.isEmpty()).collect(Collectors.joining("&"));
            return joined.isEmpty() ? "" : "?" + joined;
        });
    }

    private static Arbitrary<List<String>> auth() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(admin())),
                Tuple.of(2, Arbitraries.just(List.of("Authorization: Bearer " + fixture.paymentsToken))),
                Tuple.of(1, Arbitraries.just(List.<String>of())),
                Tuple.of(1, Arbitraries.just(List.of("Authorization: Bearer mst_garbage"))),
                Tuple.of(1, Arbitraries.just(List.of("Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l"))));
    }

    private static Arbitrary<List<String>> extraHeaders(Operation op) {
        String type = op.bodyType() == null ? "application/json" : op.bodyType();
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.just(List.of("Content-Type: " + type))),
                Tuple.of(1, Arbitraries.just(List.of("Content-Type: text/plain; charset=utf-16"))),
                Tuple.of(1, Arbitraries.just(List.of("Content-Type: " + type, "Accept: application/xml"))),
                Tuple.of(1, junkText().map(v -> List.of("Content-Type: " + type, "X-Trace: " + encode(v)))));
    }

    private static Arbitrary<byte[]> body(Operation op) {
        Arbitrary<byte[]> junk = Arbitraries.of("", "null", "[]", "\"text\"", "{", "{\"a\":", "42", "\u0000\u0001",
                        "{\"target\":{\"selector\":\"" + "(".repeat(5_000) + "\"}}", "\uFEFF{}")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        if (op.bodySchema() == null) {
            if (op.bodyType() != null) {
                return Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000);
            }
            return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(new byte[0])), Tuple.of(1, junk));
        }
        Arbitrary<JsonObject> valid = validObject(op.bodySchema());
        return Arbitraries.frequencyOf(
                Tuple.of(3, valid.map(o -> o.encode().getBytes(StandardCharsets.UTF_8))),
                Tuple.of(6, valid.flatMap(ApiFuzzTest::mutated).map(o -> o.encode().getBytes(StandardCharsets.UTF_8))),
                Tuple.of(2, junk));
    }

    /** A body the schema accepts: required members always, optional ones sometimes. */
    private static Arbitrary<JsonObject> validObject(JsonObject schema) {
        JsonObject properties = schema.getJsonObject("properties", new JsonObject());
        List<String> required = schema.getJsonArray("required", new JsonArray()).stream().map(String::valueOf).toList();
        List<Arbitrary<Map.Entry<String, Object>>> members = new ArrayList<>();
        for (String name : properties.fieldNames().stream().sorted().toList()) {
            Arbitrary<Map.Entry<String, Object>> member = validJson(resolve(properties.getJsonObject(name)))
                    .map(v -> Map.entry(name, v));
            members.add(required.contains(name) ? member
                    : Arbitraries.oneOf(member, Arbitraries.just(Map.<String, Object>entry("", ""))));
        }
        if (members.isEmpty()) {
            return Arbitraries.just(new JsonObject());
        }
        return Combinators.combine(members).as(entries -> {
            JsonObject object = new JsonObject();
            entries.stream().filter(e -> !e.getKey().isEmpty()).forEach(e -> object.put(e.getKey(), e.getValue()));
            return object;
        });
    }

    private static Arbitrary<Object> validJson(JsonObject schema) {
        if (schema.containsKey("enum")) {
            return Arbitraries.of(schema.getJsonArray("enum").getList()).map(v -> (Object) v);
        }
        if (schema.containsKey("oneOf") || schema.containsKey("anyOf")) {
            JsonArray choices = schema.getJsonArray(schema.containsKey("oneOf") ? "oneOf" : "anyOf");
            List<JsonObject> options = new ArrayList<>();
            for (int i = 0; i < choices.size(); i++) {
                options.add(resolve(choices.getJsonObject(i)));
            }
            return Arbitraries.of(options).flatMap(ApiFuzzTest::validJson);
        }
        String type = schema.getValue("type") instanceof JsonArray types ? types.getString(0) : schema.getString("type", "object");
        return switch (type) {
            case "integer" -> Arbitraries.integers()
                    .between(schema.getInteger("minimum", 0), Math.min(schema.getInteger("maximum", 100_000), 100_000))
                    .map(v -> (Object) v);
            case "number" -> Arbitraries.doubles().between(0, 1000).map(v -> (Object) v);
            case "boolean" -> Arbitraries.of(true, false).map(v -> (Object) v);
            case "array" -> validJson(resolve(schema.getJsonObject("items", new JsonObject())))
                    .list().ofMaxSize(3).map(l -> (Object) new JsonArray(l));
            case "string" -> validString(schema).map(v -> (Object) v);
            default -> validObject(schema).map(v -> (Object) v);
        };
    }

    private static Arbitrary<String> validString(JsonObject schema) {
        if ("date-time".equals(schema.getString("format"))) {
            return Arbitraries.just(Instant.now().toString());
        }
        return Arbitraries.of("team=payments", "h-0", "echo hi", "web");
    }

    private static Arbitrary<String> validValue(JsonObject schema) {
        return validJson(resolve(schema)).map(String::valueOf).map(ApiFuzzTest::encode);
    }

    /** One member of a valid body made wrong: removed, of the wrong type, huge, unicode, null, or an extra one. */
    private static Arbitrary<JsonObject> mutated(JsonObject valid) {
        List<String> keys = new ArrayList<>(valid.fieldNames());
        keys.sort(Comparator.naturalOrder());
        keys.add("unknownMember");
        Arbitrary<Object> wrong = Arbitraries.oneOf(
                Arbitraries.of(123, -1, 0, Long.MAX_VALUE, 1e300, true, "x", "", "\u0000", "\uD83D\uDE00\u202E\u00e9")
                        .map(v -> (Object) v),
                Arbitraries.just(new JsonArray().add(1).add("two")),
                Arbitraries.just(new JsonObject().put("nested", new JsonObject().put("deeper", List.of()))),
                Arbitraries.just("w".repeat(300_000)),
                Arbitraries.just(new java.math.BigInteger("9".repeat(60))),
                junkText().map(v -> (Object) v));
        return Combinators.combine(Arbitraries.of(keys), Arbitraries.of(0, 1), wrong).as((key, remove, value) -> {
            JsonObject copy = valid.copy();
            if (remove == 0 && copy.containsKey(key)) {
                copy.remove(key);
            } else {
                copy.put(key, value);
            }
            return copy;
        });
    }

    private static Arbitrary<String> junkText() {
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "-1", "0", "99999999999999999999", "1e308", "NaN", "null", "[]", "{}", "true",
                        "../../etc/passwd", "'; DROP TABLE hosts;--", "${jndi:ldap://x/a}", "a,b,,", "role in (", "!=",
                        "team=payments,team!=payments", "x>=", "\u00e9\u2603\uD83D\uDE00", "\u202Eevil", "\u0000", "%", "+"),
                Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().alpha().ofMinLength(3_000).ofMaxLength(6_000));
    }

    private static Arbitrary<String> malformedPercent() {
        return Arbitraries.of("%", "%%%garbage", "%zz", "%G1", "%e9", "%C3%28", "%ff%fe", "a%2", "%%", "%u00e9", "%E2%82");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static List<String> admin() {
        return List.of("Authorization: Bearer " + fixture.adminToken);
    }

    private static List<String> withAdmin(String header) {
        return List.of("Authorization: Bearer " + fixture.adminToken, header);
    }

    private static byte[] taskBody() {
        return new JsonObject().put("target", new JsonObject().put("selector", "muster.io/team=payments")).put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray().add("true"))).encode()
                .getBytes(StandardCharsets.UTF_8);
    }

    // ---- the contract ------------------------------------------------------------------------

    private static List<Operation> operations(JsonObject document) {
        List<Operation> all = new ArrayList<>();
        JsonObject paths = document.getJsonObject("paths");
        for (String template : paths.fieldNames().stream().sorted().toList()) {
            JsonObject item = paths.getJsonObject(template);
            for (String method : List.of("get", "put", "post", "patch", "delete")) {
                JsonObject operation = item.getJsonObject(method);
                if (operation == null) {
                    continue;
                }
                List<JsonObject> parameters = new ArrayList<>();
                for (Object p : operation.getJsonArray("parameters", new JsonArray())) {
                    parameters.add(resolve((JsonObject) p));
                }
                JsonObject schema = null;
                String bodyType = null;
                JsonObject requestBody = operation.getJsonObject("requestBody");
                if (requestBody != null) {
                    JsonObject content = resolve(requestBody).getJsonObject("content");
                    bodyType = content.fieldNames().iterator().next();
                    if (bodyType.contains("json")) {
                        schema = resolve(content.getJsonObject(bodyType).getJsonObject("schema"));
                    }
                }
                all.add(new Operation(method.toUpperCase(), template, parameters, schema, bodyType));
            }
        }
        return all;
    }

    private static JsonObject resolve(JsonObject node) {
        JsonObject current = node;
        while (current.containsKey("$ref")) {
            JsonObject target = document;
            for (String part : current.getString("$ref").substring(2).split("/")) {
                target = target.getJsonObject(part);
            }
            current = target;
        }
        return current;
    }
}
