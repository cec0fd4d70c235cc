package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.enrollment.AgentCredentials;
import io.muster.agent.enrollment.Enroller;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.testdb.TestDatabase;
import io.netty.handler.ssl.JdkSslContext;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent gateway port of a TLS controller, reached over loopback by a real agent and by a
 * hand-written HTTP/2 client: what one connection may hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayPortsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    static Path temp;
    private TestDatabase database;
    private Controller controller;
    private String admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "ports-" + System.nanoTime(), null, Duration.ofMillis(500))
                .withInsecure(false)
                .withAdminTokenFile(temp.resolve("admin.token")));
        admin = Files.readString(temp.resolve("admin.token")).strip();
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
    void callsBeyondTheLimitOfOneConnection_areRefused_whileTheFirstStayOpenAndOtherConnectionsWork() throws Exception {
        AgentCredentials credentials = enrolled("host-greedy");
        SSLContext tls = ((JdkSslContext) credentials.clientContext()).context();
        String connect = AgentGatewayGrpc.getConnectMethod().getFullMethodName();
        int extra = 3;
        try (RawHttp2Connection raw = new RawHttp2Connection(tls, controller.grpcPort())) {
            await().atMost(DEADLINE).until(raw::settingsAcknowledged);
            List<Integer> streams = new ArrayList<>();
            for (int i = 0; i < Security.CALLS_PER_CONNECTION + extra; i++) {
                streams.add(raw.openCall(connect));
            }
            List<Integer> beyond = streams.subList(Security.CALLS_PER_CONNECTION, streams.size());
            await().atMost(DEADLINE).until(() -> raw.resets().keySet().containsAll(beyond));
            Map<Integer, Integer> resets = raw.resets();
            for (int stream : beyond) {
                assertThat(resets.get(stream)).as("stream %d", stream).isEqualTo(RawHttp2Connection.REFUSED_STREAM);
            }
            assertThat(resets.keySet()).as("the first %d streams are open", Security.CALLS_PER_CONNECTION)
                    .doesNotContainAnyElementsOf(streams.subList(0, Security.CALLS_PER_CONNECTION));

            // Another connection (a real agent) is served while the greedy one holds its streams.
            Path dataDir = agentDir("host-polite");
            try (Agent agent = new Agent(AgentConfig.of(List.of("127.0.0.1:" + controller.grpcPort()), dataDir)
                    .secured(enrollmentToken(), null)).start()) {
                await().atMost(DEADLINE).until(() -> controller.sessions().find("host-polite").isPresent());
            }
        }
    }

    private AgentCredentials enrolled(String hostId) throws Exception {
        AgentCredentials credentials = new AgentCredentials(agentDir(hostId));
        new Enroller(new SecureRandom()).enroll("127.0.0.1:" + controller.grpcPort(), enrollmentToken(), hostId, null, null,
                credentials);
        return credentials;
    }

    private Path agentDir(String hostId) throws Exception {
        Path dir = temp.resolve("agent-" + hostId);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("host-id"), hostId + "\n");
        return dir;
    }

    private String enrollmentToken() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + controller.httpPort() + "/api/v1/enrollment-tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"expiresInSeconds\":600,\"maxUses\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return new JsonObject(response.body()).getString("token");
    }
}
