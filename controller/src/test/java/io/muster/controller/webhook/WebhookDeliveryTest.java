package io.muster.controller.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.api.ApiClient;
import io.muster.controller.event.EventSettings;
import io.muster.controller.task.RunSweeper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end: a real member, simulated agents, and a receiver that checks every
 * signature itself (HMAC-SHA256 with the JDK, not our code) and refuses its first three
 * requests; a second webhook points at a closed port and parks. The same session read back
 * through the SSE stream, resumed with Last-Event-ID.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryTest {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String SECRET = "receiver-secret-0123456789";

    @TempDir
    static Path temp;

    private TestDatabase database;
    private Controller member;
    private HttpServer receiver;
    private FleetSimulator fleet;
    private ApiClient api;
    private String hookId;
    private String dead;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger badSignatures = new AtomicInteger();
    private final Set<Long> received = ConcurrentHashMap.newKeySet();

    @AfterAll
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** One member, a receiver, two webhooks, three simulated agents and one task, all finished. */
    @BeforeAll
    void session() throws Exception {
        database = TestDatabase.create();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("m"), List.of(), 0, "127.0.0.1",
                        "hooks-" + System.nanoTime(), Duration.ofSeconds(2), Duration.ofSeconds(1))
                        .withAdminTokenFile(temp.resolve("admin.token")),
                RunSweeper.Settings.DEFAULTS,
                EventSettings.defaults().withWebhookRetry(Duration.ofSeconds(30), Duration.ofMillis(100)));
        api = new ApiClient("http://127.0.0.1:" + member.httpPort(), Files.readString(temp.resolve("admin.token")).strip());

        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst("X-Muster-Signature");
            int n = requests.incrementAndGet();
            int status;
            if (!hmac(body).equals(signature)) {
                badSignatures.incrementAndGet();
                status = 401;
            } else if (n <= 3) {
                status = 503;
            } else {
                JsonObject event = new JsonObject(new String(body, StandardCharsets.UTF_8));
                assertThat(event.getString("specversion")).isEqualTo("1.0");
                assertThat(exchange.getRequestHeaders().getFirst("X-Muster-Event-Id")).isEqualTo(event.getString("id"));
                received.add(Long.parseLong(event.getString("id")));
                status = 204;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();

        // Bad input names the field.
        ApiClient.Answer bad = api.post("/api/v1/webhooks", new JsonObject().put("url", "ftp://example.org/x").encode());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getString("detail")).contains("'url'");
        assertThat(api.post("/api/v1/webhooks", new JsonObject().put("url", "http://x.example").put("types",
                new JsonArray().add("host.*x")).encode()).json().getString("detail")).contains("'types'");
        assertThat(api.post("/api/v1/webhooks", new JsonObject().put("url", "http://x.example")
                .put("selector", "os in (").encode()).json().getString("type")).endsWith("invalid-selector");

        ApiClient.Answer created = api.post("/api/v1/webhooks", new JsonObject()
                .put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
                .put("types", new JsonArray().add("host.*").add("task.*").add("run.finished"))
                .put("secret", SECRET).encode());
        assertThat(created.status()).isEqualTo(201);
        hookId = created.json().getString("id");
        assertThat(created.json().getString("secret")).isEqualTo(SECRET);
        assertThat(api.get("/api/v1/webhooks/" + hookId).json().containsKey("secret")).isFalse();
        // Stored sealed with the secrets key, not in clear (deliveries below are still signed with it).
        assertThat(database.count("SELECT count(*) FROM webhooks WHERE id = '" + hookId + "' AND secret LIKE 'sealed:v1:%'"
                + " AND strpos(secret, '" + SECRET + "') = 0")).isEqualTo(1);
        dead = api.post("/api/v1/webhooks", new JsonObject().put("url", "http://127.0.0.1:" + closedPort() + "/gone")
                .put("types", new JsonArray().add("host.registered")).encode()).json().getString("id");

        fleet = FleetSimulator.start(new SimulatorConfig(List.of("127.0.0.1:" + member.grpcPort()), 3, 11, 100,
                Duration.ofSeconds(1), 2000, Duration.ofMillis(20), "hook-"));
        await().atMost(DEADLINE).until(() -> database.count("SELECT count(*) FROM hosts WHERE state = 'online'") == 3);
        ApiClient.Answer task = api.post("/api/v1/tasks", new JsonObject().put("target", new JsonObject().put("hosts",
                        new JsonArray(fleet.agents().stream().map(a -> (Object) a.hostId()).toList()))).put("kind", "exec")
                .put("spec", new JsonObject().put("shell", "true")).put("timeoutSeconds", 30).encode());
        assertThat(task.status()).as(task.body()).isEqualTo(201);
        await().atMost(DEADLINE).until(() -> database.count("SELECT count(*) FROM outbox WHERE type = 'task.finished'") == 1);
    }

    @Test
    void receiver_gets_every_event_signed_despite_failing_its_first_three_attempts_and_a_dead_one_parks() throws Exception {

        Set<Long> wanted = new HashSet<>(database.longs("SELECT id FROM outbox WHERE type LIKE 'host.%' OR type LIKE 'task.%' OR type = 'run.finished'"));
        assertThat(wanted).hasSizeGreaterThanOrEqualTo(3 * 2 + 1 + 3 + 1);
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(received).containsAll(wanted));
        assertThat(badSignatures.get()).isZero();

        JsonObject firstDelivery = last(api.get("/api/v1/webhooks/" + hookId + "/deliveries?limit=1000").json().getJsonArray("items"));
        assertThat(firstDelivery.getString("state")).isEqualTo("delivered");
        assertThat(firstDelivery.getInteger("attempts")).isEqualTo(4);
        assertThat(firstDelivery.getInteger("lastStatus")).isEqualTo(204);

        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonArray parked = api.get("/api/v1/webhooks/" + dead + "/deliveries?state=parked").json().getJsonArray("items");
            assertThat(parked).hasSize(3);
            assertThat(parked.getJsonObject(0).getString("lastError")).contains("ConnectException");
            assertThat(parked.getJsonObject(0).getInteger("attempts")).isGreaterThanOrEqualTo(1);
        });

        assertThat(api.delete("/api/v1/webhooks/" + dead).status()).isEqualTo(204);
        assertThat(api.get("/api/v1/webhooks/" + dead).status()).isEqualTo(404);
        assertThat(api.get("/api/v1/webhooks").json().getJsonArray("items")).hasSize(1);
        assertThat(api.withToken(null).get("/api/v1/webhooks").status()).isEqualTo(401);
    }

    @Test
    void the_stream_serves_the_session_and_resumes_after_the_last_event_id() throws Exception {
        List<String[]> all = sse("/api/v1/events?type=task.*,run.finished", "0.0", 5);
        assertThat(all.stream().map(m -> m[1]).toList())
                .containsExactly("task.created", "run.finished", "run.finished", "run.finished", "task.finished");
        JsonObject created = new JsonObject(all.get(0)[2]);
        assertThat(created.getString("specversion")).isEqualTo("1.0");
        assertThat(created.getString("source")).startsWith("urn:muster:hooks-");
        assertThat(created.getJsonObject("data").getString("kind")).isEqualTo("exec");

        List<String[]> resumed = sse("/api/v1/events?type=task.*,run.finished", all.get(2)[0], 2);
        assertThat(resumed.stream().map(m -> m[0]).toList()).containsExactly(all.get(3)[0], all.get(4)[0]);

        String labelled = fleet.agents().get(0).hostId();
        assertThat(api.put("/api/v1/hosts/" + labelled + "/labels", new JsonObject().put("team", "sse").encode()).status())
                .isEqualTo(200);
        List<String[]> onlyTeam = sse("/api/v1/events?type=host.*&selector=team%3Dsse", "0.0", 1);
        assertThat(onlyTeam.get(0)[1]).isEqualTo("host.registered");
        assertThat(new JsonObject(onlyTeam.get(0)[2]).getString("subject")).isEqualTo(labelled);

        ApiClient.Answer bad = api.get("/api/v1/events?lastEventId=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getString("detail")).contains("Last-Event-ID");
        assertThat(api.get("/api/v1/events?type=host.").json().getString("type")).endsWith("invalid-type");
    }

    /** The first {@code count} messages of a stream as {id, event, data}. */
    private List<String[]> sse(String pathAndQuery, String lastEventId, int count) throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + member.httpPort() + pathAndQuery))
                .header("Authorization", "Bearer " + Files.readString(temp.resolve("admin.token")).strip())
                .header("Last-Event-ID", lastEventId).build();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = java.net.http.HttpClient.newHttpClient()
                .send(request, java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<String[]> messages = new java.util.ArrayList<>();
        String[] current = new String[3];
        try (java.util.stream.Stream<String> lines = response.body()) {
            java.util.Iterator<String> it = lines.iterator();
            while (messages.size() < count && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    current[0] = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    current[1] = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    current[2] = line.substring(6);
                } else if (line.isEmpty() && current[0] != null) {
                    messages.add(current);
                    current = new String[3];
                }
            }
        }
        return messages;
    }

    private static String hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject last(JsonArray items) {
        return items.getJsonObject(items.size() - 1);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
