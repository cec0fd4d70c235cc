package io.muster.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.Await;
import io.muster.controller.store.Inventories;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps /api/v1/openapi.json true: the document is valid OpenAPI 3.1, every route the real
 * controller mounts is documented and every documented operation is mounted, and every exchange
 * of the suite made through {@link ApiClient} (this class's own tour of the API, success and
 * failure paths, plus whatever other test classes recorded before it in this JVM) matches the
 * document: path, method, status, media type and body schemas.
 *
 * <p>Runs after the other API test classes when the class orderer is {@link ClassOrderer.OrderAnnotation}.
 */
@Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiConformanceTest {

    @TempDir
    static Path temp;

    private static Vertx vertx;
    private static TestDatabase database;
    private static Controller controller;
    private static ApiClient api;
    private static OpenApiDocument document;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "openapi-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        api = new ApiClient("http://127.0.0.1:" + controller.httpPort(), TestTokens.admin(controller));
        for (int i = 0; i < 3; i++) {
            Await.result(controller.hosts().connected("oa-host-" + i, null, "0.1.0", "boot"));
            Await.result(controller.hosts().saveInventory("oa-host-" + i, Inventories.sample("oa-" + i, "d" + i)));
            Await.result(controller.hosts().setLabels("oa-host-" + i, Map.of("role", i < 2 ? "web" : "db",
                    "muster.io/role", i < 2 ? "web" : "db")));
        }
        document = new OpenApiDocument(new JsonObject(api.get(OpenApiRoutes.PATH).body()));
    }

    @AfterAll
    static void stop() {
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
        if (vertx != null) {
            Await.result(vertx.close());
        }
    }

    @Test
    @Order(1)
    void documentIsValidOpenApi31() {
        assertThat(document.raw().getString("openapi")).startsWith("3.1.");
        assertThat(document.selfCheck(vertx)).isEmpty();
    }

    @Test
    @Order(2)
    void everyMountedRouteIsDocumented_andEveryDocumentedOperationIsMounted() {
        Set<String> mounted = new TreeSet<>();
        for (Route route : controller.httpRouter().getRoutes()) {
            String path = route.getPath();
            if (path == null) {
                continue;
            }
            String template = path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
            Set<HttpMethod> methods = route.methods();
            if (methods == null || methods.isEmpty()) {
                // An all-methods route (GraphQL): GET and POST are its HTTP face.
                mounted.add("GET " + template);
                mounted.add("POST " + template);
            } else {
                methods.forEach(m -> mounted.add(m.name() + " " + template));
            }
        }
        assertThat(new TreeSet<>(document.operations()))
                .as("documented operations vs. routes mounted by the controller")
                .isEqualTo(mounted);
    }

    @Test
    @Order(3)
    void tourOfTheApi_successAndFailurePaths() {
        assertThat(api.get("/healthz").status()).isEqualTo(200);
        assertThat(api.get("/readyz").status()).isEqualTo(200);
        assertThat(api.get("/metrics").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/cluster").status()).isEqualTo(200);

        assertThat(api.get("/api/v1/hosts").status()).isEqualTo(200);
        JsonObject page = api.get("/api/v1/hosts?limit=1&selector=" + encode("role=web")).json();
        assertThat(api.get("/api/v1/hosts?limit=1&cursor=" + encode(page.getString("next"))).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/hosts?selector=" + encode("role=(")).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/hosts?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/hosts?cursor=garbage").status()).isEqualTo(400);
        JsonObject sorted = api.get("/api/v1/hosts?limit=1&sort=" + encode("-fact:cpu.cores")).json();
        assertThat(api.get("/api/v1/hosts?limit=1&sort=" + encode("-fact:cpu.cores") + "&cursor=" + encode(sorted.getString("next")))
                .status()).isEqualTo(200);
        assertThat(api.get("/api/v1/hosts?sort=-lastSeen").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/hosts?sort=uptime").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/hosts/oa-host-0").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/hosts/nope").status()).isEqualTo(404);
        assertThat(api.put("/api/v1/hosts/oa-host-0/labels", "{\"role\":\"web\",\"muster.io/role\":\"web\",\"team\":\"payments\"}").status()).isEqualTo(200);
        assertThat(api.put("/api/v1/hosts/oa-host-0/labels", "{\"role\":1}").status()).isEqualTo(400);
        assertThat(api.put("/api/v1/hosts/oa-host-0/labels", "not json").status()).isEqualTo(400);
        assertThat(api.put("/api/v1/hosts/nope/labels", "{}").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/hosts/oa-host-0/events?limit=10").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/fleet/summary?selector=" + encode("role=web")).json().getLong("total")).isEqualTo(2);
        assertThat(api.get("/api/v1/fleet/summary?selector=" + encode("role in (")).status()).isEqualTo(400);
        assertThat(api.get("/api/v1/whoami").json().getString("role")).isEqualTo("admin");

        ApiClient.Answer created = api.post("/api/v1/tasks",
                "{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]},\"timeoutSeconds\":30}");
        assertThat(created.status()).isEqualTo(201);
        String taskId = created.json().getString("id");
        assertThat(api.post("/api/v1/tasks", "{\"target\":{\"selector\":\"role=nothing\"},\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]}}")
                .status()).isEqualTo(400);
        assertThat(api.post("/api/v1/tasks", "{\"kind\":\"teleport\"}").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/tasks?limit=5").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tasks/" + taskId).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tasks/" + taskId + "/runs?state=pending").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/tasks/" + taskId + "/runs?state=asleep").status()).isEqualTo(400);
        ApiClient.Answer runs = api.get("/api/v1/tasks/" + taskId + "/runs");
        String runId = runs.json().getJsonArray("items").getJsonObject(0).getString("runId");
        String output = "/api/v1/tasks/" + taskId + "/runs/" + runId + "/output";
        assertThat(api.get(output).status()).isEqualTo(200);
        assertThat(api.get(output + "?stream=stderr").status()).isEqualTo(200);
        assertThat(api.get(output + "?stream=both").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/tasks/" + taskId + "/runs/" + UUID.randomUUID() + "/output").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/tasks/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/tasks/not-a-uuid/runs").status()).isEqualTo(404);
        assertThat(api.post("/api/v1/tasks/" + taskId + "/cancel", null).status()).isEqualTo(200);
        ApiClient.Answer events = api.get("/api/v1/tasks/" + taskId + "/events");
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.body()).contains("event: done");
        assertThat(api.get("/api/v1/tasks/" + UUID.randomUUID() + "/events").status()).isEqualTo(404);

        rolloutTour();
        scheduleTour();

        assertThat(api.post("/graphql", "{\"query\":\"{ cluster { members { id } } }\"}").status()).isEqualTo(200);

        ApiClient.Answer token = api.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"scope\":\"muster.io/role=web\",\"expiresInSeconds\":600}");
        assertThat(token.status()).isEqualTo(201);
        // A scope must be made of controller-owned labels: a key an agent reports could be claimed.
        assertThat(api.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"scope\":\"role=web\"}").status())
                .isEqualTo(400);
        assertThat(api.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"emperor\"}").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/tokens").status()).isEqualTo(200);
        ApiClient viewer = api.withToken(token.json().getString("token"));
        assertThat(viewer.get("/api/v1/hosts").status()).isEqualTo(200);
        // The scope narrows the census too: the viewer counts only role=web hosts, whatever it asks.
        assertThat(viewer.get("/api/v1/fleet/summary").json().getLong("total")).isEqualTo(2);
        assertThat(viewer.get("/api/v1/fleet/summary?selector=" + encode("role=db")).json().getLong("total")).isZero();
        assertThat(viewer.get("/api/v1/whoami").json().getString("scope")).isEqualTo("muster.io/role=web");
        assertThat(viewer.put("/api/v1/hosts/oa-host-1/labels", "{}").status()).isEqualTo(403);
        assertThat(api.delete("/api/v1/tokens/" + token.json().getString("id")).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/tokens/nope").status()).isEqualTo(404);
        assertThat(viewer.get("/api/v1/hosts").status()).isEqualTo(401);
        assertThat(api.withToken(null).get("/api/v1/cluster").status()).isEqualTo(401);
        assertThat(api.post("/api/v1/enrollment-tokens", "{\"expiresInSeconds\":600,\"maxUses\":2,\"labels\":{\"team\":\"a\"}}")
                .status()).isEqualTo(201);
        assertThat(api.post("/api/v1/enrollment-tokens", "{\"maxUses\":0}").status()).isEqualTo(400);
        assertThat(api.post("/api/v1/hosts/oa-host-2/revoke", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/hosts/nope/revoke", null).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/audit?limit=5&action=" + encode("POST /api/v1/tasks")).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/audit?since=yesterday").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/no-such-thing").status()).isEqualTo(404);
    }

    // Rollouts over hosts without agents: the first run stays pending, which leaves time for every transition.
    private static void rolloutTour() {
        ApiClient.Answer rollout = api.post("/api/v1/rollouts", "{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\","
                + "\"spec\":{\"command\":[\"true\"]},\"strategy\":{\"window\":1,\"maxFailures\":\"50%\",\"spreadBy\":\"dc\"}}");
        assertThat(rollout.status()).as(rollout.body()).isEqualTo(201);
        String id = rollout.json().getString("id");
        assertThat(api.get("/api/v1/rollouts?limit=5").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/rollouts?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/rollouts/" + id).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/rollouts/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/rollouts/" + id + "/pause", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/rollouts/" + id + "/pause", null).status()).isEqualTo(409);
        assertThat(api.send("PATCH", "/api/v1/rollouts/" + id, "{\"strategy\":{\"maxFailures\":1}}").status()).isEqualTo(200);
        assertThat(api.send("PATCH", "/api/v1/rollouts/" + id, "{\"strategy\":{\"spreadBy\":\"role\"}}").status()).isEqualTo(400);
        assertThat(api.post("/api/v1/rollouts/" + id + "/resume", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/rollouts/" + id + "/abort", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/rollouts/" + id + "/resume", null).status()).isEqualTo(409);
        ApiClient.Answer events = api.get("/api/v1/rollouts/" + id + "/events");
        assertThat(events.status()).isEqualTo(200);
        assertThat(events.body()).contains("event: done");
        assertThat(api.get("/api/v1/rollouts/" + UUID.randomUUID() + "/events").status()).isEqualTo(404);
        // A target naming hosts by id (one or more) plans those hosts.
        ApiClient.Answer byId = api.post("/api/v1/rollouts", "{\"target\":{\"hosts\":[\"oa-host-1\"]},\"kind\":\"exec\","
                + "\"spec\":{\"command\":[\"true\"]},\"strategy\":{\"window\":1}}");
        assertThat(byId.status()).as(byId.body()).isEqualTo(201);
        assertThat(byId.json().getInteger("total")).isEqualTo(1);
        assertThat(api.post("/api/v1/rollouts/" + byId.json().getString("id") + "/abort", null).status()).isEqualTo(200);
        for (String bad : List.of("{\"strategy\":{\"waves\":[]}}", "{\"strategy\":{\"window\":\"150%\"}}",
                "{\"strategy\":{\"batch\":3}}")) {
            ApiClient.Answer refused = api.post("/api/v1/rollouts", "{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\","
                    + "\"spec\":{\"command\":[\"true\"]}," + bad.substring(1));
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.json().getString("field")).as(bad).startsWith("strategy.");
        }
    }

    // Schedules every hour: none fires during the tour; the executor's firing is ScheduleEndToEndTest's.
    private static void scheduleTour() {
        String task = "\"task\":{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]}}";
        ApiClient.Answer created = api.post("/api/v1/schedules", "{\"name\":\"oa-hourly\",\"cron\":\"0 * * * *\","
                + "\"timezone\":\"Europe/London\"," + task + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().getString("id");
        assertThat(created.json().getJsonArray("nextFirings")).hasSize(5);
        assertThat(api.post("/api/v1/schedules", "{\"name\":\"oa-hourly\",\"cron\":\"@every 1h\"," + task + "}").status())
                .isEqualTo(409);
        assertThat(api.get("/api/v1/schedules?limit=5").status()).isEqualTo(200);
        assertThat(api.get("/api/v1/schedules?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/schedules?cursor=garbage").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/schedules/" + id).status()).isEqualTo(200);
        assertThat(api.get("/api/v1/schedules/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/schedules/not-a-uuid").status()).isEqualTo(404);
        ApiClient.Answer changed = api.send("PATCH", "/api/v1/schedules/" + id, "{\"cron\":\"@every 2h\",\"concurrencyPolicy\":\"replace\","
                + "\"rollout\":{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]},"
                + "\"strategy\":{\"window\":1}}}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().containsKey("task")).isFalse();
        assertThat(api.send("PATCH", "/api/v1/schedules/" + id, "{\"paused\":true}").json().getString("field")).isEqualTo("paused");
        assertThat(api.send("PATCH", "/api/v1/schedules/" + UUID.randomUUID(), "{\"cron\":\"@every 2h\"}").status()).isEqualTo(404);
        assertThat(api.post("/api/v1/schedules/" + id + "/pause", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/schedules/" + id + "/pause", null).status()).isEqualTo(409);
        assertThat(api.post("/api/v1/schedules/" + id + "/resume", null).status()).isEqualTo(200);
        assertThat(api.post("/api/v1/schedules/" + id + "/resume", null).status()).isEqualTo(409);
        assertThat(api.post("/api/v1/schedules/" + UUID.randomUUID() + "/pause", null).status()).isEqualTo(404);
        for (String[] bad : new String[][] {
                {"\"cron\":\"61 * * * *\"", "cron"}, {"\"cron\":\"* * *\"", "cron"}, {"\"cron\":\"@hourly\"", "cron"},
                {"\"cron\":\"@every 5m\",\"timezone\":\"Mars/Olympus\"", "timezone"},
                {"\"cron\":\"@every 5m\",\"when\":\"soon\"", "when"},
                {"\"cron\":\"@every 5m\",\"concurrencyPolicy\":\"queue\"", "concurrencyPolicy"},
                {"\"cron\":\"@every 5m\",\"catchUp\":\"all\"", "catchUp"}}) {
            ApiClient.Answer refused = api.post("/api/v1/schedules", "{\"name\":\"oa-bad\"," + bad[0] + "," + task + "}");
            assertThat(refused.status()).as(bad[0]).isEqualTo(400);
            assertThat(refused.json().getString("field")).as(bad[0]).isEqualTo(bad[1]);
        }
        ApiClient.Answer badTask = api.post("/api/v1/schedules", "{\"name\":\"oa-bad\",\"cron\":\"@every 5m\","
                + "\"task\":{\"target\":{\"selector\":\"role=web\"},\"kind\":\"teleport\",\"spec\":{}}}");
        assertThat(badTask.json().getString("field")).isEqualTo("task.kind");
        ApiClient.Answer badRollout = api.post("/api/v1/schedules", "{\"name\":\"oa-bad\",\"cron\":\"@every 5m\","
                + "\"rollout\":{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]},"
                + "\"strategy\":{\"waves\":[]}}}");
        assertThat(badRollout.json().getString("field")).isEqualTo("rollout.strategy.waves");
        assertThat(api.post("/api/v1/schedules", "{\"name\":\"oa-bad\",\"cron\":\"@every 5m\"}").json().getString("field"))
                .isEqualTo("task");
        assertThat(api.post("/api/v1/schedules", "not json").status()).isEqualTo(400);
        assertThat(api.delete("/api/v1/schedules/" + id).status()).isEqualTo(204);
        assertThat(api.delete("/api/v1/schedules/" + id).status()).isEqualTo(404);
    }

    @Test
    @Order(4)
    void everyRecordedExchangeOfTheSuiteMatchesTheDocument() {
        List<Exchange> exchanges = ExchangeLog.all();
        assertThat(exchanges).hasSizeGreaterThan(25);
        List<String> problems = new ArrayList<>();
        exchanges.forEach(exchange -> problems.addAll(document.check(exchange)));
        assertThat(problems).isEmpty();
    }

    @Test
    @Order(5)
    void checkerCatchesAnAnswerThatStrays() {
        String host = api.get("/api/v1/hosts/oa-host-1").body();
        Exchange good = new Exchange("GET", "/api/v1/hosts/oa-host-1", null, null, 200, "application/json", host);
        JsonObject wrongType = new JsonObject(host).put("state", 7);
        JsonObject extra = new JsonObject(host).put("surprise", true);

        assertThat(document.check(good)).isEmpty();
        assertThat(document.check(new Exchange("GET", "/api/v1/hosts/oa-host-1", null, null, 200, "application/json",
                wrongType.encode()))).singleElement().asString().contains("does not match its schema");
        assertThat(document.check(new Exchange("GET", "/api/v1/hosts/oa-host-1", null, null, 200, "application/json",
                extra.encode()))).singleElement().asString().contains("does not match its schema");
        assertThat(document.check(new Exchange("GET", "/api/v1/hosts/oa-host-1", null, null, 418, "application/json", "{}")))
                .singleElement().asString().contains("status 418 not documented");
        assertThat(document.check(new Exchange("GET", "/api/v1/hosts/oa-host-1", null, null, 200, "text/html", "<p>")))
                .singleElement().asString().contains("Content-Type text/html not documented");
        assertThat(document.check(new Exchange("GET", "/api/v1/hidden", null, null, 200, "application/json", "{}")))
                .singleElement().asString().contains("undocumented path");
        assertThat(document.check(new Exchange("DELETE", "/api/v1/hosts/oa-host-1", null, null, 200, "application/json", "{}")))
                .singleElement().asString().contains("method not documented");
        assertThat(document.check(new Exchange("GET", "/api/v1/hosts", "color=blue", null, 200, "application/json",
                "{\"items\":[],\"next\":null}"))).singleElement().asString().contains("'color' accepted but not documented");
        assertThat(document.check(new Exchange("POST", "/api/v1/tasks", null, "{\"kind\":\"exec\"}", 201, "application/json",
                "{\"id\":\"" + UUID.randomUUID() + "\",\"total\":1}"))).singleElement().asString()
                .contains("accepted a request body that does not match");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
