package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.muster.testdb.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls without a good token cost little and lose nothing, on a real controller: a made-up token
 * id reads the database once per cache time, a flood of bad tokens from one address is refused
 * 429 after the burst (audited once, counted in a metric, not queued one by one), and the audit
 * log counts every event it loses (queue full, a batch the database refused).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the flood empties 127.0.0.1's bucket: it goes last
class UnauthenticatedLimitTest {

    @TempDir
    static Path temp;
    private TestDatabase database;
    private Controller controller;
    private ApiClient admin;

    @BeforeAll
    void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "limit-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        admin = TestTokens.adminClient(controller);
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
    @Order(1)
    void madeUpTokenId_readsTheDatabaseOnce_notOncePerCall() {
        ApiClient stranger = TestTokens.client(controller, "mst_aaaaaaaaaaaa_" + "B".repeat(43));
        ApiTokens tokens = controller.security().tokens();
        long before = tokens.databaseReads();

        for (int i = 0; i < 20; i++) {
            assertThat(stranger.get("/api/v1/hosts").status()).isEqualTo(401);
        }

        assertThat(tokens.databaseReads() - before).isEqualTo(1);
    }

    @Test
    @Order(3)
    void floodOfBadTokensFromOneAddress_is429AfterTheBurst_auditedOnce_countedInTheMetric() {
        int calls = UnauthenticatedLimit.BURST + 60;
        List<ApiClient.Answer> answers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            String token = "mst_" + String.format("%012d", i) + "_" + "C".repeat(43);
            answers.add(TestTokens.client(controller, token).post("/api/v1/tasks", "{}"));
        }
        long unauthorized = answers.stream().filter(a -> a.status() == 401).count();
        List<ApiClient.Answer> limited = answers.stream().filter(a -> a.status() == 429).toList();

        assertThat(unauthorized + limited.size()).isEqualTo(calls);
        // The first test's 20 refusals may not have refilled yet.
        assertThat(unauthorized).isGreaterThanOrEqualTo(UnauthenticatedLimit.BURST - 20).isLessThan(calls);
        assertThat(limited).allSatisfy(a -> {
            assertThat(a.header("Retry-After")).isPresent();
            assertThat(new JsonObject(a.body()).getString("type")).endsWith("too-many-unauthenticated");
        });
        // A good token is not what empties the bucket: it passes again as soon as one call's worth refilled.
        await().atMost(Duration.ofSeconds(5)).until(() -> admin.get("/api/v1/hosts").status() == 200);
        Await.result(controller.security().audit().flush());
        List<JsonObject> events = admin.get("/api/v1/audit?limit=1000").json().getJsonArray("items").stream()
                .map(JsonObject.class::cast).toList();
        assertThat(events.stream().filter(e -> "POST /api/v1/tasks".equals(e.getString("action"))
                && e.getInteger("outcome") == 401).count()).isEqualTo(unauthorized);
        assertThat(events.stream().filter(e -> "rate-limit unauthenticated".equals(e.getString("action"))))
                .singleElement().satisfies(e -> assertThat(e.getString("target")).isEqualTo("address:127.0.0.1"));
        assertThat(metric("muster_api_unauthenticated_limited_total")).isGreaterThanOrEqualTo(limited.size());
    }

    @Test
    @Order(2)
    void auditLog_countsEveryEventItLoses_queueFullAndRefusedBatch() {
        Vertx vertx = Vertx.vertx();
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Database open = Await.result(Database.open(vertx, database.url()));
            AuditLog audit = new AuditLog(vertx, open.pool(), Clock.systemUTC(), registry, 50);
            // The periodic flush waits on the log's monitor: nothing leaves the queue meanwhile.
            synchronized (audit) {
                for (int i = 0; i < 50 + 7; i++) {
                    audit.record(null, null, "test flood", null, 401, null);
                }
            }
            assertThat(audit.dropped()).isEqualTo(7);
            assertThat(registry.get("muster_audit_dropped").tag("reason", "queue-full").counter().count()).isEqualTo(7);
            Await.result(audit.close());

            Database closed = Await.result(Database.open(vertx, database.url()));
            SimpleMeterRegistry failures = new SimpleMeterRegistry();
            AuditLog failing = new AuditLog(vertx, closed.pool(), Clock.systemUTC(), failures);
            Await.result(closed.close());
            failing.record(null, null, "lost", null, 200, null);
            failing.record(null, null, "lost", null, 200, null);
            Await.result(failing.close());
            assertThat(failures.get("muster_audit_dropped").tag("reason", "write-failed").counter().count()).isEqualTo(2);
            assertThat(failing.dropped()).isEqualTo(2);
            Await.result(open.close());
        } finally {
            Await.result(vertx.close());
        }
    }

    private double metric(String name) {
        String text = admin.get("/metrics").body();
        Matcher matcher = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.eE+]+)$").matcher(text);
        assertThat(matcher.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
