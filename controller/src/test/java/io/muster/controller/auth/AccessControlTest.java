package io.muster.controller.auth;

import io.muster.controller.access.Role;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.api.ApiClient;
import io.muster.controller.store.Await;
import io.muster.controller.store.Inventories;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.proto.v1.SubmitTaskRequest;
import io.muster.proto.v1.SubmitTaskResponse;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what on a real controller, over its real REST API and FleetControl: the role matrix
 * (each role against each mutating endpoint, driven by one table), the 401 cases, scoped tokens,
 * the open endpoints, and the audit events of every mutating call, refused ones included.
 *
 * <p>Hosts: h-0, h-1 (muster.io/team=payments), h-2, h-3 (muster.io/team=search), p-0 (muster.io/team=ops); lc-ROLE and rv-ROLE
 * (no team) are the lifecycle and revoke targets of the matrix, one per role.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessControlTest {

    private static final String EXEC_TRUE = "\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]},\"timeoutSeconds\":30";
    private static final String SUBMIT_TASK = "grpc muster.v1.FleetControl/SubmitTask";

    @TempDir
    static Path temp;
    private TestDatabase database;
    private Controller controller;
    private ApiClient admin;
    private ManagedChannel channel;
    private final Map<Role, String> roleTokens = new EnumMap<>(Role.class);

    /** One mutating endpoint: the least role it needs, what an allowed caller gets, the call a role makes. */
    private record Endpoint(Role least, int allowed, Function<Role, Call> call) {
    }

    private record Call(String method, String path, String body) {
        String action() {
            int query = path.indexOf('?');
            return method + " " + (query < 0 ? path : path.substring(0, query));
        }
    }

    @BeforeAll
    void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "access-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        host("h-0", Map.of("muster.io/team", "payments"));
        host("h-1", Map.of("muster.io/team", "payments"));
        host("h-2", Map.of("muster.io/team", "search"));
        host("h-3", Map.of("muster.io/team", "search"));
        host("p-0", Map.of("muster.io/team", "ops"));
        for (Role role : Role.values()) {
            host("lc-" + role.wireName(), Map.of());
            host("rv-" + role.wireName(), Map.of());
            roleTokens.put(role, TestTokens.create(controller, "matrix " + role.wireName(), role, null));
        }
        admin = TestTokens.adminClient(controller);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void roleMatrix_eachRoleAgainstEachMutatingEndpoint_allowedOr403_andEveryCallAudited() {
        List<Endpoint> table = List.of(
                new Endpoint(Role.OPERATOR, 201, role -> new Call("POST", "/api/v1/tasks",
                        "{\"target\":{\"hosts\":[\"h-0\"]}," + EXEC_TRUE + "}")),
                new Endpoint(Role.OPERATOR, 200, role -> new Call("POST", "/api/v1/tasks/" + adminTask("h-3") + "/cancel", null)),
                new Endpoint(Role.OPERATOR, 200, role -> new Call("PUT", "/api/v1/hosts/lc-" + role.wireName() + "/labels",
                        "{\"set-by\":\"" + role.wireName() + "\"}")),
                new Endpoint(Role.OPERATOR, 200, role -> new Call("POST", "/api/v1/hosts/lc-" + role.wireName() + "/lifecycle",
                        "{\"action\":\"cordon\"}")),
                new Endpoint(Role.ADMIN, 201, role -> new Call("POST", "/api/v1/tokens",
                        "{\"name\":\"made by " + role.wireName() + "\",\"role\":\"viewer\"}")),
                new Endpoint(Role.ADMIN, 204, role -> new Call("DELETE", "/api/v1/tokens/" + tokenId(
                        TestTokens.create(controller, "doomed", Role.VIEWER, null)), null)),
                new Endpoint(Role.ADMIN, 201, role -> new Call("POST", "/api/v1/enrollment-tokens",
                        "{\"expiresInSeconds\":600,\"maxUses\":2,\"labels\":{\"muster.io/team\":\"new\"}}")),
                new Endpoint(Role.ADMIN, 200, role -> new Call("POST", "/api/v1/hosts/rv-" + role.wireName() + "/revoke", null)),
                new Endpoint(Role.ADMIN, 201, role -> new Call("POST", "/api/v1/images", "image bytes of " + role.wireName())));

        int tasksBefore = allTasks().size();
        int tokensBefore = admin.get("/api/v1/tokens").json().getJsonArray("items").size();
        Map<Role, List<String>> expectedAudit = new EnumMap<>(Role.class);
        for (Endpoint endpoint : table) {
            for (Role role : Role.values()) {
                Call call = endpoint.call().apply(role);
                ApiClient.Answer answer = client(role).send(call.method(), call.path(), call.body());
                if (role.includes(endpoint.least())) {
                    assertThat(answer.status()).as("%s as %s: %s", call.action(), role, answer.body()).isEqualTo(endpoint.allowed());
                } else {
                    assertThat(answer.status()).as("%s as %s", call.action(), role).isEqualTo(403);
                    assertProblem(answer, 403, "needs " + endpoint.least().wireName());
                }
                expectedAudit.computeIfAbsent(role, r -> new ArrayList<>()).add(call.action() + " -> " + answer.status());
            }
        }

        // Refused calls changed nothing.
        assertThat(allTasks()).hasSize(tasksBefore + 2 + 3);
        assertThat(controller.security().revocations().isRevoked("rv-viewer")).isFalse();
        assertThat(controller.security().revocations().isRevoked("rv-operator")).isFalse();
        assertThat(controller.security().revocations().isRevoked("rv-admin")).isTrue();
        assertThat(admin.get("/api/v1/hosts/lc-viewer").json().getJsonObject("labels").getMap()).doesNotContainKey("set-by");
        assertThat(admin.get("/api/v1/hosts/lc-operator").json().getJsonObject("labels").getMap()).containsEntry("set-by", "operator");
        // Created: one by the admin row; the DELETE row made one doomed token per role (three) and revoked the admin's.
        assertThat(admin.get("/api/v1/tokens").json().getJsonArray("items").size()).isEqualTo(tokensBefore + 1 + 3);

        flushAudit();
        for (Role role : Role.values()) {
            String id = tokenId(roleTokens.get(role));
            JsonArray events = admin.get("/api/v1/audit?limit=1000&actor=" + id).json().getJsonArray("items");
            List<String> recorded = new ArrayList<>();
            for (Object item : events) {
                JsonObject event = (JsonObject) item;
                assertThat(event.getString("actorName")).isEqualTo("matrix " + role.wireName());
                recorded.add(event.getString("action") + " -> " + event.getInteger("outcome"));
            }
            assertThat(recorded).as("audit of %s", role).containsExactlyInAnyOrderElementsOf(expectedAudit.get(role));
        }
        JsonArray refused = admin.get("/api/v1/audit?limit=1000&actor=" + tokenId(roleTokens.get(Role.VIEWER))
                + "&action=" + encode("POST /api/v1/tokens")).json().getJsonArray("items");
        assertThat(refused).hasSize(1);
        assertThat(refused.getJsonObject(0).getString("detail")).contains("role viewer may not tokens.create; it needs admin");
        assertThat(refused.getJsonObject(0).getString("target")).isEqualTo("/api/v1/tokens");
    }

    @Test
    void readsNeedViewer_adminReadsNeedAdmin_openEndpointsNeedNothing() throws Exception {
        for (Role role : Role.values()) {
            ApiClient reader = TestTokens.client(controller, TestTokens.create(controller, "reader", role, null));
            assertThat(reader.get("/api/v1/hosts").status()).isEqualTo(200);
            assertThat(reader.post("/graphql", "{\"query\":\"{ cluster { members { id } } }\"}").status()).isEqualTo(200);
            int adminOnly = role == Role.ADMIN ? 200 : 403;
            assertThat(reader.get("/api/v1/tokens").status()).isEqualTo(adminOnly);
            assertThat(reader.get("/api/v1/audit").status()).isEqualTo(adminOnly);
        }
        ApiClient anonymous = TestTokens.client(controller, null);
        assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
        assertThat(anonymous.get("/api/v1/openapi.json").status()).isEqualTo(200);
        ApiClient.Answer ca = anonymous.get("/api/v1/ca.pem");
        assertThat(ca.status()).isEqualTo(200);
        assertThat(ca.contentType()).isEqualTo("application/x-pem-file");
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ca.body().getBytes(StandardCharsets.US_ASCII)));
        assertThat(certificate).isEqualTo(controller.security().ca().certificate());
        assertThat(certificate.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void missingBadExpiredOrRevokedToken_is401WithAProblem_andRefusedMutationsAreAudited() {
        String expired = TestTokens.create(controller, "expired", Role.ADMIN, null);
        database.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = '" + tokenId(expired) + "'");
        String revoked = TestTokens.create(controller, "revoked", Role.ADMIN, null);
        assertThat(TestTokens.client(controller, revoked).get("/api/v1/hosts").status()).isEqualTo(200);
        assertThat(admin.delete("/api/v1/tokens/" + tokenId(revoked)).status()).isEqualTo(204);
        String wrongSecret = "mst_" + tokenId(roleTokens.get(Role.ADMIN)) + "_" + "A".repeat(43);

        Map<String, String> cases = Map.of(
                "", "an API token is required",
                "not-a-muster-token", "not a Muster API token",
                wrongSecret, "the API token is not valid",
                expired, "the API token expired at",
                revoked, "the API token was revoked");
        String task = "{\"target\":{\"hosts\":[\"h-0\"]}," + EXEC_TRUE + "}";
        int tasksBefore = allTasks().size();
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            ApiClient caller = TestTokens.client(controller, entry.getKey().isEmpty() ? null : entry.getKey());
            assertProblem(caller.get("/api/v1/hosts"), 401, entry.getValue());
            ApiClient.Answer refused = caller.post("/api/v1/tasks", task);
            assertProblem(refused, 401, entry.getValue());
            assertThat(refused.header("WWW-Authenticate")).contains("Bearer realm=\"muster\"");
            assertThat(grpcStatus(() -> fleet(entry.getKey().isEmpty() ? null : entry.getKey())
                    .listHosts(ListHostsRequest.getDefaultInstance())).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        assertThat(allTasks()).hasSize(tasksBefore);
        // Another scheme than Bearer is no token at all.
        assertThat(rawAuthorization("Basic dXNlcjpwYXNz")).isEqualTo(401);

        flushAudit();
        JsonArray events = admin.get("/api/v1/audit?limit=1000&action=" + encode("POST /api/v1/tasks")).json().getJsonArray("items");
        List<JsonObject> unauthenticated = events.stream().map(JsonObject.class::cast).filter(e -> e.getInteger("outcome") == 401).toList();
        assertThat(unauthenticated).hasSizeGreaterThanOrEqualTo(cases.size());
        assertThat(unauthenticated).allSatisfy(e -> assertThat(e.getString("actor")).isNull());
        assertThat(unauthenticated).anySatisfy(e -> assertThat(e.getString("detail"))
                .contains("the API token was revoked").contains("claimed token id " + tokenId(revoked)));
    }

    @Test
    void scopedToken_overRest_seesAndTouchesOnlyItsHosts_andTasksReachingOutsideAre403WithTheCount() {
        ApiClient payments = TestTokens.client(controller, TestTokens.create(controller, "payments", Role.OPERATOR, "muster.io/team=payments"));

        assertThat(ids(payments.get("/api/v1/hosts?limit=1000").json())).containsExactly("h-0", "h-1");
        assertThat(ids(payments.get("/api/v1/hosts?selector=" + encode("muster.io/team=search")).json())).isEmpty();
        assertThat(payments.get("/api/v1/hosts/h-0").status()).isEqualTo(200);
        assertProblem(payments.get("/api/v1/hosts/h-2"), 404, "no host with id 'h-2'");
        assertThat(payments.get("/api/v1/hosts/h-2/events").status()).isEqualTo(404);
        assertThat(payments.get("/api/v1/hosts/no-such-host").status()).isEqualTo(404);
        assertThat(payments.put("/api/v1/hosts/h-2/labels", "{\"muster.io/team\":\"payments\"}").status()).isEqualTo(404);
        assertThat(payments.post("/api/v1/hosts/h-2/lifecycle", "{\"action\":\"cordon\"}").status()).isEqualTo(404);
        assertThat(admin.get("/api/v1/hosts/h-2").json().getJsonObject("labels").getString("muster.io/team")).isEqualTo("search");

        int tasksBefore = allTasks().size();
        ApiClient.Answer bySelector = payments.post("/api/v1/tasks", "{\"target\":{\"selector\":\"muster.io/team in (payments,search)\"}," + EXEC_TRUE + "}");
        assertProblem(bySelector, 403, "reaches 2 host(s) outside the token's scope");
        assertThat(bySelector.json().getInteger("count")).isEqualTo(2);
        ApiClient.Answer byIds = payments.post("/api/v1/tasks", "{\"target\":{\"hosts\":[\"h-0\",\"h-3\",\"ghost\"]}," + EXEC_TRUE + "}");
        assertThat(byIds.status()).isEqualTo(403);
        assertThat(byIds.json().getInteger("count")).isEqualTo(2);
        assertThat(allTasks()).hasSize(tasksBefore);

        String own = created(payments.post("/api/v1/tasks", "{\"target\":{\"selector\":\"muster.io/team=payments\"}," + EXEC_TRUE + "}"));
        String inScope = adminTask("h-1");
        String foreign = adminTask("h-2");
        String mixed = adminTask("h-0", "h-3");
        assertThat(payments.get("/api/v1/tasks/" + own).json().getInteger("total")).isEqualTo(2);
        assertThat(payments.get("/api/v1/tasks/" + inScope).status()).isEqualTo(200);
        for (String hidden : List.of(foreign, mixed)) {
            assertThat(payments.get("/api/v1/tasks/" + hidden).status()).isEqualTo(404);
            assertThat(payments.get("/api/v1/tasks/" + hidden + "/runs").status()).isEqualTo(404);
            assertThat(payments.post("/api/v1/tasks/" + hidden + "/cancel", null).status()).isEqualTo(404);
        }
        assertThat(admin.get("/api/v1/tasks/" + foreign).json().getString("state")).isNotEqualTo("cancelled");

        // The listing holds the same rule as single reads, page by page.
        List<String> listed = pagedTaskIds(payments, 1);
        assertThat(listed).contains(own, inScope).doesNotContain(foreign, mixed);
        for (String id : listed) {
            assertThat(payments.get("/api/v1/tasks/" + id).status()).as("listed task %s is readable", id).isEqualTo(200);
        }
        assertThat(pagedTaskIds(admin, 1000)).contains(own, inScope, foreign, mixed);
    }

    @Test
    void scopedToken_overGrpc_andTheTasksItCreatedStayItsOwnWhenTheirHostsLeaveTheScope() {
        String ops = TestTokens.create(controller, "ops one", Role.OPERATOR, "muster.io/team=ops");
        String otherOps = TestTokens.create(controller, "ops two", Role.OPERATOR, "muster.io/team=ops");
        String viewer = TestTokens.create(controller, "ops viewer", Role.VIEWER, "muster.io/team=ops");

        assertThat(fleet(ops).listHosts(ListHostsRequest.getDefaultInstance()).getHostsList()).extracting(Host::getId)
                .containsExactly("p-0");
        assertThat(grpcStatus(() -> fleet(ops).getHost(GetHostRequest.newBuilder().setHostId("h-0").build())).getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        StatusRuntimeException outside = (StatusRuntimeException) catchThrowable(() -> fleet(ops).submitTask(exec("p-0", "h-0", "h-2")));
        assertThat(outside.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(outside.getStatus().getDescription()).contains("reaches 2 host(s) outside");
        assertThat(outside.getTrailers().get(FleetAuthorization.OUTSIDE_COUNT)).isEqualTo("2");
        Status denied = grpcStatus(() -> fleet(viewer).submitTask(exec("p-0")));
        assertThat(denied.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getDescription()).contains("needs operator");

        SubmitTaskResponse overGrpc = fleet(ops).submitTask(exec("p-0"));
        String overRest = created(TestTokens.client(controller, ops).post("/api/v1/tasks",
                "{\"target\":{\"hosts\":[\"p-0\"]}," + EXEC_TRUE + "}"));
        flushAudit();
        JsonArray submitted = admin.get("/api/v1/audit?actor=" + tokenId(ops) + "&action=" + encode(SUBMIT_TASK))
                .json().getJsonArray("items");
        assertThat(submitted.stream().map(JsonObject.class::cast).map(e -> e.getString("target") + " -> " + e.getInteger("outcome")))
                .containsExactlyInAnyOrder("task:" + overGrpc.getTaskId() + " -> 200", "hosts:p-0,h-0,h-2 -> 403");
        assertThat(admin.get("/api/v1/audit?actor=" + tokenId(viewer) + "&action=" + encode(SUBMIT_TASK))
                .json().getJsonArray("items").getJsonObject(0).getInteger("outcome")).isEqualTo(403);

        // p-0 leaves the team: the tasks' hosts are now outside every ops scope, yet their creator still sees them.
        Await.result(controller.hosts().setLabels("p-0", Map.of("muster.io/team", "elsewhere")));
        ApiClient creator = TestTokens.client(controller, ops);
        ApiClient colleague = TestTokens.client(controller, otherOps);
        for (String task : List.of(overGrpc.getTaskId(), overRest)) {
            assertThat(creator.get("/api/v1/tasks/" + task).status()).isEqualTo(200);
            assertThat(colleague.get("/api/v1/tasks/" + task).status()).isEqualTo(404);
        }
        assertThat(pagedTaskIds(creator, 1)).contains(overGrpc.getTaskId(), overRest);
        assertThat(pagedTaskIds(colleague, 1)).doesNotContain(overGrpc.getTaskId(), overRest);
        assertThat(fleet(ops).listHosts(ListHostsRequest.getDefaultInstance()).getHostsList()).isEmpty();
    }

    // --- helpers

    @Test
    void downloadGrant_opensItsOneArtifactOnly_andAContainerLoadFromAMemberGetsOneForFifteenMinutes() {
        ApiClient.Answer uploaded = admin.post("/api/v1/images", "grant test image");
        assertThat(uploaded.status()).as(uploaded.body()).isIn(200, 201);
        String digest = uploaded.json().getString("digest");
        String otherDigest = admin.post("/api/v1/images", "another image").json().getString("digest");
        String grant = Await.result(controller.security().tokens().createGrant("test grant", "/api/v1/images/" + digest, "h-0", null,
                Duration.ofMinutes(15), "test")).token();
        ApiClient granted = TestTokens.client(controller, grant);

        ApiClient.Answer download = granted.get("/api/v1/images/" + digest);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.body()).isEqualTo("grant test image");
        assertProblem(granted.get("/api/v1/images/" + otherDigest), 403, "download grant for /api/v1/images/" + digest + " only");
        for (String path : List.of("/api/v1/hosts", "/api/v1/hosts/h-0", "/api/v1/tasks", "/api/v1/whoami", "/api/v1/cluster",
                "/api/v1/agent-builds/9.9.9", "/api/v1/agent-builds/9.9.9/download")) {
            assertThat(granted.get(path).status()).as(path).isEqualTo(403);
        }
        assertThat(granted.post("/graphql", "{\"query\":\"{ cluster { members { id } } }\"}").status()).isEqualTo(403);
        assertThat(grpcStatus(() -> fleet(grant).listHosts(ListHostsRequest.getDefaultInstance())).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);

        // The grant a container load from this member's advertised address gets: that image's path, 15 minutes.
        String url = "http://127.0.0.1:" + controller.httpPort() + "/api/v1/images/" + digest;
        ApiClient.Answer task = admin.post("/api/v1/tasks", "{\"target\":{\"hosts\":[\"h-0\"]},\"kind\":\"container\","
                + "\"spec\":{\"action\":\"load\",\"url\":\"" + url + "\",\"digest\":\"" + digest + "\"},\"timeoutSeconds\":3600}");
        assertThat(task.status()).as(task.body()).isEqualTo(201);
        List<Long> lifetimes = database.longs("SELECT extract(epoch FROM expires_at - created_at)::bigint FROM api_tokens "
                + "WHERE name = 'image " + digest + " download' AND grant_path = '/api/v1/images/" + digest + "' AND role = 'viewer'");
        assertThat(lifetimes).singleElement().satisfies(seconds -> assertThat(seconds).isBetween(890L, 910L));
    }

    private void host(String id, Map<String, String> labels) {
        Await.result(controller.hosts().connected(id, null, "0.1.0", "boot"));
        Await.result(controller.hosts().saveInventory(id, Inventories.sample("node-" + id, "digest-" + id)));
        Await.result(controller.hosts().setLabels(id, labels));
    }

    private ApiClient client(Role role) {
        return TestTokens.client(controller, roleTokens.get(role));
    }

    private String adminTask(String... hosts) {
        JsonArray ids = new JsonArray();
        for (String host : hosts) {
            ids.add(host);
        }
        return created(admin.post("/api/v1/tasks", "{\"target\":{\"hosts\":" + ids.encode() + "}," + EXEC_TRUE + "}"));
    }

    private static String created(ApiClient.Answer answer) {
        assertThat(answer.status()).as("task created: %s", answer.body()).isEqualTo(201);
        return answer.json().getString("id");
    }

    private List<String> allTasks() {
        return pagedTaskIds(admin, 1000);
    }

    private static List<String> pagedTaskIds(ApiClient client, int limit) {
        List<String> ids = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        do {
            JsonObject page = client.get("/api/v1/tasks?limit=" + limit + (cursor == null ? "" : "&cursor=" + encode(cursor))).json();
            JsonArray items = page.getJsonArray("items");
            cursor = page.getString("next");
            assertThat(items.size()).as("a page with a next cursor is full").isEqualTo(cursor == null ? items.size() : limit);
            items.forEach(item -> ids.add(((JsonObject) item).getString("id")));
            assertThat(cursor == null || cursors.add(cursor)).isTrue();
        } while (cursor != null);
        return ids;
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }

    private static String tokenId(String token) {
        return TokenSecret.parse(ApiTokens.PREFIX, token).orElseThrow().id();
    }

    private void flushAudit() {
        Await.result(controller.security().audit().flush());
    }

    private static void assertProblem(ApiClient.Answer answer, int status, String detail) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        JsonObject problem = answer.json();
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getString("detail")).contains(detail);
    }

    private int rawAuthorization(String header) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + controller.httpPort() + "/api/v1/hosts"))
                            .header("Authorization", header).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private FleetControlGrpc.FleetControlBlockingStub fleet(String token) {
        FleetControlGrpc.FleetControlBlockingStub stub = FleetControlGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        if (token == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static SubmitTaskRequest exec(String... hostIds) {
        Struct spec = Struct.newBuilder().putFields("command", Value.newBuilder().setListValue(ListValue.newBuilder()
                .addValues(Value.newBuilder().setStringValue("true"))).build()).build();
        return SubmitTaskRequest.newBuilder().addAllHostIds(List.of(hostIds)).setKind("exec").setSpec(spec).setTimeoutSeconds(30).build();
    }

    private static Status grpcStatus(Runnable call) {
        return Status.fromThrowable(catchThrowable(call::run));
    }

    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded; a refusal was expected");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
