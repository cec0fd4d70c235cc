package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.enrollment.AgentCredentials;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.CertificateAuthority;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.EnrollmentGrpc;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.Hello;
import io.muster.testdb.TestDatabase;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad clients on the agent gateway of a TLS member: 1,000 connections whose TLS has no client
 * certificate, a self-signed one, or is not TLS at all (random bytes); and raw HTTP/2 streams,
 * with a valid agent certificate, carrying a malformed protobuf, a gRPC message cut short by the
 * end of the stream, a message that declares more than the inbound limit, and a message cut by
 * closing the connection; a malformed request to FleetControl (same port, with a token); and a
 * malformed Enroll on the enrollment port (no client certificate there).
 *
 * <p>Each must end with a refused handshake, a gRPC status that says why, or a closed
 * connection; none may take a session. Meanwhile a real agent stays connected (no reconnect) and
 * runs a task afterwards, and an API client's latency is measured (printed; only a generous bound
 * is asserted: speed is measured in bench/).
 */
class BadClientsTest {

    private static final int HANDSHAKES = 1_000;
    private static final int RAW_EACH = 25;
    /** Clients in flight at once: enough to keep the member busy, few enough for a shared 2-core machine. */
    private static final int CONCURRENCY = 32;
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private TestDatabase db;
    private Controller controller;
    private Agent agent;
    private EventLoopGroup group;
    private ExecutorService clients;

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.shutdownNow();
        }
        if (agent != null) {
            agent.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (controller != null) {
            controller.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void badTlsAndMalformedGrpc_refusedWithAReason_agentStaysConnected_apiAnswersMeanwhile() throws Exception {
        db = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "bad-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(2))
                .withInsecure(false)
                .withAdminTokenFile(temp.resolve("admin.token")));
        String adminToken = Files.readString(temp.resolve("admin.token")).strip();
        ApiClient api = new ApiClient("http://127.0.0.1:" + controller.httpPort(), adminToken);

        // A real agent, enrolled with a token and connected with its certificate.
        ApiClient.Answer token = api.post("/api/v1/enrollment-tokens", "{\"expiresInSeconds\":600,\"maxUses\":1}");
        assertThat(token.status()).as(token.body()).isEqualTo(201);
        Path agentDir = temp.resolve("agent");
        agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), agentDir, Duration.ofSeconds(2),
                Duration.ofSeconds(1), null, null, null).secured(new JsonObject(token.body()).getString("token"), null)
                .withEnrollControllers(List.of("127.0.0.1:" + controller.enrollPort().orElseThrow()))).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> agent.session().isConnected()
                && controller.sessions().find(agent.hostId()).isPresent());
        int agentAttempts = agent.session().connectAttempts();

        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        clients = Executors.newFixedThreadPool(CONCURRENCY);
        X509Certificate ca = controller.security().ca().certificate();
        SslContext noCertificate = GrpcSslContexts.forClient().trustManager(ca).build();
        CertificateAuthority rogue = CertificateAuthority.generate("rogue", Clock.systemUTC(), new SecureRandom());
        SslContext selfSigned = GrpcSslContexts.forClient().keyManager(alwaysOffered(rogue.privateKey(), rogue.certificate()))
                .trustManager(ca).build();
        SslContext enrolled = new AgentCredentials(agentDir).clientContext();

        // Everyone else, meanwhile: an API client asking again and again until the attack is over.
        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> apiFailures = Collections.synchronizedList(new ArrayList<>());
        Thread apiClient = new Thread(() -> {
            while (attacking.get()) {
                long asked = System.nanoTime();
                ApiClient.Answer answer = api.get("/api/v1/hosts?limit=10");
                latencies.add(System.nanoTime() - asked);
                if (answer.status() != 200) {
                    apiFailures.add(answer.status() + " " + answer.body());
                }
            }
        }, "api-client");

        long started = System.nanoTime();
        apiClient.start();
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < HANDSHAKES; i++) {
            String rogueHost = "rogue-" + i;
            switch (i % 3) {
                case 0 -> outcomes.add(clients.submit(() -> "no certificate: " + connect(noCertificate, rogueHost)));
                case 1 -> outcomes.add(clients.submit(() -> "self-signed certificate: " + connect(selfSigned, rogueHost)));
                default -> outcomes.add(clients.submit(() -> "random bytes, not TLS: " + garbage()));
            }
            if (i % (HANDSHAKES / RAW_EACH) == 0) {
                outcomes.add(clients.submit(() -> "malformed protobuf: " + raw(enrolled, malformed(), true, false)));
                outcomes.add(clients.submit(() -> "truncated message, end of stream: " + raw(enrolled, truncated(), true, false)));
                outcomes.add(clients.submit(() -> "oversized message: " + raw(enrolled, oversized(), false, false)));
                outcomes.add(clients.submit(() -> "truncated message, connection closed: " + raw(enrolled, truncated(), false, true)));
                outcomes.add(clients.submit(() -> "malformed protobuf to FleetControl.SubmitTask: " + raw(enrolled,
                        controller.grpcPort(), FleetControlGrpc.getSubmitTaskMethod().getFullMethodName(), adminToken,
                        malformed(), true, false)));
                outcomes.add(clients.submit(() -> "malformed protobuf to Enrollment.Enroll: " + raw(noCertificate,
                        controller.enrollPort().orElseThrow(), EnrollmentGrpc.getEnrollMethod().getFullMethodName(), null,
                        malformed(), true, false)));
            }
        }
        Map<String, Integer> seen = new TreeMap<>();
        for (Future<String> outcome : outcomes) {
            seen.merge(outcome.get(ANSWER_WITHIN.toSeconds() * 2, TimeUnit.SECONDS), 1, Integer::sum);
        }
        Duration attack = Duration.ofNanos(System.nanoTime() - started);
        attacking.set(false);
        apiClient.join(ANSWER_WITHIN.toMillis());

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p50 = sorted.get(sorted.size() / 2) / 1_000_000;
        long p99 = sorted.get(Math.max(0, sorted.size() * 99 / 100 - 1)) / 1_000_000;
        System.out.printf("bad clients: %d TLS connections and %d raw gRPC streams in %d ms; API during the attack: %d"
                        + " requests, p50 %d ms, p99 %d ms, max %d ms%n",
                HANDSHAKES, RAW_EACH * 6, attack.toMillis(), sorted.size(), p50, p99, sorted.get(sorted.size() - 1) / 1_000_000);
        seen.forEach((what, count) -> System.out.printf("  %4d x %s%n", count, what));

        assertThat(seen.keySet()).as("every bad client refused with a reason or cut off")
                .allMatch(outcome -> outcome.matches(".*: (handshake refused|stream refused UNAUTHENTICATED|connection closed)"
                        + "( .*)?")
                        || outcome.matches("malformed protobuf( to FleetControl.SubmitTask| to Enrollment.Enroll)?: status INTERNAL: .+")
                        || outcome.matches("truncated message, end of stream: status INTERNAL: .+")
                        || outcome.matches("oversized message: status RESOURCE_EXHAUSTED: .+")
                        || outcome.equals("truncated message, connection closed: connection closed"));
        assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(HANDSHAKES + RAW_EACH * 6);
        assertThat(apiFailures).as("API answers during the attack").isEmpty();
        assertThat(p99).as("API p99 during the attack (ms)").isLessThan(5_000);

        // No bad client took a session, and the real agent never had to reconnect; it still works.
        assertThat(controller.sessions().hostIds()).containsExactly(agent.hostId());
        assertThat(agent.session().connectAttempts()).isEqualTo(agentAttempts);
        Path ran = temp.resolve("ran");
        ApiClient.Answer task = api.post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(agent.hostId())))
                .put("kind", "exec").put("spec", new JsonObject().put("shell", "echo ran > " + ran))
                .put("timeoutSeconds", 60).encode());
        assertThat(task.status()).as(task.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ran) && Files.readString(ran).equals("ran\n"));
    }

    /**
     * A Connect stream over TLS with this context (which carries no or an untrusted client
     * certificate). The agent port requires a client certificate, so the handshake is refused; with
     * an optional one (before) the stream was refused UNAUTHENTICATED: both count as refused.
     */
    private String connect(SslContext tls, String hostId) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort())
                .sslContext(tls).eventLoopGroup(group).channelType(NioSocketChannel.class).build();
        try {
            ClientCall<AgentMessage, ControllerMessage> call = channel.newCall(AgentGatewayGrpc.getConnectMethod(),
                    CallOptions.DEFAULT.withDeadlineAfter(ANSWER_WITHIN.toMillis(), TimeUnit.MILLISECONDS));
            CompletableFuture<Status> closed = new CompletableFuture<>();
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onClose(Status status, Metadata trailers) {
                    closed.complete(status);
                }
            }, new Metadata());
            call.request(1);
            call.sendMessage(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(hostId)
                    .setHostname(hostId).setAgentVersion("rogue")).build());
            Status status = closed.get(ANSWER_WITHIN.toSeconds() + 5, TimeUnit.SECONDS);
            if (status.getCode() == Status.Code.UNAVAILABLE) {
                // Refused in the handshake (TLS 1.2), or by an alert after the client's side of it was done (TLS 1.3).
                return causedBy(status.getCause(), SSLException.class) ? "handshake refused"
                        : "connection closed (UNAVAILABLE: " + status.getDescription() + ")";
            }
            if (status.getCode() == Status.Code.UNAUTHENTICATED && status.getDescription() != null) {
                return "stream refused UNAUTHENTICATED";
            }
            return "unexpected " + status;
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Offers this certificate whatever CAs the server names: the JDK's own key manager would offer
     * none not issued by one of them, and the connection would be one without a certificate.
     */
    private static X509ExtendedKeyManager alwaysOffered(PrivateKey key, X509Certificate certificate) {
        return new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"rogue"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "rogue";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return "rogue";
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return new X509Certificate[] {certificate};
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return key;
            }
        };
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** A connection that sends 1 kB of random bytes where a TLS ClientHello belongs. */
    private String garbage() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", controller.grpcPort()), 10_000);
            socket.setSoTimeout((int) ANSWER_WITHIN.toMillis());
            byte[] junk = new byte[1024];
            new SecureRandom().nextBytes(junk);
            junk[0] = 'G';
            socket.getOutputStream().write(junk);
            InputStream in = socket.getInputStream();
            try {
                while (in.read() != -1) {
                    // an alert may come first; the close is what counts
                }
                return "connection closed";
            } catch (SocketTimeoutException e) {
                return "left open for " + ANSWER_WITHIN.toSeconds() + " s";
            } catch (IOException reset) {
                return "connection closed";
            }
        }
    }

    /** A gRPC message whose protobuf is invalid (field 1 with wire type 7, which does not exist). */
    private static byte[] malformed() {
        return frame(2, new byte[] {0x0F, 0x00});
    }

    /** A length prefix of 1,000 bytes followed by 10. */
    private static byte[] truncated() {
        return frame(1_000, new byte[10]);
    }

    /** A prefix declaring 64 MiB (the inbound limit is about 1 MiB), then the first 16 kB. */
    private static byte[] oversized() {
        return frame(64 << 20, new byte[16 * 1024]);
    }

    /** gRPC's length-prefixed message: uncompressed flag, 4-byte declared length, then the bytes. */
    private static byte[] frame(int declaredLength, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(declaredLength).put(body).array();
    }

    /**
     * Opens an HTTP/2 connection with the agent's own certificate, starts a Connect stream with
     * gRPC's headers and writes {@code message} as its only DATA frame (ending the stream if
     * {@code endStream}); if {@code closeAfter}, closes the connection right after. Returns the
     * status the member answered, its reset, or that the connection closed.
     */
    private String raw(SslContext tls, byte[] message, boolean endStream, boolean closeAfter) throws Exception {
        return raw(tls, controller.grpcPort(), AgentGatewayGrpc.getConnectMethod().getFullMethodName(), null, message, endStream,
                closeAfter);
    }

    /** As above, to {@code fullMethodName} on {@code port}, with an "authorization: Bearer" header if {@code bearer} is set. */
    private String raw(SslContext tls, int port, String fullMethodName, String bearer, byte[] message, boolean endStream,
                       boolean closeAfter) throws Exception {
        CompletableFuture<String> answered = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                answered.complete("connection closed");
                            }
                        });
                    }
                });
        Channel connection = bootstrap.connect("127.0.0.1", port).sync().channel();
        try {
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                    .handler(new ChannelInboundHandlerAdapter() {
                        private String status;
                        private String message;

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object frame) {
                            if (frame instanceof Http2HeadersFrame headers) {
                                CharSequence code = headers.headers().get("grpc-status");
                                if (code != null) {
                                    status = Status.fromCodeValue(Integer.parseInt(code.toString())).getCode().name();
                                    CharSequence text = headers.headers().get("grpc-message");
                                    message = text == null ? "" : text.toString();
                                }
                                if (headers.isEndStream()) {
                                    answered.complete(status == null ? "ended without a status"
                                            : "status " + status + ": " + message);
                                }
                            } else if (frame instanceof Http2ResetFrame reset) {
                                answered.complete(status != null ? "status " + status + ": " + message
                                        : "stream reset, code " + reset.errorCode());
                            }
                        }
                    }).open().sync().getNow();
            Http2Headers headers = new DefaultHttp2Headers()
                    .method("POST").scheme("https").authority("127.0.0.1:" + port)
                    .path("/" + fullMethodName)
                    .add("content-type", "application/grpc").add("te", "trailers");
            if (bearer != null) {
                headers.add("authorization", "Bearer " + bearer);
            }
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(message), endStream)).sync();
            if (closeAfter) {
                connection.close().sync();
            }
            return answered.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
        } finally {
            connection.close();
        }
    }
}
