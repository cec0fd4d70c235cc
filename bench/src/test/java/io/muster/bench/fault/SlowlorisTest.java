package io.muster.bench.fault;

import static org.awaitility.Awaitility.await;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SlowlorisTest {

    /** A server with a 300 ms head deadline: it reads what comes and closes each connection 300 ms after accepting it. */
    @Test
    void run_keepsItsConnectionsOpen_reopensWhatTheServerCloses_reportsHowLongTheyLived() throws Exception {
        ScheduledExecutorService closer = Executors.newScheduledThreadPool(2);
        List<String> heads = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        closer.schedule(() -> {
                            socket.setSoTimeout(50);
                            ByteArrayOutputStream head = new ByteArrayOutputStream();
                            try {
                                InputStream in = socket.getInputStream();
                                byte[] buffer = new byte[256];
                                int read;
                                while ((read = in.read(buffer)) > 0) {
                                    head.write(buffer, 0, read);
                                }
                            } catch (IOException drained) {
                                // the read timed out: everything sent so far is in
                            }
                            heads.add(head.toString(StandardCharsets.US_ASCII));
                            socket.close();
                            return null;
                        }, 300, TimeUnit.MILLISECONDS);
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "test-acceptor");
            acceptor.start();

            Slowloris slowloris = new Slowloris(server.getLocalPort(), 5, Duration.ofMillis(100));
            Thread attack = new Thread(slowloris, "test-slowloris");
            attack.start();
            // Fifteen connections closed by the server (300 ms each, five at a time): enough for the
            // attack to have noticed at least ten of them on its 100 ms passes.
            await().atMost(Duration.ofSeconds(30)).until(() -> heads.size() >= 15);
            slowloris.stop();
            attack.join(5_000);

            JsonObject figures = slowloris.figures();
            assertThat(figures.getInteger("closedByMember")).isGreaterThanOrEqualTo(10);
            assertThat(figures.getInteger("opened")).isEqualTo(figures.getInteger("closedByMember") + 5);
            assertThat(figures.getDouble("closedAfterSecondsP50")).isBetween(0.3, 1.0);
            assertThat(figures.getLong("bytesTrickled")).isPositive();
            assertThat(heads).isNotEmpty().allMatch(head -> head.startsWith("GET /api/v1/hosts HTTP/1.1\r\n")
                    && !head.contains("\r\n\r\n"));
        } finally {
            closer.shutdownNow();
        }
    }
}
