package io.muster.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client and the OpenAPI document the controller serves ({@code /api/v1/openapi.json}, read
 * here from the controller's jar) checked against each other, both ways. Every public call of the
 * client is made against a recording HTTP server that answers each request with the success the
 * document gives its operation (status, media type, and a body generated from the schema with
 * every documented field present). Requests: each must be a documented operation with that method
 * and path, only documented query parameters, and a body exactly when the operation takes one,
 * with only the fields its schema names. Answers: each body the client parsed must match the
 * operation's response schema (validated as the controller's own conformance test does), and
 * every key the client's parsers read from it ({@code Host.of}, {@code Task.of}, the paging of
 * {@link Listing}...; noted by {@link KeyReads} as they read) must be a field of that schema.
 */
class ClientContractTest {

    /**
     * Answers that are a partial view of what their parser reads: {@code Task.of} and
     * {@code Rollout.of} parse the creation answers (id and total only) and {@code Rollout.of} the
     * listing's summaries (no counts, waves or steps), as {@link Task} and {@link Rollout} say.
     * There, what else they read must be a field of the full view, the answer they mostly parse;
     * anything neither has still fails.
     */
    private static final Map<String, JsonObject> PARTIAL_ANSWERS_READ_AS = Map.of(
            "POST /api/v1/tasks", ref("#/components/schemas/Task"),
            "POST /api/v1/rollouts", ref("#/components/schemas/Rollout"),
            "GET /api/v1/rollouts", new JsonObject().put("properties", new JsonObject()
                    .put("items", new JsonObject().put("items", ref("#/components/schemas/Rollout")))));
    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ0E=\n-----END CERTIFICATE-----\n";

    private static final Set<String> reads = new ConcurrentSkipListSet<>();
    private static RecordingServer server;
    private static MusterClient client;
    private static OpenApiContract contract;
    private static JsonObject document;

