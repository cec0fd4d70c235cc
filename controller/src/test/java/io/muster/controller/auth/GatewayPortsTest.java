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
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.EnrollRequest;
import io.muster.proto.v1.EnrollmentGrpc;
import io.muster.proto.v1.FleetControlGrpc;
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
 * The gRPC ports of a TLS controller, reached over loopback by real agents, gRPC clients and a
 * hand-written HTTP/2 client: who gets through the agent port's handshake, what the enrollment
 * port serves, and what one connection may hold.
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
                    .secured(enrollmentToken(), null).withEnrollControllers(List.of(enrollAddress()))).start()) {
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
                    .enroll(EnrollRequest.newBuilder().setToken(enrollmentToken()).setHostId("host-sneaky").build()))
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
                .secured(enrollmentToken(), null).withEnrollControllers(List.of(enrollAddress()))).start()) {
            await().atMost(DEADLINE).until(() -> controller.sessions().find("host-split").isPresent());
        }
    }

    private AgentCredentials enrolled(String hostId) throws Exception {
        AgentCredentials credentials = new AgentCredentials(agentDir(hostId));
        new Enroller(new SecureRandom()).enroll(enrollAddress(), enrollmentToken(), hostId, null, null,
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
