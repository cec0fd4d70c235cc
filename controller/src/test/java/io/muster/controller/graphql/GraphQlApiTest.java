package io.muster.controller.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.controller.InterfaceFixture;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.http.HttpApi;
import io.muster.controller.auth.AuthHandler;
import io.muster.controller.store.Await;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskRequestParser;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GraphQL over real HTTP and WebSocket, behind the auth package's handler, on a real
 * controller's hosts and tasks: selectors, paging, facts by path, a host's inventory, runs and
 * events, tasks with counts and runs, the cluster, the taskProgress subscription, and a scoped
 * token that cannot see past its scope.
 */
class GraphQlApiTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    static Path temp;

    private static InterfaceFixture fixture;
    private static HttpApi api;
    private static int port;

    @BeforeAll
    static void start() {
        fixture = new InterfaceFixture(temp.resolve("controller"));
        ClusterView cluster = InterfaceFixture.aloneWithoutSessions(fixture.controller.memberId());
        api = new HttpApi(fixture.vertx, fixture.access);
        // As the auth package mounts it: the body is read before the asynchronous token check.
        api.router().route().order(-2).handler(BodyHandler.create(false).setBodyLimit(HttpApi.MAX_BODY_BYTES));
        api.router().route().order(-1).handler(new AuthHandler(fixture.tokens, fixture.controller.security().grantProofs(), fixture.audit, fixture.unauthenticated, api.routes()::isOpen));
        api.mount(List.of(new GraphQlApi(fixture.vertx, fixture.controller.hosts(), cluster, fixture.controller.tasks(),
                fixture.database.pool(), new TokenCallers(fixture.tokens, fixture.heldTokens), fixture.access, fixture.controller.rollouts(),
                fixture.controller.schedules())));
        api.open();
        port = Await.result(api.listen("127.0.0.1", 0)).actualPort();
    }

    @AfterAll
    static void stop() {
        Await.result(api.close());
        fixture.close();
    }

    private static JsonObject query(String token, String query) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("query", query).encode()));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new JsonObject(response.body()).put("httpStatus", response.statusCode());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static UUID createTask(String hostId) {
        TaskRequest request = new TaskRequestParser().parse(new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "exec").put("spec", new JsonObject().put("command", new JsonArray().add("true"))));
        return Await.result(fixture.controller.tasks().create(request)).taskId();
    }

    @Test
    void hosts_withSelectorPagingAndFactsByPath() {
        JsonObject first = query(fixture.adminToken,
                "{ hosts(selector: \"muster.io/team=search\", first: 1) { nodes { id hostname state labels cores: fact(path: \"cpu.cores\")"
                        + " team: label(key: \"muster.io/team\") } pageInfo { endCursor hasNextPage } } }");
        assertThat(first.getValue("errors")).isNull();
        JsonObject page = first.getJsonObject("data").getJsonObject("hosts");
        JsonObject node = page.getJsonArray("nodes").getJsonObject(0);
        assertThat(node.getString("id")).isEqualTo("h-2");
        assertThat(node.getString("hostname")).isEqualTo("node-2");
        assertThat(node.getInteger("cores")).isEqualTo(32);
        assertThat(node.getString("team")).isEqualTo("search");
        assertThat(page.getJsonObject("pageInfo").getBoolean("hasNextPage")).isTrue();

        String after = page.getJsonObject("pageInfo").getString("endCursor");
        JsonObject second = query(fixture.adminToken,
                "{ hosts(selector: \"muster.io/team=search\", first: 1, after: \"" + after + "\") { nodes { id } pageInfo { hasNextPage } } }");
        assertThat(second.getJsonObject("data").getJsonObject("hosts").getJsonArray("nodes").getJsonObject(0).getString("id")).isEqualTo("h-3");
        assertThat(second.getJsonObject("data").getJsonObject("hosts").getJsonObject("pageInfo").getBoolean("hasNextPage")).isFalse();

        JsonObject bad = query(fixture.adminToken, "{ hosts(selector: \"team=(\") { nodes { id } } }");
        assertThat(bad.getJsonArray("errors").getJsonObject(0).getString("message")).contains("not valid at column");
    }

    @Test
    void host_withInventoryRunsAndEvents_unknownHostIsNull() {
        UUID task = createTask("h-1");
        Await.result(fixture.controller.hosts().addEvent("h-1", "note", "checked by hand", null, "test"));
        JsonObject result = query(fixture.adminToken, "{ host(id: \"h-1\") { id inventoryDigest inventory runs(first: 5) { runId taskId state }"
                + " events(first: 5) { nodes { kind message actor } } } missing: host(id: \"nope\") { id } }");
        assertThat(result.getValue("errors")).isNull();
        JsonObject host = result.getJsonObject("data").getJsonObject("host");
        assertThat(host.getString("inventoryDigest")).isEqualTo("digest-1");
        assertThat(host.getJsonObject("inventory").getJsonObject("cpu").getString("model")).isEqualTo("Xeon Gold 6338");
        assertThat(host.getJsonArray("runs").getJsonObject(0).getString("taskId")).isEqualTo(task.toString());
        assertThat(host.getJsonArray("runs").getJsonObject(0).getString("state")).isEqualTo("pending");
        assertThat(host.getJsonObject("events").getJsonArray("nodes").stream().map(e -> ((JsonObject) e).getString("message")))
                .contains("checked by hand");
        assertThat(result.getJsonObject("data").getValue("missing")).isNull();
    }

    @Test
    void tasks_withCountsAndRuns_andTheCluster() {
        UUID task = createTask("h-0");
        JsonObject result = query(fixture.adminToken, "{ task(id: \"" + task + "\") { id kind state total counts { pending cancelled }"
                + " spec runs(state: \"pending\") { nodes { hostId state } } } tasks(first: 50) { nodes { id } }"
                + " cluster { members { id local partitions } } }");
        assertThat(result.getValue("errors")).isNull();
        JsonObject data = result.getJsonObject("data");
        JsonObject found = data.getJsonObject("task");
        assertThat(found.getString("kind")).isEqualTo("exec");
        assertThat(found.getString("state")).isEqualTo("pending");
        assertThat(found.getInteger("total")).isEqualTo(1);
        assertThat(found.getJsonObject("counts").getInteger("pending")).isEqualTo(1);
        assertThat(found.getJsonObject("spec").getJsonArray("command").getString(0)).isEqualTo("true");
        assertThat(found.getJsonObject("runs").getJsonArray("nodes").getJsonObject(0).getString("hostId")).isEqualTo("h-0");
        assertThat(data.getJsonObject("tasks").getJsonArray("nodes").stream().map(t -> ((JsonObject) t).getString("id")))
                .contains(task.toString());
        JsonObject member = data.getJsonObject("cluster").getJsonArray("members").getJsonObject(0);
        assertThat(member.getString("id")).isEqualTo(fixture.controller.memberId());
        assertThat(member.getBoolean("local")).isTrue();
    }

    @Test
    void scopedToken_cannotSeeHostsOrTasksOutsideItsScope_andNoTokenIs401() {
        UUID foreign = createTask("h-3");
        JsonObject result = query(fixture.paymentsToken, "{ hosts { nodes { id } } outside: host(id: \"h-2\") { id }"
                + " inside: host(id: \"h-0\") { id } task(id: \"" + foreign + "\") { id } tasks { nodes { id } } }");
        assertThat(result.getValue("errors")).isNull();
        JsonObject data = result.getJsonObject("data");
        assertThat(data.getJsonObject("hosts").getJsonArray("nodes").stream().map(h -> ((JsonObject) h).getString("id")))
                .containsExactly("h-0", "h-1");
        assertThat(data.getValue("outside")).isNull();
        assertThat(data.getJsonObject("inside").getString("id")).isEqualTo("h-0");
        assertThat(data.getValue("task")).isNull();
        assertThat(data.getJsonObject("tasks").getJsonArray("nodes").stream().map(t -> ((JsonObject) t).getString("id")))
                .doesNotContain(foreign.toString());
        assertThat(query(null, "{ cluster { members { id } } }").getInteger("httpStatus")).isEqualTo(401);
    }

    @Test
    void rolloutsAndSchedules_listedAndReadByAdmin_refusedToAScopedToken() {
        JsonObject taskRequest = new JsonObject().put("target", new JsonObject().put("selector", "muster.io/team=search"))
                .put("kind", "exec").put("spec", new JsonObject().put("command", new io.vertx.core.json.JsonArray().add("true")));
        JsonObject rolloutRequest = taskRequest.copy().put("strategy", new JsonObject().put("window", 1));
        String rollout = Await.result(fixture.controller.rollouts().create(fixture.controller.rollouts().parser().parse(rolloutRequest)))
                .getString("id");
        String schedule = Await.result(fixture.controller.schedules().create(new JsonObject().put("name", "gql-hourly")
                .put("cron", "0 * * * *").put("task", taskRequest).put("catchUp", "last"), null))
                .getString("id");
        JsonObject result = query(fixture.adminToken, "{ rollouts(first: 10) { nodes { id state total counts } pageInfo { hasNextPage } }"
                + " rollout(id: \"" + rollout + "\") { id state total strategy counts failureBudget waves taskIds steps }"
                + " none: rollout(id: \"not-a-uuid\") { id }"
                + " schedules { nodes { id name nextFirings firings { tick } } }"
                + " schedule(id: \"" + schedule + "\") { id name cron timezone catchUp concurrencyPolicy paused task rollout nextFirings"
                + " firings { tick outcome taskId } } }");
        assertThat(result.getValue("errors")).as(result.encode()).isNull();
        JsonObject data = result.getJsonObject("data");
        assertThat(data.getJsonObject("rollouts").getJsonArray("nodes").stream().map(r -> ((JsonObject) r).getString("id")))
                .contains(rollout);
        assertThat(data.getJsonObject("rollouts").getJsonArray("nodes").getJsonObject(0).getValue("counts")).isNull();
        JsonObject one = data.getJsonObject("rollout");
        assertThat(one.getInteger("total")).isEqualTo(2);
        assertThat(one.getJsonObject("strategy").getValue("window")).isEqualTo(1);
        assertThat(one.getJsonObject("failureBudget").getInteger("allowed")).isZero();
        assertThat(one.getJsonObject("counts").getInteger("planned") + one.getJsonObject("counts").getInteger("running")).isEqualTo(2);
        assertThat(data.getValue("none")).isNull();
        JsonObject sched = data.getJsonObject("schedule");
        assertThat(sched.getString("name")).isEqualTo("gql-hourly");
        assertThat(sched.getString("catchUp")).isEqualTo("last");
        assertThat(sched.getString("concurrencyPolicy")).isEqualTo("forbid");
        assertThat(sched.getJsonArray("nextFirings")).hasSize(5);
        assertThat(sched.getJsonObject("task").getString("kind")).isEqualTo("exec");
        assertThat(sched.getValue("rollout")).isNull();
        assertThat(sched.getJsonArray("firings")).isEmpty();
        assertThat(data.getJsonObject("schedules").getJsonArray("nodes").getJsonObject(0).getValue("firings")).isNull();

        JsonObject scoped = query(fixture.paymentsToken, "{ rollouts { nodes { id } } schedule(id: \"" + schedule + "\") { id } }");
        assertThat(scoped.getJsonArray("errors")).hasSize(2);
        assertThat(scoped.getValue("data")).isNull();
        Await.result(fixture.controller.rollouts().abort(UUID.fromString(rollout)));
    }

    @Test
    void taskProgressSubscription_overWebSocket_endsWithDoneAfterCancel() {
        UUID task = createTask("h-1");
        List<JsonObject> received = new CopyOnWriteArrayList<>();
        WebSocketClient client = fixture.vertx.createWebSocketClient();
        WebSocket socket = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/graphql").addSubProtocol("graphql-transport-ws")
                .addHeader("Authorization", "Bearer " + fixture.adminToken)));
        socket.textMessageHandler(text -> received.add(new JsonObject(text)));
        socket.writeTextMessage(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("authorization", "Bearer " + fixture.adminToken)).encode());
        await().atMost(DEADLINE).until(() -> received.stream().anyMatch(m -> "connection_ack".equals(m.getString("type"))));
        socket.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe").put("payload", new JsonObject()
                .put("query", "subscription { taskProgress(id: \"" + task + "\") { state total done counts { pending cancelled } } }"))
                .encode());
        await().atMost(DEADLINE).until(() -> received.stream().anyMatch(m -> "next".equals(m.getString("type"))));
        JsonObject first = received.stream().filter(m -> "next".equals(m.getString("type"))).findFirst().orElseThrow()
                .getJsonObject("payload").getJsonObject("data").getJsonObject("taskProgress");
        assertThat(first.getString("state")).isEqualTo("pending");
        assertThat(first.getBoolean("done")).isFalse();

        Await.result(fixture.controller.tasks().cancel(task));
        await().atMost(DEADLINE).until(() -> received.stream().anyMatch(m -> "complete".equals(m.getString("type"))));
        JsonObject last = received.stream().filter(m -> "next".equals(m.getString("type"))).reduce((a, b) -> b).orElseThrow()
                .getJsonObject("payload").getJsonObject("data").getJsonObject("taskProgress");
        assertThat(last.getBoolean("done")).isTrue();
        assertThat(last.getString("state")).isEqualTo("cancelled");
        assertThat(last.getJsonObject("counts").getInteger("cancelled")).isEqualTo(1);
        Await.result(socket.close());
        Await.result(client.close());
    }

    @Test
    void rolloutProgressSubscription_followsTheRolloutToAborted_scopedTokenRefused() {
        JsonObject request = new JsonObject().put("target", new JsonObject().put("hosts", new JsonArray().add("h-2").add("h-3")))
                .put("kind", "exec").put("spec", new JsonObject().put("command", new JsonArray().add("true")))
                .put("strategy", new JsonObject().put("window", 1));
        String rollout = Await.result(fixture.controller.rollouts().create(fixture.controller.rollouts().parser().parse(request)))
                .getString("id");
        List<JsonObject> received = subscribe(fixture.adminToken,
                "subscription { rolloutProgress(id: \"" + rollout + "\") { id state total reason counts } }");
        await().atMost(DEADLINE).until(() -> received.stream().anyMatch(m -> "next".equals(m.getString("type"))));
        JsonObject first = received.stream().filter(m -> "next".equals(m.getString("type"))).findFirst().orElseThrow()
                .getJsonObject("payload").getJsonObject("data").getJsonObject("rolloutProgress");
        assertThat(first.getString("id")).isEqualTo(rollout);
        assertThat(first.getString("state")).isEqualTo("running");
        assertThat(first.getInteger("total")).isEqualTo(2);
        assertThat(received).noneMatch(m -> "complete".equals(m.getString("type")));

        Await.result(fixture.controller.rollouts().abort(UUID.fromString(rollout)));
        await().atMost(DEADLINE).until(() -> received.stream().anyMatch(m -> "complete".equals(m.getString("type"))));
        JsonObject last = received.stream().filter(m -> "next".equals(m.getString("type"))).reduce((a, b) -> b).orElseThrow()
                .getJsonObject("payload").getJsonObject("data").getJsonObject("rolloutProgress");
        assertThat(last.getString("state")).isEqualTo("aborted");

        List<JsonObject> scoped = subscribe(fixture.paymentsToken,
                "subscription { rolloutProgress(id: \"" + rollout + "\") { id state } }");
        await().atMost(DEADLINE).until(() -> scoped.stream().anyMatch(m -> "error".equals(m.getString("type"))
                || "next".equals(m.getString("type")) && m.getJsonObject("payload").getJsonArray("errors") != null));
        assertThat(scoped).noneMatch(m -> "next".equals(m.getString("type"))
                && m.getJsonObject("payload").getJsonObject("data") != null
                && m.getJsonObject("payload").getJsonObject("data").getValue("rolloutProgress") != null);
    }

    /** Opens a graphql-transport-ws socket with {@code token} and subscribes; returns every message received. */
    private List<JsonObject> subscribe(String token, String subscription) {
        List<JsonObject> received = new CopyOnWriteArrayList<>();
        WebSocketClient client = fixture.vertx.createWebSocketClient();
        WebSocket socket = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/graphql").addSubProtocol("graphql-transport-ws")
                .addHeader("Authorization", "Bearer " + token)));
        socket.textMessageHandler(text -> received.add(new JsonObject(text)));
        socket.closeHandler(v -> client.close());
        socket.writeTextMessage(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("authorization", "Bearer " + token)).encode());
        await().atMost(DEADLINE).until(() -> received.stream().anyMatch(m -> "connection_ack".equals(m.getString("type"))));
        socket.writeTextMessage(new JsonObject().put("id", "1").put("type", "subscribe")
                .put("payload", new JsonObject().put("query", subscription)).encode());
        return received;
    }

    @Test
    void subscriptionWithoutAValidToken_isRefused() {
        List<JsonObject> received = new CopyOnWriteArrayList<>();
        WebSocketClient client = fixture.vertx.createWebSocketClient();
        // The upgrade passes the HTTP auth handler with a valid token; the payload's bad token is refused.
        WebSocket socket = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/graphql").addSubProtocol("graphql-transport-ws")
                .addHeader("Authorization", "Bearer " + fixture.adminToken)));
        java.util.concurrent.atomic.AtomicReference<Short> closed = new java.util.concurrent.atomic.AtomicReference<>();
        socket.textMessageHandler(text -> received.add(new JsonObject(text)));
        socket.closeHandler(v -> closed.set(socket.closeStatusCode()));
        socket.writeTextMessage(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("authorization", "Bearer mst_nope_nope")).encode());
        await().atMost(DEADLINE).until(() -> closed.get() != null);
        assertThat(received).noneMatch(m -> "connection_ack".equals(m.getString("type")));
        assertThat(closed.get()).isEqualTo((short) 4401);
        Await.result(client.close());
    }

    @Test
    void tooComplexTooDeepOrTooManyAliases_isRefusedBeforeAnyFieldRuns() {
        createTask("h-0");
        JsonObject allOutput = query(fixture.adminToken,
                "{ tasks(first: 100) { nodes { runs(first: 100) { nodes { stdout stderr } } } } }");
        assertThat(allOutput.getValue("data")).isNull();
        assertThat(allOutput.getJsonArray("errors").getJsonObject(0).getString("message")).contains("complexity");
        JsonObject smaller = query(fixture.adminToken, "{ tasks(first: 10) { nodes { runs(first: 10) { nodes { stdout } } } } }");
        assertThat(smaller.getValue("errors")).isNull();

        StringBuilder aliases = new StringBuilder("{");
        for (int i = 0; i <= QueryLimits.MAX_ALIASES; i++) {
            aliases.append(" h").append(i).append(": host(id: \"h-0\") { id }");
        }
        JsonObject aliased = query(fixture.adminToken, aliases + " }");
        assertThat(aliased.getValue("data")).isNull();
        assertThat(aliased.getJsonArray("errors").getJsonObject(0).getString("message")).contains("aliased fields");

        String deep = "{ __schema { types { fields { type " + "{ ofType ".repeat(QueryLimits.MAX_DEPTH) + "{ name }"
                + " }".repeat(QueryLimits.MAX_DEPTH) + " } } } }";
        JsonObject tooDeep = query(fixture.adminToken, deep);
        assertThat(tooDeep.getValue("data")).isNull();
        assertThat(tooDeep.getJsonArray("errors").getJsonObject(0).getString("message")).contains("depth");
    }

    @Test
    void runOutput_isCutToThePagesShare_withALinkToTheWholeOutput_overGraphQlAndRest() throws Exception {
        UUID task = createTask("h-2");
        int stored = 300_000;
        fixture.testDatabase.execute("UPDATE runs SET stdout = convert_to(repeat('x', " + stored + "), 'UTF8'), "
                + "stderr = convert_to('short', 'UTF8') WHERE task_id = '" + task + "'");
        int share = io.muster.controller.task.OutputPage.perStream(100);

        JsonObject run = query(fixture.adminToken, "{ task(id: \"" + task + "\") { runs(first: 100) { nodes { runId stdout stderr"
                + " stdoutBytes outputCut output } } } }").getJsonObject("data").getJsonObject("task").getJsonObject("runs")
                .getJsonArray("nodes").getJsonObject(0);
        assertThat(run.getString("stdout")).hasSize(share);
        assertThat(run.getString("stderr")).isEqualTo("short");
        assertThat(run.getInteger("stdoutBytes")).isEqualTo(stored);
        assertThat(run.getBoolean("outputCut")).isTrue();
        String link = run.getString("output");
        assertThat(link).isEqualTo("/api/v1/tasks/" + task + "/runs/" + run.getString("runId") + "/output");
        JsonObject hostRun = query(fixture.adminToken, "{ host(id: \"h-2\") { runs(first: 200) { stdout outputCut } } }")
                .getJsonObject("data").getJsonObject("host").getJsonArray("runs").getJsonObject(0);
        assertThat(hostRun.getString("stdout")).hasSize(io.muster.controller.task.OutputPage.perStream(200));
        assertThat(hostRun.getBoolean("outputCut")).isTrue();

        String controller = "http://127.0.0.1:" + fixture.controller.httpPort();
        JsonObject page = new JsonObject(get(controller + "/api/v1/tasks/" + task + "/runs?limit=1000").body());
        JsonObject restRun = page.getJsonArray("items").getJsonObject(0);
        assertThat(restRun.getString("stdout")).hasSize(io.muster.controller.task.OutputPage.perStream(1000));
        assertThat(restRun.getBoolean("outputCut")).isTrue();
        assertThat(restRun.getString("output")).isEqualTo(link);
        JsonObject one = new JsonObject(get(controller + "/api/v1/tasks/" + task + "/runs?limit=1").body())
                .getJsonArray("items").getJsonObject(0);
        assertThat(one.getString("stdout")).hasSize(stored);
        assertThat(one.getBoolean("outputCut")).isFalse();
        assertThat(one.getValue("output")).isNull();

        HttpResponse<String> whole = get(controller + link);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(whole.body()).hasSize(stored);
        assertThat(get(controller + link + "?stream=stderr").body()).isEqualTo("short");
        assertThat(get(controller + link + "?stream=both").statusCode()).isEqualTo(400);
        assertThat(get(controller + "/api/v1/tasks/" + task + "/runs/" + UUID.randomUUID() + "/output").statusCode()).isEqualTo(404);
        assertThat(get(controller + "/api/v1/tasks/" + task + "/runs/nope/output").statusCode()).isEqualTo(400);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + fixture.adminToken).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