    @BeforeAll
    static void start() throws IOException {
        contract = OpenApiContract.load();
        document = contract.document();
        server = new RecordingServer(ClientContractTest::documentedAnswer);
        client = MusterClient.builder(server.url()).token("mst_test").decoder(body -> KeyReads.decode(body, reads)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * The documented success of the request's operation. A listing's first page points to a
     * second (so the cursor is sent and checked too) and the second page is the last. Bodies that
     * are not JSON cannot be generated from a bare {"type":"string"}, so they are written here;
     * they are still checked against their schemas like the rest.
     */
    private static RecordingServer.Answer documentedAnswer(RecordingServer.Request request) {
        OpenApiContract.Operation operation = contract.operation(request.method(), request.rawPath());
        if (operation == null) {
            return new RecordingServer.Answer(404, "application/problem+json",
                    "{\"type\":\"urn:muster:problem:no-route\",\"title\":\"Not found\",\"status\":404}", null);
        }
        OpenApiContract.Success success = contract.success(operation);
        if (success.mediaType() == null) {
            return new RecordingServer.Answer(success.status(), "application/json", "", null);
        }
        String body = switch (success.mediaType()) {
            case "text/event-stream" -> "id: 7\nevent: done\ndata: {}\n\n";
            case "application/x-pem-file" -> PEM;
            case "application/json" -> {
                if (operation.template().equals("/api/v1/openapi.json")) {
                    yield document.encode();
                }
                Object example = contract.example(success.schema());
                if (example instanceof JsonObject page && page.containsKey("next")) {
                    page.put("next", request.rawQuery() != null && request.rawQuery().contains("cursor=") ? null : "c2");
                }
                yield io.vertx.core.json.Json.encode(example);
            }
            default -> String.valueOf(contract.example(success.schema()));
        };
        return new RecordingServer.Answer(success.status(), success.mediaType(), body, null);
    }

    /** Every public call of the client, by method name (overloads each called once). */
    private static Map<String, List<Consumer<MusterClient>>> calls() {
        Map<String, List<Consumer<MusterClient>>> calls = new LinkedHashMap<>();
        HistoryQuery history = HistoryQuery.all().since("7d").until("2026-12-01T00:00:00Z").key("kernel.release").selector("role=web");
        TaskRequest exec = TaskRequest.exec("uname", "-a").selector("role=web").timeoutSeconds(30).dryRun(false);
        calls.put("Hosts.list", List.of(c -> c.hosts().list().all(), c -> c.hosts().list("role=web,load.1m>8").all()));
        calls.put("Hosts.get", List.of(c -> c.hosts().get("h 1/x")));
        calls.put("Hosts.setLabels", List.of(c -> c.hosts().setLabels("h-1", Map.of("role", "web"))));
        calls.put("Hosts.events", List.of(c -> c.hosts().events("h-1").all()));
        calls.put("Hosts.lifecycle", List.of(c -> c.hosts().lifecycle("h-1", "cordon"),
                c -> c.hosts().lifecycle("h-1", new JsonObject().put("action", "upgrade-agent").put("version", "0.2.0"))));
        calls.put("Hosts.history", List.of(c -> c.hosts().history("h-1", history).all()));
        calls.put("Hosts.vitals", List.of(c -> c.hosts().vitals("h-1", "6h", "1h")));
        calls.put("Tasks.submit", List.of(c -> c.tasks().submit(exec),
                c -> c.tasks().submit(TaskRequest.of("config", new JsonObject().put("resources", new JsonArray()))
                        .hosts(List.of("h-1", "h-2")))));
        calls.put("Tasks.get", List.of(c -> c.tasks().get("t-1")));
        calls.put("Tasks.list", List.of(c -> c.tasks().list().all()));
        calls.put("Tasks.runs", List.of(c -> c.tasks().runs("t-1").all(), c -> c.tasks().runs("t-1", "failed").all()));
        calls.put("Tasks.output", List.of(c -> c.tasks().output("t-1", "r-1", "stderr")));
        calls.put("Tasks.cancel", List.of(c -> c.tasks().cancel("t-1")));
        calls.put("Tasks.progress", List.of(c -> drain(c.tasks().progress("t-1"))));
        calls.put("Tokens.create", List.of(c -> c.tokens().create("ci", "operator", "team=payments", Duration.ofHours(1)),
                c -> c.tokens().create("ci", "viewer", null, null)));
        calls.put("Tokens.list", List.of(c -> c.tokens().list()));
        calls.put("Tokens.revoke", List.of(c -> c.tokens().revoke("tok-1")));
        calls.put("Tokens.createEnrollment", List.of(c -> c.tokens().createEnrollment(Duration.ofMinutes(30), 3, Map.of()),
                c -> c.tokens().createEnrollment(Duration.ofHours(1), 1, Map.of("team", "payments"))));
        calls.put("Rollouts.start", List.of(c -> c.rollouts().start(exec.with("strategy",
                new JsonObject().put("waves", new JsonArray().add(1).add("50%")).put("maxFailures", 2)))));
        calls.put("Rollouts.get", List.of(c -> c.rollouts().get("r-1")));
        calls.put("Rollouts.list", List.of(c -> c.rollouts().list().all()));
        calls.put("Rollouts.pause", List.of(c -> c.rollouts().pause("r-1")));
        calls.put("Rollouts.resume", List.of(c -> c.rollouts().resume("r-1")));
        calls.put("Rollouts.abort", List.of(c -> c.rollouts().abort("r-1")));
        calls.put("Rollouts.changeStrategy", List.of(c -> c.rollouts().changeStrategy("r-1", new JsonObject().put("maxFailures", 5))));
        calls.put("Rollouts.progress", List.of(c -> drain(c.rollouts().progress("r-1"))));
        calls.put("Schedules.create", List.of(c -> c.schedules().create("nightly", "0 3 * * *", exec),
                c -> c.schedules().create(new JsonObject().put("name", "weekly").put("cron", "@every 7d").put("timezone", "Europe/London")
                        .put("rollout", exec.with("strategy", new JsonObject().put("window", "10%")).json())
                        .put("concurrencyPolicy", "replace").put("catchUp", "last").put("paused", true))));
        calls.put("Schedules.list", List.of(c -> c.schedules().list().all()));
        calls.put("Schedules.get", List.of(c -> c.schedules().get("s-1")));
        calls.put("Schedules.change", List.of(c -> c.schedules().change("s-1", new JsonObject().put("cron", "0 4 * * *"))));
        calls.put("Schedules.pause", List.of(c -> c.schedules().pause("s-1")));
        calls.put("Schedules.resume", List.of(c -> c.schedules().resume("s-1")));
        calls.put("Schedules.delete", List.of(c -> c.schedules().delete("s-1")));
        calls.put("MusterClient.changes", List.of(c -> c.changes(history).all()));
        calls.put("MusterClient.events", List.of(c -> drain(c.events(List.of("host.*", "task.finished"), "role=web", "42")),
                c -> drain(c.events(List.of(), null, null))));
        calls.put("MusterClient.cluster", List.of(MusterClient::cluster));
        calls.put("MusterClient.whoami", List.of(MusterClient::whoami));
        calls.put("MusterClient.ready", List.of(MusterClient::ready));
        calls.put("MusterClient.metrics", List.of(MusterClient::metrics));
        calls.put("MusterClient.openApi", List.of(MusterClient::openApi));
        calls.put("MusterClient.caCertificate", List.of(MusterClient::caCertificate));
        return calls;
    }

    @Test
    void every_public_call_of_the_client_is_exercised_here() {
        Set<String> declared = new TreeSet<>();
        for (Class<?> type : List.of(MusterClient.class, Hosts.class, Tasks.class, Tokens.class, Rollouts.class, Schedules.class)) {
            for (Method method : type.getDeclaredMethods()) {
                boolean accessor = method.getParameterCount() == 0 && Set.of("hosts", "tasks", "tokens", "rollouts", "schedules", "baseUrl", "builder")
                        .contains(method.getName());
                if (Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers()) && !accessor) {
                    declared.add(type.getSimpleName() + "." + method.getName());
                }
            }
        }
        assertThat(calls().keySet()).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void every_request_the_client_sends_is_a_documented_operation_with_documented_parameters_and_body() {
        server.forget();
        int calls = 0;
        for (List<Consumer<MusterClient>> overloads : calls().values()) {
            for (Consumer<MusterClient> call : overloads) {
                call.accept(client);
                calls++;
            }
        }
        // At least one request per call: a listing reads two pages.
        List<RecordingServer.Request> requests = server.requests();
        assertThat(requests).hasSizeGreaterThanOrEqualTo(calls);
        List<String> problems = new ArrayList<>();
        for (RecordingServer.Request request : requests) {
            problems.addAll(check(request));
            assertThat(request.authorization()).isEqualTo("Bearer mst_test");
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void the_check_fails_a_request_that_strays_from_the_document() {
        assertThat(check(new RecordingServer.Request("GET", "/api/v1/hostz", null, "", null, null))).isNotEmpty();
        assertThat(check(new RecordingServer.Request("DELETE", "/api/v1/hosts/h-1", null, "", null, null))).isNotEmpty();
        assertThat(check(new RecordingServer.Request("GET", "/api/v1/hosts", "selector=a&colour=red", "", null, null)))
                .anyMatch(p -> p.contains("colour"));
        assertThat(check(new RecordingServer.Request("POST", "/api/v1/tasks", null, "", null, null))).isNotEmpty();
        assertThat(check(new RecordingServer.Request("POST", "/api/v1/tasks", null, "{\"kind\":\"exec\",\"spec\":{},\"target\":{},\"colour\":1}",
                null, null))).anyMatch(p -> p.contains("colour"));
        assertThat(check(new RecordingServer.Request("POST", "/api/v1/tasks/t-1/cancel", null, "", null, null))).isEmpty();
    }

    @Test
    void every_answer_the_client_parses_is_documented_and_its_parsers_read_only_documented_fields() {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> readsByOperation = new TreeMap<>();
        for (Map.Entry<String, List<Consumer<MusterClient>>> entry : calls().entrySet()) {
            for (Consumer<MusterClient> call : entry.getValue()) {
                server.forget();
                reads.clear();
                call.accept(client);
                List<RecordingServer.Request> requests = server.requests();
                List<RecordingServer.Answer> answers = server.answers();
                Map<String, OpenApiContract.Operation> operations = new LinkedHashMap<>();
                for (int i = 0; i < requests.size(); i++) {
                    OpenApiContract.Operation operation = contract.operation(requests.get(i).method(), requests.get(i).rawPath());
                    assertThat(operation).as(entry.getKey() + ": " + requests.get(i)).isNotNull();
                    operations.put(operation.toString(), operation);
                    problems.addAll(contract.checkAnswer(operation, answers.get(i).body()));
                }
                // One operation per call, so every key read is one of that operation's answer.
                assertThat(operations.keySet()).as(entry.getKey()).hasSize(1);
                OpenApiContract.Operation operation = operations.values().iterator().next();
                readsByOperation.computeIfAbsent(operation.toString(), key -> new TreeSet<>()).addAll(reads);
                problems.addAll(contract.undocumentedReads(operation, reads, PARTIAL_ANSWERS_READ_AS.get(operation.toString())));
            }
        }
        assertThat(problems).isEmpty();
        // The reads were seen: the paging, a parser, a parser of a nested shape.
        assertThat(readsByOperation.get("GET /api/v1/hosts")).contains("items", "next", "items/[]/id", "items/[]/labels", "items/[]/vitals");
        assertThat(readsByOperation.get("GET /api/v1/hosts/{id}/vitals")).contains("resolution", "items/[]/load1m/max");
        assertThat(readsByOperation.get("POST /api/v1/hosts/{id}/lifecycle")).contains("from", "runId");
        assertThat(readsByOperation.get("POST /api/v1/tasks")).contains("id", "total", "kind");
    }

    @Test
    void the_answer_checks_fail_when_the_document_and_the_client_drift() {
        OpenApiContract.Operation host = contract.operation("GET", "/api/v1/hosts/h-1");
        OpenApiContract.Operation hosts = contract.operation("GET", "/api/v1/hosts");
        OpenApiContract.Operation lifecycle = contract.operation("POST", "/api/v1/hosts/h-1/lifecycle");
        OpenApiContract.Operation submit = contract.operation("POST", "/api/v1/tasks");
        JsonObject documentedHost = (JsonObject) contract.example(contract.success(host).schema());
        assertThat(contract.checkAnswer(host, documentedHost.encode())).isEmpty();
        assertThat(contract.checkAnswer(host, documentedHost.copy().put("colour", "red").encode())).isNotEmpty();
        assertThat(contract.checkAnswer(host, new JsonObject().put("id", "h-1").encode())).isNotEmpty();
        assertThat(contract.checkAnswer(host, documentedHost.copy().put("state", 1).encode())).isNotEmpty();
        assertThat(contract.checkAnswer(hosts, "not json")).isNotEmpty();

        assertThat(contract.undocumentedReads(hosts, Set.of("items", "next", "items/[]/labels", "items/[]/facts/cpu.cores"), null)).isEmpty();
        assertThat(contract.undocumentedReads(hosts, Set.of("items/[]/colour"), null)).hasSize(1);
        assertThat(contract.undocumentedReads(hosts, Set.of("total"), null)).hasSize(1);
        // What LifecycleOutcome.of read before this test existed: fields the controller never sent.
        assertThat(contract.undocumentedReads(lifecycle, Set.of("state", "operationId"), null)).hasSize(2);
        assertThat(contract.undocumentedReads(submit, Set.of("kind"), null)).hasSize(1);
        assertThat(contract.undocumentedReads(submit, Set.of("kind"), ref("#/components/schemas/Task"))).isEmpty();
        assertThat(contract.undocumentedReads(submit, Set.of("colour"), ref("#/components/schemas/Task")))
                .hasSize(1);

        // The recorder notes what a parser asks for, present or not.
        Set<String> asked = new TreeSet<>();
        Host.of(KeyReads.decode("{\"id\":\"h-1\"}", asked));
        assertThat(asked).containsExactlyInAnyOrder("id", "hostname", "state", "lifecycle", "lastSeen", "firstSeen", "agentVersion",
                "connectedTo", "labels", "facts", "vitals");
    }

    /** What is wrong with one request against the document; empty when it conforms. */
    private static List<String> check(RecordingServer.Request request) {
        String what = request.method() + " " + request.rawPath() + (request.rawQuery() == null ? "" : "?" + request.rawQuery());
        OpenApiContract.Operation found = contract.operation(request.method(), request.rawPath());
        if (found == null) {
            return List.of(what + ": no such operation in the document");
        }
        JsonObject operation = found.spec();
        List<String> problems = new ArrayList<>();
        Set<String> declared = new TreeSet<>();
        JsonArray parameters = operation.getJsonArray("parameters", new JsonArray());
        for (int i = 0; i < parameters.size(); i++) {
            JsonObject parameter = contract.resolve(parameters.getJsonObject(i));
            if ("query".equals(parameter.getString("in"))) {
                declared.add(parameter.getString("name"));
            }
        }
        if (request.rawQuery() != null) {
            for (String pair : request.rawQuery().split("&")) {
                String name = URLDecoder.decode(pair.substring(0, pair.indexOf('=') < 0 ? pair.length() : pair.indexOf('=')), StandardCharsets.UTF_8);
                if (!declared.contains(name)) {
                    problems.add(what + ": query parameter '" + name + "' is not documented (" + declared + ")");
                }
            }
        }
        JsonObject body = operation.getJsonObject("requestBody");
        if (body == null) {
            if (!request.body().isEmpty() && !"{}".equals(request.body())) {
                problems.add(what + ": sends a body the operation does not take");
            }
            return problems;
        }
        JsonObject media = body.getJsonObject("content").getJsonObject("application/json");
        if (media == null || request.body().isEmpty()) {
            problems.add(what + ": the operation takes a JSON body and none was sent");
            return problems;
        }
        JsonObject schema = contract.resolve(media.getJsonObject("schema"));
        JsonObject properties = schema.getJsonObject("properties", new JsonObject());
        JsonObject sent = new JsonObject(request.body());
        for (String field : sent.fieldNames()) {
            // Only a closed schema (additionalProperties false) refuses fields it does not name.
            if (!properties.containsKey(field) && Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
                problems.add(what + ": body field '" + field + "' is not in the schema " + properties.fieldNames());
            }
        }
        JsonArray required = schema.getJsonArray("required", new JsonArray());
        for (int i = 0; i < required.size(); i++) {
            if (!sent.containsKey(required.getString(i))) {
                problems.add(what + ": required body field '" + required.getString(i) + "' missing");
            }
        }
        return problems;
    }

    private static JsonObject ref(String pointer) {
        return new JsonObject().put("$ref", pointer);
    }

    private static void drain(EventStream stream) {
        try (stream) {
            stream.forEachRemaining(event -> { });
        }
    }
}
