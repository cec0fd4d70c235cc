package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.agent.enrollment.AgentCredentials;
import io.muster.agent.enrollment.Enroller;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import io.muster.controller.store.Await;
import io.muster.proto.grant.HostProof;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download grant is accepted only from the host it is for, which proves it with its enrolled
 * key (the agent's own {@link AgentCredentials#prover()}): the grant alone, another enrolled
 * host, or a proof replayed onto another path or long after is refused. Real controller with a
 * TLS gateway, hosts enrolled by the agent's enrollment code, plain HTTP as agents download.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrantProofsTest {

    @TempDir
    static Path temp;

    private TestDatabase database;
    private Controller controller;
    private String admin;
    private final HttpClient http = HttpClient.newHttpClient();
    private AgentCredentials hostA;
    private AgentCredentials hostB;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "grants-" + UUID.randomUUID(), null, Duration.ofSeconds(1))
                .withInsecure(false)
                .withAdminTokenFile(temp.resolve("admin.token")));
        admin = Files.readString(temp.resolve("admin.token")).strip();
        HttpResponse<String> token = send("POST", "/api/v1/enrollment-tokens", "Bearer " + admin, null,
                "{\"expiresInSeconds\":600,\"maxUses\":2}");
        assertThat(token.statusCode()).as(token.body()).isEqualTo(201);
        String enrollment = new JsonObject(token.body()).getString("token");
        Enroller enroller = new Enroller(new SecureRandom());
        hostA = enroller.enroll("127.0.0.1:" + controller.enrollPort().orElseThrow(), enrollment, "host-a", null, null,
                new AgentCredentials(Files.createDirectories(temp.resolve("agent-a"))));
        hostB = enroller.enroll("127.0.0.1:" + controller.enrollPort().orElseThrow(), enrollment, "host-b", null, null,
                new AgentCredentials(Files.createDirectories(temp.resolve("agent-b"))));
    }

    @AfterAll
    void stop() {
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void anImageGrant_servesOnlyAHostWithAnOpenRunOfItsTask_provenByItsKey() throws Exception {
        HttpResponse<String> uploaded = send("POST", "/api/v1/images", "Bearer " + admin, null, "image bytes");
        assertThat(uploaded.statusCode()).as(uploaded.body()).isIn(200, 201);
        String digest = new JsonObject(uploaded.body()).getString("digest");
        String path = "/api/v1/images/" + digest;
        HttpResponse<String> task = send("POST", "/api/v1/tasks", "Bearer " + admin, null,
                "{\"target\":{\"hosts\":[\"host-a\"]},\"kind\":\"container\",\"spec\":{\"action\":\"load\",\"url\":\"http://127.0.0.1:"
                        + controller.httpPort() + path + "\",\"digest\":\"" + digest + "\"},\"timeoutSeconds\":600}");
        assertThat(task.statusCode()).as(task.body()).isEqualTo(201);
        String grant = grantOf(UUID.fromString(new JsonObject(task.body()).getString("id")));

        HttpResponse<String> alone = send("GET", path, grant, null, null);
        assertThat(alone.statusCode()).isEqualTo(401);
        assertThat(alone.body()).contains(HostProof.HEADER);

        HttpResponse<String> byItsHost = send("GET", path, grant, proof(hostA, path, grant), null);
        assertThat(byItsHost.statusCode()).as(byItsHost.body()).isEqualTo(200);
        assertThat(byItsHost.body()).isEqualTo("image bytes");

        HttpResponse<String> byAnotherHost = send("GET", path, grant, proof(hostB, path, grant), null);
        assertThat(byAnotherHost.statusCode()).isEqualTo(403);
        assertThat(byAnotherHost.body()).contains("host host-b has no open run");

        // host-a's proof for this path, replayed onto another path, or presented long after.
        String otherPath = "/api/v1/images/sha256:" + "0".repeat(64);
        assertThat(send("GET", otherPath, grant, proof(hostA, path, grant), null).statusCode()).isEqualTo(401);
        String stale = HostProof.sign(key(hostA), hostA.certificate(), path, grant, Instant.now().minus(Duration.ofMinutes(5)));
        HttpResponse<String> late = send("GET", path, grant, stale, null);
        assertThat(late.statusCode()).isEqualTo(401);
        assertThat(late.body()).contains("more than 2 minutes");
    }

    @Test
    void anAgentBuildGrant_isForItsOneHost() throws Exception {
        String path = "/api/v1/agent-builds/9.9.9/download";
        String grant = "Bearer " + Await.result(controller.security().tokens().createGrant("build grant", path, "host-a", null,
                Duration.ofMinutes(15), "test")).token();

        HttpResponse<String> byAnotherHost = send("GET", path, grant, proof(hostB, path, grant), null);
        assertThat(byAnotherHost.statusCode()).isEqualTo(403);
        assertThat(byAnotherHost.body()).contains("this download grant is for host host-a, not for host-b");
        // Its own host gets past authentication to the route (no such build here: 404, not 401/403).
        assertThat(send("GET", path, grant, proof(hostA, path, grant), null).statusCode()).isEqualTo(404);
    }

    private static String proof(AgentCredentials host, String path, String authorization) {
        return host.prover().proof(path, authorization).orElseThrow();
    }

    private static PrivateKey key(AgentCredentials host) throws Exception {
        String pem = Files.readString(host.directory().resolve("agent.key"));
        return Pem.privateKey(pem);
    }

    /** The Authorization header the task's agent gets: read from the sealed task secrets. */
    private String grantOf(UUID taskId) throws Exception {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT secrets FROM tasks WHERE id = '" + taskId + "'")) {
            assertThat(rows.next()).isTrue();
            SealingKey key = SealingKey.loadOrCreate(ControllerConfig.defaultSecretsKeyFile(temp.resolve("controller")));
            return new JsonObject(key.open(rows.getString(1), SealedColumns.taskSecrets(taskId)))
                    .getJsonObject("headers").getString("Authorization");
        }
    }

    private HttpResponse<String> send(String method, String path, String authorization, String proof, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .header("Authorization", authorization)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", path.equals("/api/v1/images") ? "application/octet-stream" : "application/json");
        }
        if (proof != null) {
            request.header(HostProof.HEADER, proof);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
