package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.enrollment.AgentCredentials;
import io.muster.agent.enrollment.Enroller;
import io.muster.agent.enrollment.EnrollmentException;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.EnrollRequest;
import io.muster.proto.v1.EnrollmentGrpc;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.testdb.TestDatabase;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller with a TLS gateway, a real agent enrolling through REST-created tokens and the
 * real Enrollment call on the enrollment port, then connecting with mTLS to the agent port; raw
 * mTLS streams for the refusals, and a hand-written HTTP/2 client for what one connection may hold.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityEndToEndTest {

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
                "127.0.0.1", "sec-" + System.nanoTime(), null, Duration.ofMillis(500))
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
    void adminTokenFileIsPrivate() throws Exception {
        assertThat(Files.getPosixFilePermissions(temp.resolve("admin.token")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(admin).startsWith("mst_");
    }

    @Test
    void agentEnrollsOverTlsThenConnectsWithItsCertificate() throws Exception {
        String token = enrollmentToken(1, "{\"team\":\"payments\"}");
        Path dataDir = agentDir("host-enrolled");
        try (Agent agent = new Agent(AgentConfig.of(List.of("127.0.0.1:" + controller.grpcPort()), dataDir)
                .secured(token, null).withEnrollControllers(List.of(enrollAddress()))).start()) {
            await().atMost(DEADLINE).until(() -> controller.sessions().find("host-enrolled").isPresent());
        }
        AgentCredentials credentials = new AgentCredentials(dataDir);
        assertThat(credentials.present()).isTrue();
        for (String file : List.of("agent.key", "agent.crt", "ca.crt")) {
            assertThat(Files.getPosixFilePermissions(credentials.directory().resolve(file)))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        assertThat(credentials.certificate().getSubjectX500Principal().getName()).contains("CN=host-enrolled");
        assertThat(credentials.caCertificate()).isEqualTo(controller.security().ca().certificate());
        assertThat(controller.hosts().find("host-enrolled").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                .orElseThrow().labels()).containsEntry("team", "payments");
        controller.security().audit().flush().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        JsonObject audit = new JsonObject(get("/api/v1/audit?action=" + EnrollmentService.ACTION.replace(" ", "%20"), admin).body());
        assertThat(audit.getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("target")))
                .contains("host:host-enrolled");
    }

    @Test
    void usedUpAndExpiredEnrollmentTokensAreRefused() throws Exception {
        String once = enrollmentToken(1, "{}");
        Enroller enroller = new Enroller(new SecureRandom());
        String address = enrollAddress();
        enroller.enroll(address, once, "host-once", null, null, new AgentCredentials(agentDir("host-once")));
        assertThatThrownBy(() -> enroller.enroll(address, once, "host-twice", null, null, new AgentCredentials(agentDir("host-twice"))))
                .isInstanceOf(EnrollmentException.class).hasMessageContaining("UNAUTHENTICATED");

        JsonObject created = new JsonObject(post("/api/v1/enrollment-tokens", admin, "{\"expiresInSeconds\":600,\"maxUses\":5}").body());
        database.execute("UPDATE enrollment_tokens SET expires_at = now() - interval '1 second' WHERE id = '" + created.getString("id") + "'");
        assertThatThrownBy(() -> enroller.enroll(address, created.getString("token"), "host-late", null, null,
                new AgentCredentials(agentDir("host-late"))))
                .isInstanceOf(EnrollmentException.class).hasMessageContaining("used up or expired");
        assertThat(new AgentCredentials(agentDir("host-late")).present()).isFalse();
    }

    @Test
    void pinnedCaOfAnotherCluster_failsTheHandshake_soTheTokenIsNeverSent() throws Exception {
        String once = enrollmentToken(1, "{}");
        String address = enrollAddress();
        java.security.cert.X509Certificate otherCluster = CertificateAuthority.generate("another-cluster",
                java.time.Clock.systemUTC(), new SecureRandom()).certificate();
        Enroller enroller = new Enroller(new SecureRandom());

        assertThatThrownBy(() -> enroller.enroll(address, once, "host-pinned", null, otherCluster,
                new AgentCredentials(agentDir("host-pinned"))))
                .isInstanceOf(EnrollmentException.class)
                .hasMessageContaining("not signed by the pinned CA")
                .hasMessageContaining("the enrollment token was not sent");

        // The one use is still there: the token never reached the controller.
        enroller.enroll(address, once, "host-pinned", null, controller.security().ca().certificate(),
                new AgentCredentials(agentDir("host-pinned")));
        assertThat(new AgentCredentials(agentDir("host-pinned")).present()).isTrue();
    }

    @Test
    void enrolledHostId_cannotBeClaimedByAnotherToken_untilAnAdminAllowsOneMoreEnrollment() throws Exception {
        String address = enrollAddress();
        Enroller enroller = new Enroller(new SecureRandom());
        enroller.enroll(address, enrollmentToken(1, "{\"team\":\"blue\"}"), "host-claimed", null, null,
                new AgentCredentials(agentDir("host-claimed")));

        String rogue = enrollmentToken(3, "{\"team\":\"red\"}");
        assertThatThrownBy(() -> enroller.enroll(address, rogue, "host-claimed", null, null,
                new AgentCredentials(agentDir("host-claimer"))))
                .isInstanceOf(EnrollmentException.class)
                .hasMessageContaining("PERMISSION_DENIED")
                .hasMessageContaining("already enrolled");
        assertThat(new AgentCredentials(agentDir("host-claimer")).present()).isFalse();
        assertThat(new JsonObject(get("/api/v1/hosts/host-claimed", admin).body()).getJsonObject("labels").getString("team"))
                .as("the claim re-stamped no label").isEqualTo("blue");

        HttpResponse<String> allowed = post("/api/v1/hosts/host-claimed/re-enroll", admin, "");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(post("/api/v1/hosts/no-such-host/re-enroll", admin, "").statusCode()).isEqualTo(404);
        enroller.enroll(address, rogue, "host-claimed", null, null, new AgentCredentials(agentDir("host-reinstalled")));
        assertThat(new AgentCredentials(agentDir("host-reinstalled")).present()).isTrue();
        // The permission was for one enrollment.
        assertThatThrownBy(() -> enroller.enroll(address, rogue, "host-claimed", null, null,
                new AgentCredentials(agentDir("host-third"))))
                .isInstanceOf(EnrollmentException.class).hasMessageContaining("already enrolled");
    }

    @Test
    void helloForAnotherHostIsRefused() throws Exception {
        Path dataDir = agentDir("host-a");
        new Enroller(new SecureRandom()).enroll(enrollAddress(), enrollmentToken(1, "{}"), "host-a",
                null, null, new AgentCredentials(dataDir));
        Status status = connect(new AgentCredentials(dataDir), "host-b");
        assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo("certificate is for host host-a, hello says host-b");
        assertThat(controller.sessions().find("host-b")).isEmpty();
    }

    @Test
    void revokedHostLosesItsSessionAndCannotReconnect() throws Exception {
        String token = enrollmentToken(1, "{}");
        Path dataDir = agentDir("host-revoked");
        try (Agent agent = new Agent(AgentConfig.of(List.of("127.0.0.1:" + controller.grpcPort()), dataDir)
                .secured(token, null).withEnrollControllers(List.of(enrollAddress()))).start()) {
            await().atMost(DEADLINE).until(() -> controller.sessions().find("host-revoked").isPresent());
            assertThat(post("/api/v1/hosts/host-revoked/revoke", admin, "").statusCode()).isEqualTo(200);
            await().atMost(DEADLINE).until(() -> controller.sessions().find("host-revoked").isEmpty());
            Status status = connect(new AgentCredentials(dataDir), "host-revoked");
            assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).isEqualTo("host host-revoked is revoked");
        }
        assertThat(post("/api/v1/hosts/no-such-host/revoke", admin, "").statusCode()).isEqualTo(404);
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
            for (int i = 0; i < MemberTls.CALLS_PER_CONNECTION + extra; i++) {
                streams.add(raw.openCall(connect));
            }
            List<Integer> beyond = streams.subList(MemberTls.CALLS_PER_CONNECTION, streams.size());
            await().atMost(DEADLINE).until(() -> raw.resets().keySet().containsAll(beyond));
            Map<Integer, Integer> resets = raw.resets();
            for (int stream : beyond) {
                assertThat(resets.get(stream)).as("stream %d", stream).isEqualTo(RawHttp2Connection.REFUSED_STREAM);
            }
            assertThat(resets.keySet()).as("the first %d streams are open", MemberTls.CALLS_PER_CONNECTION)
                    .doesNotContainAnyElementsOf(streams.subList(0, MemberTls.CALLS_PER_CONNECTION));

            // Another connection (a real agent) is served while the greedy one holds its streams.
            Path dataDir = agentDir("host-polite");
            try (Agent agent = new Agent(AgentConfig.of(List.of("127.0.0.1:" + controller.grpcPort()), dataDir)
                    .secured(enrollmentToken(1, "{}"), null).withEnrollControllers(List.of(enrollAddress()))).start()) {
                await().atMost(DEADLINE).until(() -> controller.sessions().find("host-polite").isPresent());
            }
        }
    }

    @Test
    void agentPort_refusesACallerWithoutAClientCertificate_theEnrollmentPortServesEnrollmentAndFleetControl() throws Exception {
        SslContext caOnly = GrpcSslContexts.forClient().trustManager(controller.security().ca().certificate()).build();
        Metadata bearer = new Metadata();
        bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + admin);
        ManagedChannel agentPort = NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).sslContext(caOnly).build();
        ManagedChannel enrollPort = NettyChannelBuilder.forAddress("127.0.0.1", controller.enrollPort().orElseThrow())
                .sslContext(caOnly).build();
        try {
            // Without a certificate the handshake fails: not even Enroll or a token-carrying call gets through.
            assertThatThrownBy(() -> EnrollmentGrpc.newBlockingStub(agentPort).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .enroll(EnrollRequest.newBuilder().setToken(enrollmentToken(1, "{}")).setHostId("host-sneaky").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThatThrownBy(() -> FleetControlGrpc.newBlockingStub(agentPort).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer))
                    .listHosts(ListHostsRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

            // The enrollment port: FleetControl with a token, and no agent stream.
            assertThat(FleetControlGrpc.newBlockingStub(enrollPort).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer))
                    .listHosts(ListHostsRequest.getDefaultInstance()).getHostsList()).isNotNull();
            CompletableFuture<Status> connectEnd = new CompletableFuture<>();
            AgentGatewayGrpc.newStub(enrollPort).connect(new StreamObserver<>() {
                @Override
                public void onNext(ControllerMessage value) {
                }

                @Override
                public void onError(Throwable t) {
                    connectEnd.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    connectEnd.complete(Status.OK);
                }
            });
            assertThat(connectEnd.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        } finally {
            agentPort.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            enrollPort.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        // An agent enrolls on the enrollment port and connects to the agent port with its certificate.
        Path dataDir = agentDir("host-split");
        try (Agent agent = new Agent(AgentConfig.of(List.of("127.0.0.1:" + controller.grpcPort()), dataDir)
                .secured(enrollmentToken(1, "{}"), null).withEnrollControllers(List.of(enrollAddress()))).start()) {
            await().atMost(DEADLINE).until(() -> controller.sessions().find("host-split").isPresent());
        }
    }

    private AgentCredentials enrolled(String hostId) throws Exception {
        AgentCredentials credentials = new AgentCredentials(agentDir(hostId));
        new Enroller(new SecureRandom()).enroll(enrollAddress(), enrollmentToken(1, "{}"), hostId, null, null,
                credentials);
        return credentials;
    }

    private String enrollAddress() {
        return "127.0.0.1:" + controller.enrollPort().orElseThrow();
    }

    private Path agentDir(String hostId) throws Exception {
        Path dir = temp.resolve("agent-" + hostId);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("host-id"), hostId + "\n");
        return dir;
    }

    private String enrollmentToken(int uses, String labels) throws Exception {
        HttpResponse<String> response = post("/api/v1/enrollment-tokens", admin,
                "{\"expiresInSeconds\":600,\"maxUses\":" + uses + ",\"labels\":" + labels + "}");
        assertThat(response.statusCode()).isEqualTo(201);
        return new JsonObject(response.body()).getString("token");
    }

    /** Opens a Connect stream with the agent's credentials and says Hello; returns how it ended. */
    private Status connect(AgentCredentials credentials, String helloHostId) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + controller.grpcPort())
                .sslContext(credentials.clientContext()).build();
        try {
            CompletableFuture<Status> ended = new CompletableFuture<>();
            StreamObserver<AgentMessage> requests = AgentGatewayGrpc.newStub(channel).connect(new StreamObserver<>() {
                @Override
                public void onNext(ControllerMessage value) {
                }

                @Override
                public void onError(Throwable t) {
                    ended.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                    ended.complete(Status.OK);
                }
            });
            requests.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(helloHostId).setAgentVersion("test")).build());
            return ended.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
