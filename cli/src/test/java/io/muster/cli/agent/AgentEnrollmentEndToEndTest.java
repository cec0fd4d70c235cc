package io.muster.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.launch.ChildProcess;
import io.muster.cli.launch.JavaCommand;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code muster agent --enroll-token-file FILE --ca-cert FILE} as a real process against a controller with a
 * TLS gateway and an admin token file: the token comes from the REST API, the CA from
 * GET /api/v1/ca.pem, and the agent ends up connected over mTLS with its credentials stored 0600.
 */
class AgentEnrollmentEndToEndTest {

    // The agent JVM runs -Xint and does two EC handshakes (enrollment, then the mTLS gateway): on a
    // loaded 2-core machine enrolling and connecting took over 90 s.
    private static final Duration DEADLINE = Duration.ofSeconds(180);

    @TempDir
    Path temp;
    private TestDatabase database;
    private Controller controller;
    private ChildProcess agent;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.stop(Duration.ofSeconds(20));
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void agentEnrollsWithATokenAndThePinnedCa_thenConnectsWithMutualTls() throws Exception {
        database = TestDatabase.create();
        Path adminFile = temp.resolve("admin.token");
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "enroll-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1))
                .withInsecure(false)
                .withAdminTokenFile(adminFile));
        String admin = Files.readString(adminFile).strip();

        HttpResponse<String> created = http.send(request("/api/v1/enrollment-tokens", admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"expiresInSeconds\":600,\"maxUses\":1,\"labels\":{\"team\":\"cli\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String enrollToken = new JsonObject(created.body()).getString("token");
        Path caFile = temp.resolve("ca.pem");
        HttpResponse<String> ca = http.send(request("/api/v1/ca.pem", null).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ca.statusCode()).isEqualTo(200);
        Files.writeString(caFile, ca.body(), StandardCharsets.US_ASCII);

        Path dataDir = temp.resolve("agent");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("host-id"), "cli-enrolled\n");
        Path tokenFile = temp.resolve("enroll.token");
        Files.writeString(tokenFile, enrollToken + "\n");
        agent = ChildProcess.start("agent", JavaCommand.current().muster(JavaCommand.agentJvmOptions(), List.of("agent",
                "--controller", "127.0.0.1:" + controller.grpcPort(),
                "--enroll-controller", "127.0.0.1:" + controller.enrollPort().orElseThrow(),
                "--data-dir", dataDir.toString(),
                "--enroll-token-file", tokenFile.toString(),
                "--ca-cert", caFile.toString())), temp.resolve("agent.log"));

        try {
            await().atMost(DEADLINE).until(() -> controller.sessions().find("cli-enrolled").isPresent() || agent.exitCode().isPresent());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no session within " + DEADLINE + "; agent log: " + Files.readString(agent.log()), e);
        }
        assertThat(agent.exitCode()).as("agent log: %s", Files.readString(agent.log())).isEmpty();
        assertThat(controller.sessions().find("cli-enrolled")).isPresent();
        Path tls = dataDir.resolve("tls");
        for (String file : List.of("agent.key", "agent.crt", "ca.crt")) {
            assertThat(Files.getPosixFilePermissions(tls.resolve(file))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        HttpResponse<String> host = http.send(request("/api/v1/hosts/cli-enrolled", admin).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(new JsonObject(host.body()).getJsonObject("labels").getString("team")).isEqualTo("cli");
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path));
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }
}
