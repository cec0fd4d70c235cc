package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.gateway.AgentSession;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.TaskCancel;
import io.muster.testdb.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and bad clients: a slowloris on the HTTP port (connections that trickle a request head,
 * one header a second) and an agent stream that sends Hello and then never reads. The member
 * must close the slow connections at its request-head deadline, keep the stream's outbound queue
 * bounded, and answer everyone else meanwhile (API latency percentiles printed).
 */
class SlowClientsTest {

    private static final int SLOW_CONNECTIONS = 300;
    private static final int API_REQUESTS = 200;

    @TempDir
    Path temp;

    private TestDatabase db;
    private Controller controller;
    private final List<Socket> sockets = new ArrayList<>();
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed by the member
            }
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (controller != null) {
            controller.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void slowlorisAndAStreamThatNeverReads_slowConnectionsClosed_queueBounded_apiAnswersMeanwhile() throws Exception {
        db = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "slow-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(30)));
        ApiClient api = TestTokens.adminClient(controller);

        // An agent stream that says Hello and never asks for a message.
        String hostId = UUID.randomUUID().toString();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
        ClientCall<AgentMessage, ControllerMessage> call = channel.newCall(AgentGatewayGrpc.getConnectMethod(), CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() { }, new Metadata());
        call.sendMessage(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(hostId)
                .setHostname("never-reads").setAgentVersion("raw")).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> controller.sessions().find(hostId).isPresent());
        AgentSession deaf = controller.sessions().find(hostId).orElseThrow();
        // Open once the connect is recorded and Welcome written (which the client never reads).
        await().atMost(Duration.ofSeconds(30)).until(deaf::isOpen);
        // 2 kB messages: the transport's window fills, then the member's bounded queue; then send refuses.
        ControllerMessage filler = ControllerMessage.newBuilder().setTaskCancel(TaskCancel.newBuilder()
                .setRunId(UUID.randomUUID().toString()).setReason("x".repeat(2_000))).build();
        int accepted = 0;
        while (accepted < 100_000 && deaf.send(filler)) {
            accepted++;
        }
        assertThat(accepted).as("messages a deaf stream could take before its queue refused")
                .isGreaterThan(0).isLessThan(100_000);
        assertThat(deaf.isOpen()).isTrue();

        // The slowloris: every connection sends a request line, then one header a second.
        long opened = System.nanoTime();
        for (int i = 0; i < SLOW_CONNECTIONS; i++) {
            Socket socket = new Socket("127.0.0.1", controller.httpPort());
            socket.setSoTimeout(50);
            socket.getOutputStream().write("GET /api/v1/hosts HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            sockets.add(socket);
        }
        Thread trickle = new Thread(() -> {
            for (int second = 0; second < 40 && !Thread.currentThread().isInterrupted(); second++) {
                for (Socket socket : sockets) {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write(("X-Slow-" + second + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException closed) {
                        // the member closed it: that is the point
                    }
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "slowloris");
        trickle.setDaemon(true);
        trickle.start();

        // Everyone else, meanwhile.
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < API_REQUESTS; i++) {
            long asked = System.nanoTime();
            ApiClient.Answer answer = api.get("/api/v1/hosts?limit=10");
            latencies.add(System.nanoTime() - asked);
            assertThat(answer.status()).isEqualTo(200);
        }
        Collections.sort(latencies);
        long p50 = latencies.get(API_REQUESTS / 2) / 1_000_000;
        long p99 = latencies.get(API_REQUESTS * 99 / 100 - 1) / 1_000_000;

        // Every slow connection is closed by the member once its head deadline (10 s) passed.
        await().atMost(Duration.ofSeconds(60)).until(() -> sockets.stream().allMatch(SlowClientsTest::closedByPeer));
        Duration allClosed = Duration.ofNanos(System.nanoTime() - opened);
        trickle.interrupt();
        System.out.printf("slow clients: %d slowloris connections all closed %d ms after they opened; a deaf agent"
                        + " stream took %d messages before its queue refused; API during the attack: p50 %d ms, p99 %d ms%n",
                SLOW_CONNECTIONS, allClosed.toMillis(), accepted, p50, p99);
        assertThat(allClosed).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(api.get("/api/v1/hosts?limit=10").status()).isEqualTo(200);
    }

    private static boolean closedByPeer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
