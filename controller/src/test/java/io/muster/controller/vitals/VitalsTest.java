package io.muster.controller.vitals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.event.EventSettings;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.muster.controller.store.Vitals;
import io.muster.controller.task.RunSweeper;
import io.muster.testdb.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vitals from real agents through a real member: the latest on the host (served, selectable),
 * the downsampled series over REST (2-second buckets here instead of 5 minutes), halves of a
 * bucket written by two members merged into one row, and nothing pending lost on a clean stop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VitalsTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration RESOLUTION = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path temp;

    private TestDatabase database;
    private Controller member;
    private final List<Agent> agents = new ArrayList<>();
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.create();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("m"), List.of(), 0, "127.0.0.1",
                        "vitals-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT),
                RunSweeper.Settings.DEFAULTS, EventSettings.defaults().withVitals(RESOLUTION, Duration.ofDays(7)));
        api = new ApiClient("http://127.0.0.1:" + member.httpPort(), TestTokens.admin(member));
        for (int i = 0; i < 2; i++) {
            // Two agents of this machine: each its own host id (else both derive it from /etc/machine-id).
            Files.createDirectories(temp.resolve("agent-" + i));
            Files.writeString(temp.resolve("agent-" + i).resolve("host-id"), UUID.randomUUID().toString());
            agents.add(new Agent(new AgentConfig(List.of("127.0.0.1:" + member.grpcPort()), temp.resolve("agent-" + i),
                    HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start());
        }
    }

    @AfterAll
    void stop() {
        agents.forEach(Agent::close);
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    @Order(1)
    void the_latest_vitals_come_with_the_host_and_selectors_read_them_like_facts() {
        for (Agent agent : agents) {
            await().atMost(DEADLINE).until(() -> api.get("/api/v1/hosts/" + agent.hostId()).json().getJsonObject("vitals") != null);
            JsonObject vitals = api.get("/api/v1/hosts/" + agent.hostId()).json().getJsonObject("vitals");
            assertThat(vitals.fieldNames()).containsExactlyInAnyOrder(Vitals.LOAD_1M, Vitals.LOAD_5M, Vitals.LOAD_15M,
                    Vitals.CPU_BUSY, Vitals.MEM_USED, Vitals.UPTIME);
            assertThat(vitals.getLong(Vitals.MEM_USED)).isPositive();
            assertThat(vitals.getLong(Vitals.UPTIME)).isPositive();
            assertThat(vitals.getDouble(Vitals.CPU_BUSY)).isBetween(0.0, 1.0);
            assertThat(vitals.getDouble(Vitals.LOAD_1M)).isGreaterThanOrEqualTo(0.0);
        }
        // The listing serves them too, and a selector on a vital picks hosts by it.
        assertThat(hosts("uptime.seconds>0")).containsExactlyInAnyOrderElementsOf(agents.stream().map(Agent::hostId).toList());
        assertThat(hosts("mem.used_bytes>=1,load.1m>=0")).hasSize(2);
        assertThat(hosts("load.1m>100000")).isEmpty();
        assertThat(hosts("!cpu.busy")).isEmpty();
        JsonObject listed = api.get("/api/v1/hosts?limit=10").json().getJsonArray("items").getJsonObject(0);
        assertThat(listed.getJsonObject("vitals")).isNotNull();
        // The fleet summary counts by the same selector.
        assertThat(api.get("/api/v1/fleet/summary?selector=" + encode("load.1m>100000")).json().getLong("total")).isZero();
        assertThat(api.get("/api/v1/fleet/summary?selector=" + encode("uptime.seconds>0")).json().getLong("total")).isEqualTo(2);
    }

    @Test
    @Order(2)
    void the_series_has_closed_buckets_with_min_avg_max_and_lands_in_the_day_partition() {
        String host = agents.get(0).hostId();
        await().atMost(DEADLINE).until(() -> series(host, "").size() >= 2);
        JsonObject series = api.get("/api/v1/hosts/" + host + "/vitals").json();
        assertThat(series.getString("host")).isEqualTo(host);
        assertThat(series.getString("resolution")).isEqualTo("PT2S");
        Instant previous = Instant.EPOCH;
        for (Object item : series.getJsonArray("items")) {
            JsonObject point = (JsonObject) item;
            Instant at = Instant.parse(point.getString("at"));
            assertThat(at).isAfter(previous);
            assertThat(at.toEpochMilli() % RESOLUTION.toMillis()).isZero();
            previous = at;
            // 300 ms heartbeats in 2 s buckets: at most 7 a bucket (one more if a beat was late).
            assertThat(point.getInteger("samples")).isBetween(1, 8);
            for (String name : List.of("load1m", "cpuBusy", "memUsedBytes")) {
                JsonObject range = point.getJsonObject(name);
                assertThat(range.getDouble("min")).isLessThanOrEqualTo(range.getDouble("avg"));
                assertThat(range.getDouble("avg")).isLessThanOrEqualTo(range.getDouble("max"));
            }
            assertThat(point.getJsonObject("memUsedBytes").getLong("min")).isPositive();
            assertThat(point.getLong("uptimeSeconds")).isPositive();
        }
        // since/until narrow the window; an empty window is an empty list, not an error.
        assertThat(series(host, "?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z")).isEmpty();
        assertThat(series(host, "?since=1h").size()).isGreaterThanOrEqualTo(2);

        String today = "host_vitals_" + LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        assertThat(database.count("SELECT count(*) FROM " + today)).isGreaterThanOrEqualTo(2);
        assertThat(database.count("SELECT count(*) FROM host_vitals_default")).isZero();
    }

    @Test
    @Order(3)
    void bad_input_is_a_problem_naming_the_parameter_and_an_unknown_host_is_404() {
        ApiClient.Answer since = api.get("/api/v1/hosts/" + agents.get(0).hostId() + "/vitals?since=yesterday");
        assertThat(since.status()).isEqualTo(400);
        assertThat(since.json().getString("detail")).contains("'since'");
        assertThat(api.get("/api/v1/hosts/" + agents.get(0).hostId() + "/vitals?until=soon").json().getString("detail"))
                .contains("'until'");
        assertThat(api.get("/api/v1/hosts/no-such-host/vitals").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/hosts?selector=" + encode("load.1m>>8")).status()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void two_members_writing_halves_of_one_bucket_end_with_one_merged_row() throws Exception {
        Vertx vertx = Vertx.vertx();
        Database db = Await.result(Database.open(vertx, database.url(), Duration.ofSeconds(10)));
        try {
            Clock clock = Clock.fixed(Instant.parse("2020-06-01T10:01:00Z"), ZoneId.of("UTC"));
            VitalsSeries first = new VitalsSeries(vertx, db.pool(), new SimpleMeterRegistry(), clock, Duration.ofMinutes(5));
            VitalsSeries second = new VitalsSeries(vertx, db.pool(), new SimpleMeterRegistry(), clock, Duration.ofMinutes(5));
            String host = agents.get(1).hostId();
            first.record(host, new Vitals(1.0, 1, 1, 0.2, 1_000, 50));
            first.record(host, new Vitals(3.0, 1, 1, 0.4, 3_000, 60));
            second.record(host, new Vitals(8.0, 1, 1, 0.9, 2_000, 70));
            // Not closed yet (the clock stands inside the bucket): a round writes nothing.
            assertThat(Await.result(first.flush(false))).isZero();
            assertThat(Await.result(first.stop())).isEqualTo(1);
            assertThat(Await.result(second.stop())).isEqualTo(1);

            List<VitalsPoint> points = Await.result(first.read(host, Instant.parse("2020-06-01T10:00:00Z"),
                    Instant.parse("2020-06-01T10:05:00Z")));
            assertThat(points).hasSize(1);
            VitalsPoint point = points.get(0);
            assertThat(point.at()).isEqualTo(Instant.parse("2020-06-01T10:00:00Z"));
            assertThat(point.samples()).isEqualTo(3);
            assertThat(point.load1().min().doubleValue()).isEqualTo(1.0);
            assertThat(point.load1().avg()).isEqualTo(4.0);
            assertThat(point.load1().max().doubleValue()).isEqualTo(8.0);
            assertThat(point.memUsedBytes().min().longValue()).isEqualTo(1_000);
            assertThat(point.memUsedBytes().max().longValue()).isEqualTo(3_000);
            assertThat(point.cpuBusy().avg()).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(point.uptimeSeconds()).isEqualTo(70);
        } finally {
            Await.result(db.close());
            Await.result(vertx.close());
        }
    }

    @Test
    @Order(5)
    void a_clean_stop_writes_every_heartbeat_into_the_series() {
        agents.forEach(Agent::close);
        String metrics = api.get("/metrics").body();
        double heartbeats = metrics.lines().filter(l -> l.startsWith("muster_heartbeats_received_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        member.close();
        member = null;
        long written = database.count("SELECT coalesce(sum(samples), 0) FROM host_vitals WHERE bucket > now() - interval '1 day'");
        assertThat(heartbeats).isPositive();
        assertThat(written).isEqualTo((long) heartbeats);
    }

    private List<String> hosts(String selector) {
        JsonArray items = api.get("/api/v1/hosts?selector=" + encode(selector)).json().getJsonArray("items");
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(((JsonObject) item).getString("id")));
        return ids;
    }

    private JsonArray series(String host, String query) {
        return api.get("/api/v1/hosts/" + host + "/vitals" + query).json().getJsonArray("items");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
