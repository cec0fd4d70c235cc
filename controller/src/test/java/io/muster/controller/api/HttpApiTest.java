package io.muster.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.access.Role;
import io.muster.controller.access.ScopeGuard;
import io.muster.controller.cluster.MemberView;
import io.muster.controller.http.Callers;
import io.muster.controller.http.HttpApi;
import io.muster.scheduler.selector.Selector;
import io.muster.testdb.TestDatabase;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.muster.controller.store.HostRepository;
import io.muster.controller.store.Inventories;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {

    private static Vertx vertx;
    private static TestDatabase testDatabase;
    private static Database database;
    private static HostRepository hosts;
    private static HttpApi api;
    private static InMemoryClusterView cluster;
    private static String base;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        testDatabase = TestDatabase.create();
        database = Await.result(Database.open(vertx, testDatabase.url()));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        hosts = new HostRepository(database, registry, Clock.systemUTC(), Duration.ofHours(1));
        cluster = new InMemoryClusterView();
        api = new HttpApi(vertx, new Access(new ScopeGuard(database.pool())));
        // The auth package authenticates in the controller; here every request is an unscoped admin.
        Principal admin = new Principal("t-admin", "admin", Role.ADMIN, Selector.all(), null);
        api.router().route().order(-1).handler(ctx -> {
            Callers.attach(ctx, admin);
            ctx.next();
        });
        api.mount(List.of(new HostRoutes(hosts, cluster), new OperationsRoutes(vertx, hosts, registry, cluster),
                new OpenApiRoutes()));
        api.open();
        int port = Await.result(api.listen("127.0.0.1", 0)).actualPort();
        base = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        Await.result(api.close());
        Await.result(hosts.close());
        Await.result(database.close());
        Await.result(vertx.close());
        testDatabase.close();
    }

    @BeforeEach
    void fleet() {
        testDatabase.execute("TRUNCATE hosts CASCADE");
        cluster.sessions.clear();
        cluster.members.clear();
        cluster.ready = true;
        List<io.vertx.core.Future<String>> connects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            connects.add(hosts.connected("host-" + i, null, "0.1.0", "boot"));
        }
        connects.forEach(Await::result);
        for (int i = 0; i < 5; i++) {
            Await.result(hosts.saveInventory("host-" + i, Inventories.sample("web-" + i, "d" + i)));
            Await.result(hosts.setLabels("host-" + i, Map.of("role", i < 3 ? "web" : "db")));
        }
        cluster.sessions.put("host-1", "m-a");
    }

    @Test
    void listsHostsWithConnectedToLabelsAndNativeFacts() {
        Response response = get("/api/v1/hosts");

        assertThat(response.status).isEqualTo(200);
        assertThat(response.contentType).startsWith("application/json");
        JsonArray items = response.json().getJsonArray("items");
        assertThat(items).hasSize(5);
        JsonObject first = items.getJsonObject(0);
        assertThat(first.getString("id")).isEqualTo("host-0");
        assertThat(first.getString("hostname")).isEqualTo("web-0");
        assertThat(first.getString("state")).isEqualTo("online");
        assertThat(first.getString("lifecycle")).isEqualTo("ready");
        assertThat(first.getString("agentVersion")).isEqualTo("0.1.0");
        assertThat(first.getString("lastSeen")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(first.getString("firstSeen")).isNotNull();
        assertThat(first.containsKey("connectedTo")).isTrue();
        assertThat(first.getString("connectedTo")).isNull();
        assertThat(items.getJsonObject(1).getString("connectedTo")).isEqualTo("m-a");
        assertThat(first.getJsonObject("labels").getMap()).isEqualTo(Map.of("role", "web"));
        assertThat(first.getJsonObject("facts").getValue("cpu.cores")).isEqualTo(32);
        assertThat(first.getJsonObject("facts").getValue("virtual")).isEqualTo(false);
        assertThat(first.containsKey("inventory")).isFalse();
        assertThat(response.json().containsKey("next")).isTrue();
        assertThat(response.json().getString("next")).isNull();
    }

    @Test
    void pagesWithLimitAndCursor() {
        JsonObject page1 = get("/api/v1/hosts?limit=2").json();
        JsonObject page2 = get("/api/v1/hosts?limit=2&cursor=" + page1.getString("next")).json();
        JsonObject page3 = get("/api/v1/hosts?limit=2&cursor=" + page2.getString("next")).json();

        assertThat(ids(page1)).containsExactly("host-0", "host-1");
        assertThat(ids(page2)).containsExactly("host-2", "host-3");
        assertThat(ids(page3)).containsExactly("host-4");
        assertThat(page3.getString("next")).isNull();
    }

    @Test
    void filtersWithASelector() {
        JsonObject page = get("/api/v1/hosts?selector=" + encode("role=web,hostname~web-?,cpu.cores>=16")).json();

        assertThat(ids(page)).containsExactly("host-0", "host-1", "host-2");
        assertThat(ids(get("/api/v1/hosts?selector=" + encode("role notin (web)")).json())).containsExactly("host-3", "host-4");
    }

    @Test
    void oneHostCarriesItsInventory() {
        Response response = get("/api/v1/hosts/host-1");

        assertThat(response.status).isEqualTo(200);
        JsonObject host = response.json();
        assertThat(host.getString("id")).isEqualTo("host-1");
        assertThat(host.getString("connectedTo")).isEqualTo("m-a");
        assertThat(host.getJsonObject("inventory").getJsonObject("cpu").getString("model")).isEqualTo("Xeon Gold 6338");
        assertThat(host.getJsonObject("inventory").getJsonObject("os").getString("family")).isEqualTo("Debian GNU/Linux");
    }

    @Test
    void anUnknownHostIsAProblem404() {
        Response response = get("/api/v1/hosts/nope");

        assertProblem(response, 404, "urn:muster:problem:host-not-found");
        assertThat(response.json().getString("detail")).contains("nope");
        assertThat(response.json().getString("instance")).isEqualTo("/api/v1/hosts/nope");
        assertProblem(get("/api/v1/hosts/nope/events"), 404, "urn:muster:problem:host-not-found");
        assertProblem(put("/api/v1/hosts/nope/labels", "{\"a\":\"b\"}"), 404, "urn:muster:problem:host-not-found");
    }

    @Test
    void badLimitsAreProblem400() {
        for (String limit : List.of("abc", "0", "5000", "-1", "")) {
            Response response = get("/api/v1/hosts?limit=" + limit);
            assertProblem(response, 400, "urn:muster:problem:invalid-limit");
            assertThat(response.json().getString("detail")).contains("1 to 1000").contains("'" + limit + "'");
        }
        assertProblem(get("/api/v1/hosts/host-0/events?limit=abc"), 400, "urn:muster:problem:invalid-limit");
    }

    @Test
    void badCursorsAreProblem400() {
        assertProblem(get("/api/v1/hosts?cursor=%25%25%25"), 400, "urn:muster:problem:invalid-cursor");
        assertProblem(get("/api/v1/hosts?cursor=aGVsbG8"), 400, "urn:muster:problem:invalid-cursor");
        assertProblem(get("/api/v1/hosts?cursor="), 400, "urn:muster:problem:invalid-cursor");
        assertProblem(get("/api/v1/hosts/host-0/events?cursor=zzz"), 400, "urn:muster:problem:invalid-cursor");
    }

    @Test
    void sortsByAFactAsNumbersBothWaysWithHostsLackingItLastAcrossPages() {
        int[] cores = {8, 64, 16, -1, 128};
        for (int i = 0; i < cores.length; i++) {
            testDatabase.execute(cores[i] < 0
                    ? "UPDATE hosts SET facts = facts - 'cpu.cores' WHERE id = 'host-" + i + "'"
                    : "UPDATE hosts SET facts = jsonb_set(facts, '{cpu.cores}', '" + cores[i] + "') WHERE id = 'host-" + i + "'");
        }

        // Numbers, not text: as text 128 would come before 16 and 8 after 64.
        assertThat(allPages("/api/v1/hosts?sort=fact:cpu.cores&limit=2"))
                .containsExactly("host-0", "host-2", "host-1", "host-4", "host-3");
        assertThat(allPages("/api/v1/hosts?sort=-fact:cpu.cores&limit=2"))
                .containsExactly("host-4", "host-1", "host-2", "host-0", "host-3");
        // A vital (the latest heartbeat's load) sorts like a fact, as selectors read it.
        testDatabase.execute("UPDATE hosts SET vitals = jsonb_build_object('load.1m', v) FROM (VALUES ('host-0', 0.5),"
                + " ('host-2', 12.25), ('host-4', 3)) AS l(hid, v) WHERE id = hid");
        assertThat(allPages("/api/v1/hosts?sort=-fact:load.1m&limit=2"))
                .containsExactly("host-2", "host-4", "host-0", "host-3", "host-1");
        // With a selector, the sort applies to the matches only.
        assertThat(allPages("/api/v1/hosts?sort=-fact:cpu.cores&limit=1&selector=" + encode("role=web")))
                .containsExactly("host-1", "host-2", "host-0");
    }

    @Test
    void sortsByAFieldWithTiesBrokenByIdInTheSameDirection() {
        testDatabase.execute("UPDATE hosts SET state = 'offline' WHERE id IN ('host-1', 'host-3')");
        testDatabase.execute("UPDATE hosts SET last_seen = TIMESTAMPTZ '2026-01-01 00:00:00Z' + (id_ord * INTERVAL '1 minute')"
                + " FROM (VALUES ('host-0', 3), ('host-1', 1), ('host-3', 4), ('host-4', 2)) AS v(hid, id_ord) WHERE id = hid");
        testDatabase.execute("UPDATE hosts SET last_seen = NULL WHERE id = 'host-2'");

        assertThat(allPages("/api/v1/hosts?sort=state&limit=2")).containsExactly("host-1", "host-3", "host-0", "host-2", "host-4");
        assertThat(allPages("/api/v1/hosts?sort=-state&limit=2")).containsExactly("host-4", "host-2", "host-0", "host-3", "host-1");
        assertThat(allPages("/api/v1/hosts?sort=-lastSeen&limit=2")).containsExactly("host-3", "host-0", "host-4", "host-1", "host-2");
        assertThat(allPages("/api/v1/hosts?sort=lastSeen&limit=3")).containsExactly("host-1", "host-4", "host-0", "host-3", "host-2");
        assertThat(allPages("/api/v1/hosts?sort=-hostname&limit=4")).containsExactly("host-4", "host-3", "host-2", "host-1", "host-0");
        assertThat(allPages("/api/v1/hosts?sort=-id&limit=2")).containsExactly("host-4", "host-3", "host-2", "host-1", "host-0");
        // A label overrides a fact of the same key, as in selectors.
        assertThat(allPages("/api/v1/hosts?sort=fact:role&limit=2")).containsExactly("host-3", "host-4", "host-0", "host-1", "host-2");
    }

    @Test
    void anUnknownSortKeyOrAnotherSortsCursorIsProblem400() {
        for (String sort : List.of("bogus", "-", "fact:", "last_seen", "connectedTo", "fact:a%20b")) {
            Response response = get("/api/v1/hosts?sort=" + sort);
            assertProblem(response, 400, "urn:muster:problem:invalid-sort");
            assertThat(response.json().getString("field")).isEqualTo("sort");
            assertThat(response.json().getString("detail")).contains("hostname").contains("fact:");
        }
        String byState = get("/api/v1/hosts?sort=state&limit=2").json().getString("next");
        Response other = get("/api/v1/hosts?sort=-state&limit=2&cursor=" + byState);
        assertProblem(other, 400, "urn:muster:problem:invalid-cursor");
        assertThat(other.json().getString("detail")).contains("'state'").contains("'-state'");
        String natural = get("/api/v1/hosts?limit=2").json().getString("next");
        assertProblem(get("/api/v1/hosts?sort=state&limit=2&cursor=" + natural), 400, "urn:muster:problem:invalid-cursor");
        assertProblem(get("/api/v1/hosts?limit=2&cursor=" + byState), 400, "urn:muster:problem:invalid-cursor");
    }

    @Test
    void aBadSelectorNamesTheColumnAndWhatWasExpected() {
        Response response = get("/api/v1/hosts?selector=" + encode("role="));

        assertProblem(response, 400, "urn:muster:problem:invalid-selector");
        assertThat(response.json().getInteger("column")).isEqualTo(6);
        assertThat(response.json().getString("expected")).isNotBlank();
        assertThat(response.json().getString("detail")).contains("column 6").contains(response.json().getString("expected"));
    }

    @Test
    void labelsAreReplacedAndTheHostIsReturned() {
        Response response = put("/api/v1/hosts/host-0/labels", "{\"role\":\"db\",\"dc\":\"ldn1\"}");

        assertThat(response.status).isEqualTo(200);
        assertThat(response.json().getJsonObject("labels").getMap()).isEqualTo(Map.of("role", "db", "dc", "ldn1"));
        assertThat(get("/api/v1/hosts/host-0").json().getJsonObject("labels").getMap()).isEqualTo(Map.of("role", "db", "dc", "ldn1"));
        assertThat(ids(get("/api/v1/hosts?selector=dc%3Dldn1").json())).containsExactly("host-0");
    }

    @Test
    void malformedOrMistypedLabelsAreProblem400AndChangeNothing() {
        assertProblem(put("/api/v1/hosts/host-0/labels", "{\"role\":"), 400, "urn:muster:problem:malformed-json");
        assertProblem(put("/api/v1/hosts/host-0/labels", "[\"role\"]"), 400, "urn:muster:problem:malformed-json");
        assertProblem(put("/api/v1/hosts/host-0/labels", ""), 400, "urn:muster:problem:malformed-json");
        Response number = put("/api/v1/hosts/host-0/labels", "{\"role\":3}");
        assertProblem(number, 400, "urn:muster:problem:invalid-labels");
        assertThat(number.json().getString("detail")).contains("'role'").contains("string").contains("a number");
        assertProblem(put("/api/v1/hosts/host-0/labels", "{\"bad key\":\"x\"}"), 400, "urn:muster:problem:invalid-labels");

        assertThat(get("/api/v1/hosts/host-0").json().getJsonObject("labels").getMap()).isEqualTo(Map.of("role", "web"));
    }

    @Test
    void aBodyOverOneMebibyteIsProblem413() {
        String big = "{\"role\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";

        assertProblem(put("/api/v1/hosts/host-0/labels", big), 413, "urn:muster:problem:body-too-large");
    }

    @Test
    void aWrongMethodIs405AndAnUnknownRouteIs404() {
        assertProblem(send("DELETE", "/api/v1/hosts/host-0", null), 405, "urn:muster:problem:method-not-allowed");
        assertProblem(send("POST", "/api/v1/hosts", "{}"), 405, "urn:muster:problem:method-not-allowed");
        assertProblem(get("/api/v1/nothing-here"), 404, "urn:muster:problem:no-route");
    }

    @Test
    void eventsArePagedNewestFirst() {
        for (int i = 0; i < 3; i++) {
            Await.result(hosts.addEvent("host-0", "drift", "edit " + i, new JsonObject().put("path", "/etc/motd"), "agent"));
        }

        JsonObject page1 = get("/api/v1/hosts/host-0/events?limit=2").json();
        JsonObject page2 = get("/api/v1/hosts/host-0/events?limit=2&cursor=" + page1.getString("next")).json();

        assertThat(page1.getJsonArray("items").getJsonObject(0).getString("message")).isEqualTo("edit 2");
        assertThat(page1.getJsonArray("items").getJsonObject(0).getString("kind")).isEqualTo("drift");
        assertThat(page1.getJsonArray("items").getJsonObject(0).getJsonObject("detail").getString("path")).isEqualTo("/etc/motd");
        assertThat(page1.getJsonArray("items").getJsonObject(0).getString("at")).endsWith("Z");
        assertThat(page2.getJsonArray("items")).hasSize(1);
        assertThat(page2.getString("next")).isNull();
    }

    @Test
    void clusterListsItsMembersWithTheReadinessEachAnswers() throws IOException {
        int ownPort = URI.create(base).getPort();
        int closedPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }
        cluster.members.add(new MemberView("m-a", "127.0.0.1:5701", "127.0.0.1:7070", "127.0.0.1:8080", 150, 12, true));
        cluster.members.add(new MemberView("m-b", "127.0.0.1:5702", "127.0.0.1:7071", "127.0.0.1:" + ownPort, 121, 9, false));
        cluster.members.add(new MemberView("m-c", "127.0.0.1:5703", "127.0.0.1:7072", "127.0.0.1:" + closedPort, 0, 0, false));

        JsonArray members = get("/api/v1/cluster").json().getJsonArray("members");

        assertThat(members).hasSize(3);
        assertThat(members.getJsonObject(0)).isEqualTo(new JsonObject().put("id", "m-a").put("address", "127.0.0.1:5701")
                .put("grpc", "127.0.0.1:7070").put("http", "127.0.0.1:8080").put("partitions", 150)
                .put("connectedAgents", 12).put("local", true).put("ready", true).put("readiness", "ready"));
        // m-b's /readyz is this test's server: asked over HTTP, it answers ready.
        assertThat(members.getJsonObject(1).getBoolean("local")).isFalse();
        assertThat(members.getJsonObject(1).getBoolean("ready")).isTrue();
        assertThat(members.getJsonObject(2).getBoolean("ready")).isFalse();
        assertThat(members.getJsonObject(2).getString("readiness")).startsWith("/readyz did not answer");

        // A member that answers 503 is not ready, with what it said.
        cluster.ready = false;
        JsonArray notReady = get("/api/v1/cluster").json().getJsonArray("members");
        assertThat(notReady.getJsonObject(0).getBoolean("ready")).isFalse();
        assertThat(notReady.getJsonObject(0).getString("readiness")).contains("not joined");
        assertThat(notReady.getJsonObject(1).getBoolean("ready")).isFalse();
        assertThat(notReady.getJsonObject(1).getString("readiness")).startsWith("/readyz answered 503").contains("not joined");
    }

    @Test
    void healthAndReadiness() {
        Response health = get("/healthz");
        assertThat(health.status).isEqualTo(200);
        assertThat(health.json().getString("status")).isEqualTo("ok");
        assertThat(get("/readyz").status).isEqualTo(200);

        cluster.ready = false;

        assertProblem(get("/readyz"), 503, "urn:muster:problem:not-ready");
    }

    @Test
    void beforeItOpens_onlyLivenessIsAnswered() throws Exception {
        HttpApi starting = new HttpApi(vertx, new Access(new ScopeGuard(database.pool())));
        Principal admin = new Principal("t-admin", "admin", Role.ADMIN, Selector.all(), null);
        starting.router().route().order(-1).handler(ctx -> {
            Callers.attach(ctx, admin);
            ctx.next();
        });
        starting.mount(List.of(new HostRoutes(hosts, cluster)));
        String startingBase = "http://127.0.0.1:" + Await.result(starting.listen("127.0.0.1", 0)).actualPort();
        try {
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(startingBase + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> hostList = http.send(HttpRequest.newBuilder(URI.create(startingBase + "/api/v1/hosts")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertProblem(new Response(hostList.statusCode(), hostList.headers().firstValue("Content-Type").orElse(""),
                    hostList.body()), 503, "urn:muster:problem:member-starting");
            assertThat(hostList.headers().firstValue("Retry-After")).hasValue("1");

            starting.open();

            HttpResponse<String> opened = http.send(HttpRequest.newBuilder(URI.create(startingBase + "/api/v1/hosts")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
        } finally {
            Await.result(starting.close());
        }
    }

    @Test
    void metricsAreInPrometheusTextWithTheFlushTimer() {
        hosts.seen("host-0");
        Await.result(hosts.flush());

        Response metrics = get("/metrics");

        assertThat(metrics.status).isEqualTo(200);
        assertThat(metrics.contentType).startsWith("text/plain");
        assertThat(metrics.body).contains("muster_store_flush_seconds_count").contains("muster_store_flush_rows_total");
    }

    private static void assertProblem(Response response, int status, String type) {
        assertThat(response.status).as(response.body).isEqualTo(status);
        assertThat(response.contentType).isEqualTo("application/problem+json");
        JsonObject problem = response.json();
        assertThat(problem.getString("type")).isEqualTo(type);
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(problem.getString("instance")).startsWith("/");
    }

    /** Every id of a listing, page by page through its cursors. */
    private static List<String> allPages(String path) {
        List<String> all = new ArrayList<>();
        JsonObject page = get(path).json();
        all.addAll(ids(page));
        while (page.getString("next") != null) {
            page = get(path + "&cursor=" + page.getString("next")).json();
            all.addAll(ids(page));
        }
        return all;
    }

    private static List<String> ids(JsonObject page) {
        List<String> ids = new ArrayList<>();
        page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("id")));
        return ids;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Response get(String path) {
        return send("GET", path, null);
    }

    private static Response put(String path, String body) {
        return send("PUT", path, body);
    }

    private static Response send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Response(int status, String contentType, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }
}
