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
                // Retries 0.2, 0.4, 0.8 s apart: the receiver's fourth attempt lands 1.4 s after the first,
                // and the dead hook parks once its next retry (12.6 s after its first) would leave the window, about
                // 6 s in (with 30 s it parked after 25 s, which the test waited out).
                EventSettings.defaults().withWebhookRetry(Duration.ofSeconds(12), Duration.ofMillis(100)));
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
        assertThat(api.get("/api/v1/webhooks").json().getJsonArray("items").stream()
                .map(w -> ((JsonObject) w).getString("id"))).contains(hookId).doesNotContain(dead);
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

    @Test
    void a_selector_narrows_deliveries_to_its_hosts_and_a_hanging_receiver_slows_nothing() throws Exception {
        String blue = fleet.agents().get(1).hostId();
        assertThat(api.put("/api/v1/hosts/" + blue + "/labels", new JsonObject().put("team", "blue").encode()).status())
                .isEqualTo(200);
        List<JsonObject> toBlue = new java.util.concurrent.CopyOnWriteArrayList<>();
        HttpServer blueReceiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        blueReceiver.createContext("/blue", exchange -> {
            toBlue.add(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        // Takes every request and never answers until released (each one costs the dispatcher its 10 s timeout).
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger hung = new AtomicInteger();
        HttpServer hanging = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hanging.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hanging.createContext("/hang", exchange -> {
            hung.incrementAndGet();
            try {
                release.await(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        blueReceiver.start();
        hanging.start();
        String blueHook = null;
        String hangingHook = null;
        try {
            blueHook = api.post("/api/v1/webhooks", new JsonObject()
                    .put("url", "http://127.0.0.1:" + blueReceiver.getAddress().getPort() + "/blue")
                    .put("types", new JsonArray().add("host.*").add("run.finished").add("task.*"))
                    .put("selector", "team=blue").encode()).json().getString("id");
            hangingHook = api.post("/api/v1/webhooks", new JsonObject()
                    .put("url", "http://127.0.0.1:" + hanging.getAddress().getPort() + "/hang").encode()).json().getString("id");
            // The hanging receiver holds its first request before the fleet does anything.
            assertThat(api.put("/api/v1/hosts/" + blue + "/labels", new JsonObject().put("team", "blue").put("hang", "now")
                    .encode()).status()).isEqualTo(200);
            await().atMost(DEADLINE).until(() -> hung.get() >= 1);

            long submitted = System.nanoTime();
            ApiClient.Answer task = api.post("/api/v1/tasks", new JsonObject().put("target", new JsonObject().put("hosts",
                            new JsonArray(fleet.agents().stream().map(a -> (Object) a.hostId()).toList()))).put("kind", "exec")
                    .put("spec", new JsonObject().put("shell", "true")).put("timeoutSeconds", 30).encode());
            assertThat(task.status()).as(task.body()).isEqualTo(201);
            String taskId = task.json().getString("id");
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50))
                    .until(() -> "succeeded".equals(api.get("/api/v1/tasks/" + taskId).json().getString("state")));
            Duration resultsLanded = Duration.ofNanos(System.nanoTime() - submitted);
            // The blue host's run reaches its receiver while the hanging one still holds its request.
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> toBlue.stream().anyMatch(e ->
                    e.getString("type").equals("run.finished") && e.getJsonObject("data").getString("task").equals(taskId)));
            Duration blueDelivered = Duration.ofNanos(System.nanoTime() - submitted);
            // The relay published the task's last event (every sink acknowledged: the queue rows exist).
            await().atMost(DEADLINE).until(() -> database.count("SELECT count(*) FROM outbox WHERE type = 'task.finished' "
                    + "AND subject = '" + taskId + "'") == 1);
            long taskFinished = database.longs("SELECT id FROM outbox WHERE type = 'task.finished' AND subject = '" + taskId + "'")
                    .get(0);
            await().atMost(DEADLINE).until(() -> database.count("SELECT count(*) FROM outbox_positions p JOIN outbox o ON "
                    + "o.id = " + taskFinished + " AND o.partition = p.partition WHERE (p.tx, p.id) >= (o.tx, o.id)") == 1);
            assertThat(release.getCount()).as("still hanging").isEqualTo(1);
            System.out.println("HANGING WEBHOOK: task results landed in " + resultsLanded.toMillis() + " ms, the blue receiver had "
                    + "its run in " + blueDelivered.toMillis() + " ms, while the hanging receiver held " + hung.get() + " request(s)");
            // Slower than this would mean the fleet waited on the receiver's 10 s timeout.
            assertThat(resultsLanded).isLessThan(Duration.ofSeconds(5));
            assertThat(blueDelivered).isLessThan(Duration.ofSeconds(8));

            // Only events about the blue host, and no task.* (they have no host, so a selector leaves them out).
            assertThat(toBlue).isNotEmpty().allSatisfy(e -> assertThat(e.getString("type")).doesNotStartWith("task."));
            assertThat(toBlue).allSatisfy(e -> assertThat(e.getJsonObject("data").getString("host")).isEqualTo(blue));
            JsonObject run = toBlue.stream().filter(e -> e.getString("type").equals("run.finished")
                    && e.getJsonObject("data").getString("task").equals(taskId)).findFirst().orElseThrow().getJsonObject("data");
            assertThat(toBlue.stream().filter(e -> e.getString("type").equals("run.finished")
                    && e.getJsonObject("data").getString("task").equals(taskId))).hasSize(1);
            // The event links to that run's own output, which answers.
            assertThat(run.getString("output")).isEqualTo("/api/v1/tasks/" + taskId + "/runs/" + run.getString("run") + "/output");
            ApiClient.Answer output = api.get(run.getString("output"));
            assertThat(output.status()).as(output.body()).isEqualTo(200);
            assertThat(api.get("/api/v1/webhooks/" + hangingHook + "/deliveries?state=delivered").json().getJsonArray("items"))
                    .isEmpty();
        } finally {
            release.countDown();
            if (blueHook != null) {
                api.delete("/api/v1/webhooks/" + blueHook);
            }
            if (hangingHook != null) {
                api.delete("/api/v1/webhooks/" + hangingHook);
            }
            blueReceiver.stop(0);
            hanging.stop(0);
        }
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
