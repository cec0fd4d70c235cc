package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.access.Role;
import io.muster.controller.api.ApiClient;
import io.muster.controller.store.Await;
import io.muster.controller.store.Inventories;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.HostChange;
import io.muster.proto.v1.WatchHostsRequest;
import io.muster.testdb.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * No token outlives its purpose, on a real controller: tokens expire by default (90 days; the
 * bootstrap admin token after its configured lifetime), and a GraphQL WebSocket or a gRPC
 * WatchHosts stream opened with a token ends when that token is revoked (on this member at once,
 * in the database by another member within the cache time and a sweep) or expires.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenLifetimeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    static Path temp;
    private TestDatabase database;
    private Controller controller;
    private ApiClient admin;
    private Path adminTokenFile;
    private ManagedChannel channel;
    private Vertx vertx;

    @BeforeAll
    void start() {
        database = TestDatabase.create();
        adminTokenFile = temp.resolve("admin.token");
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "lifetime-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1))
                .withAdminTokenFile(adminTokenFile)
                .withAdminTokenLifetime(Duration.ofHours(2)));
        Await.result(controller.hosts().connected("h-0", null, "0.1.0", "boot"));
        Await.result(controller.hosts().saveInventory("h-0", Inventories.sample("node-0", "digest-0")));
        Await.result(controller.hosts().setLabels("h-0", Map.of("team", "payments")));
        admin = TestTokens.adminClient(controller);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
        vertx = Vertx.vertx();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            Await.result(vertx.close());
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void tokenCreatedWithoutALifetime_expiresAfter90Days_andTheBootstrapAdminAfterItsLifetime() throws Exception {
        ApiClient.Answer created = admin.post("/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"viewer\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().getString("id");

        JsonObject listed = admin.get("/api/v1/tokens").json().getJsonArray("items").stream().map(JsonObject.class::cast)
                .filter(t -> id.equals(t.getString("id"))).findFirst().orElseThrow();
        assertThat(Instant.parse(listed.getString("expiresAt")))
                .isBetween(Instant.now().plus(Duration.ofDays(90)).minusSeconds(120), Instant.now().plus(Duration.ofDays(90)));

        String bootstrap = Files.readString(adminTokenFile).strip();
        JsonObject whoami = TestTokens.client(controller, bootstrap).get("/api/v1/whoami").json();
        assertThat(whoami.getString("role")).isEqualTo("admin");
        assertThat(Instant.parse(whoami.getString("expiresAt")))
                .isBetween(Instant.now().plus(Duration.ofHours(2)).minusSeconds(120), Instant.now().plus(Duration.ofHours(2)));
        assertThat(new ControllerConfig(null, 0, 0, null, List.of(), 0, null, null, null, null).adminTokenLifetime())
                .isEqualTo(Duration.ofHours(24));
    }

    @Test
    void tokenRevokedOnThisMember_endsItsWebSocketAndItsWatchAtOnce() {
        String token = TestTokens.create(controller, "watcher", Role.VIEWER, null);
        Socket socket = openSocket(token);
        Watch watch = watchHosts(token);
        assertThat(query(socket, "{ host(id: \"h-0\") { id } }").getJsonObject("data").getJsonObject("host").getString("id"))
                .isEqualTo("h-0");

        assertThat(admin.delete("/api/v1/tokens/" + tokenId(token)).status()).isEqualTo(204);

        // At once: well before the cache time after which another member would notice.
        await().atMost(ApiTokens.CACHE_TTL).until(() -> socket.closedWith.get() != null && watch.error.get() != null);
        assertThat(socket.closedWith.get()).isEqualTo((short) 4401);
        Status status = Status.fromThrowable(watch.error.get());
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).isEqualTo("the API token was revoked");
        await().atMost(DEADLINE).until(() -> controller.security().heldTokens().size() == 0);
    }

    @Test
    void tokenRevokedByAnotherMember_endsItsStreamsWithinTheCacheTimeAndASweep() {
        String token = TestTokens.create(controller, "remote-revoked", Role.VIEWER, null);
        Socket socket = openSocket(token);
        Watch watch = watchHosts(token);
        await().atMost(DEADLINE).until(() -> !watch.messages.isEmpty());

        // Another member revoked it: only the database knows.
        database.execute("UPDATE api_tokens SET revoked_at = now() WHERE id = '" + tokenId(token) + "'");
        long revoked = System.nanoTime();

        await().atMost(ApiTokens.CACHE_TTL.plus(HeldTokens.SWEEP).plusSeconds(3))
                .until(() -> socket.closedWith.get() != null && watch.error.get() != null);
        System.out.printf("streams of a token revoked elsewhere ended %d ms later%n",
                Duration.ofNanos(System.nanoTime() - revoked).toMillis());
        assertThat(socket.closedWith.get()).isEqualTo((short) 4401);
        assertThat(Status.fromThrowable(watch.error.get()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void tokenThatExpiresWhileItsStreamsAreOpen_endsThem() {
        String token = TestTokens.create(controller, "expiring", Role.VIEWER, null);
        Socket socket = openSocket(token);
        Watch watch = watchHosts(token);
        assertThat(query(socket, "{ host(id: \"h-0\") { id } }").getJsonObject("data").getJsonObject("host")).isNotNull();

        // It reaches its expiry now (as a short-lived token would while the machine is slow to open the streams).
        database.execute("UPDATE api_tokens SET expires_at = now() WHERE id = '" + tokenId(token) + "'");

        await().atMost(ApiTokens.CACHE_TTL.plus(HeldTokens.SWEEP).plusSeconds(5))
                .until(() -> socket.closedWith.get() != null && watch.error.get() != null);
        assertThat(socket.closedWith.get()).isEqualTo((short) 4401);
        assertThat(socket.closeReason.get()).contains("expired");
        Status status = Status.fromThrowable(watch.error.get());
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(status.getDescription()).contains("expired");
    }

    private record Socket(WebSocket socket, List<JsonObject> received, AtomicReference<Short> closedWith,
                          AtomicReference<String> closeReason) {
    }

    private record Watch(List<HostChange> messages, AtomicReference<Throwable> error) {
    }

    private Socket openSocket(String token) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocket socket = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
                .setPort(controller.httpPort()).setURI("/graphql").addSubProtocol("graphql-transport-ws")
                .addHeader("Authorization", "Bearer " + token)));
        Socket opened = new Socket(socket, new CopyOnWriteArrayList<>(), new AtomicReference<>(), new AtomicReference<>());
        socket.textMessageHandler(text -> opened.received().add(new JsonObject(text)));
        socket.closeHandler(v -> {
            opened.closeReason().set(socket.closeReason());
            opened.closedWith().set(socket.closeStatusCode());
        });
        socket.writeTextMessage(new JsonObject().put("type", "connection_init")
                .put("payload", new JsonObject().put("authorization", "Bearer " + token)).encode());
        await().atMost(DEADLINE).until(() -> opened.received().stream().anyMatch(m -> "connection_ack".equals(m.getString("type"))));
        return opened;
    }

    private static JsonObject query(Socket socket, String query) {
        String id = UUID.randomUUID().toString();
        socket.socket().writeTextMessage(new JsonObject().put("id", id).put("type", "subscribe")
                .put("payload", new JsonObject().put("query", query)).encode());
        await().atMost(DEADLINE).until(() -> socket.received().stream()
                .anyMatch(m -> id.equals(m.getString("id")) && "next".equals(m.getString("type"))));
        return socket.received().stream().filter(m -> id.equals(m.getString("id")) && "next".equals(m.getString("type")))
                .findFirst().orElseThrow().getJsonObject("payload");
    }

    private Watch watchHosts(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        Watch watch = new Watch(new CopyOnWriteArrayList<>(), new AtomicReference<>());
        FleetControlGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .watchHosts(WatchHostsRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(HostChange value) {
                        watch.messages().add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        watch.error().set(t);
                    }

                    @Override
                    public void onCompleted() {
                        watch.error().set(new IllegalStateException("completed"));
                    }
                });
        await().atMost(DEADLINE).until(() -> !watch.messages().isEmpty() || watch.error().get() != null);
        assertThat(watch.error().get()).isNull();
        return watch;
    }

    private static String tokenId(String token) {
        return token.split("_")[1];
    }
}
