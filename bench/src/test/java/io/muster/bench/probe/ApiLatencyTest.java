package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiLatencyTest {

    @TempDir
    Path temp;

    @Test
    void run_asksAtItsPaceWithTheToken_timesEveryAnswer_countsNon200AsErrors() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/hosts", exchange -> {
            seen.add(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"items\":[]}".getBytes(StandardCharsets.UTF_8);
            // Every fifth request refused: counted as errors, still timed.
            exchange.sendResponseHeaders(seen.size() % 5 == 0 ? 503 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Path token = Files.writeString(temp.resolve("admin.token"), "secret\n");
            ApiLatency latency = new ApiLatency(server.getAddress().getPort(), Optional.of(token), Duration.ofMillis(20));
            Thread thread = new Thread(latency, "test-api-latency");
            thread.start();
            // Until 20 answers, however slow a loaded machine makes the client's first request.
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() >= 20);
            latency.stop();
            thread.join(5_000);

            JsonObject figures = latency.figures();
            assertThat(figures.getLong("requests")).isEqualTo(seen.size());
            // At one request per 20 ms at most: awaitility's 100 ms poll and the stop hold a few, not more than 16.
            assertThat(seen.size() - 20).as("requests after the 20th").isLessThanOrEqualTo(16);
            assertThat(figures.getLong("errors")).isEqualTo(seen.size() / 5L);
            assertThat(figures.getString("firstError")).isEqualTo("HTTP 503");
            assertThat(figures.getDouble("p50Millis")).isPositive().isLessThanOrEqualTo(figures.getDouble("p99Millis"));
            assertThat(figures.getDouble("p99Millis")).isLessThanOrEqualTo(figures.getDouble("maxMillis"));
            assertThat(seen).allMatch(request -> request.equals("/api/v1/hosts?limit=1 Bearer secret"));
        } finally {
            server.stop(0);
        }
    }
}
