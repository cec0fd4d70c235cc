package io.muster.controller.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.Await;
import io.muster.controller.store.Inventories;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 11: a host reports its own facts, so a scope must rest on labels only the controller
 * sets ({@code muster.io/...}). A host whose agent claims {@code team=blue} and
 * {@code muster.io/team=blue} as facts stays outside the scope {@code muster.io/team=blue}; a scope
 * over any other key is refused; a scoped token cannot move hosts between scopes by relabelling.
 */
class ControllerOwnedLabelsTest {

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("c"), List.of(), 0,
                "127.0.0.1", "owned-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        admin = TestTokens.adminClient(controller);
        database.execute("INSERT INTO hosts (id, hostname, labels, state) VALUES "
                + "('blue-1', 'blue-1', '{\"muster.io/team\":\"blue\"}', 'offline'), "
                + "('claimer', 'claimer', '{}', 'offline')");
        // What the gateway stores when an agent sends its inventory: here the agent claims the team.
        Await.result(controller.hosts().saveInventory("claimer", Inventories.sample("claimer", "d1").toBuilder()
                .putFacts("team", Inventories.text("blue"))
                .putFacts("muster.io/team", Inventories.text("blue"))
                .build()));
    }

    @AfterAll
    static void stop() {
        controller.close();
        database.close();
    }

    private static List<String> ids(JsonObject page) {
        List<String> ids = new ArrayList<>();
        page.getJsonArray("items").forEach(item -> ids.add(((JsonObject) item).getString("id")));
        return ids;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static ApiClient scoped(String scope) {
        ApiClient.Answer created = admin.post("/api/v1/tokens", new JsonObject().put("name", "blue team")
                .put("role", "operator").put("scope", scope).put("expiresInSeconds", 600).encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return admin.withToken(created.json().getString("token"));
    }

    @Test
    void hostClaimingTheTeamAsAFact_staysOutsideTheScope_andOutsideOwnedSelectors() {
        JsonObject claimer = admin.get("/api/v1/hosts/claimer").json();
        assertThat(claimer.getJsonObject("facts").getString("team")).isEqualTo("blue");
        assertThat(claimer.getJsonObject("facts").containsKey("muster.io/team")).isFalse();

        ApiClient blue = scoped("muster.io/team=blue");
        assertThat(ids(blue.get("/api/v1/hosts").json())).containsExactly("blue-1");
        assertThat(blue.get("/api/v1/hosts/claimer").status()).isEqualTo(404);
        ApiClient.Answer task = blue.post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add("claimer")))
                .put("kind", "exec").put("spec", new JsonObject().put("command", new JsonArray().add("true"))).encode());
        assertThat(task.status()).isEqualTo(403);

        // Any caller's selector over the owned key reads labels only, in SQL ...
        assertThat(ids(admin.get("/api/v1/hosts?selector=" + encode("muster.io/team=blue")).json()))
                .containsExactly("blue-1");
        // ... while the plain key still finds what hosts report about themselves.
        assertThat(ids(admin.get("/api/v1/hosts?selector=" + encode("team=blue")).json())).containsExactly("claimer");
    }

    @Test
    void scopeOverAKeyAnAgentReports_is400NamingTheField() {
        for (String scope : List.of("team=blue", "muster.io/team=blue,hostname~*", "!maintenance")) {
            ApiClient.Answer refused = admin.post("/api/v1/tokens", new JsonObject().put("name", "bad")
                    .put("role", "viewer").put("scope", scope).encode());
            assertThat(refused.status()).as(scope).isEqualTo(400);
            assertThat(refused.json().getString("type")).isEqualTo("urn:muster:problem:invalid-scope");
            assertThat(refused.json().getString("field")).isEqualTo("scope");
            assertThat(refused.json().getString("detail")).contains("muster.io/");
        }
        // The service refuses it too, whatever interface asks.
        assertThat(controller.security().tokens().create("bad", Role.VIEWER,
                io.muster.scheduler.selector.Selector.parse("team=blue"), null, "test")
                .toCompletionStage().toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void scopedTokenKeepsControllerOwnedLabels_unscopedOperatorMayChangeThem() {
        ApiClient blue = scoped("muster.io/team=blue");
        ApiClient.Answer move = blue.put("/api/v1/hosts/blue-1/labels", "{\"muster.io/team\":\"red\"}");
        assertThat(move.status()).isEqualTo(403);
        assertThat(move.json().getString("type")).isEqualTo("urn:muster:problem:controller-owned-labels");
        assertThat(blue.put("/api/v1/hosts/blue-1/labels", "{\"note\":\"x\"}").status()).isEqualTo(403);
        assertThat(blue.put("/api/v1/hosts/blue-1/labels", "{\"muster.io/team\":\"blue\",\"note\":\"x\"}").status())
                .isEqualTo(200);
        assertThat(admin.get("/api/v1/hosts/blue-1").json().getJsonObject("labels").getMap())
                .isEqualTo(Map.of("muster.io/team", "blue", "note", "x"));

        assertThat(admin.put("/api/v1/hosts/claimer/labels", "{\"muster.io/team\":\"blue\"}").status()).isEqualTo(200);
        assertThat(blue.get("/api/v1/hosts/claimer").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/hosts/claimer/labels", "{}").status()).isEqualTo(200);
    }
}
