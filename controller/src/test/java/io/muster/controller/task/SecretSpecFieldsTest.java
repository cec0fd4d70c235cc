package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.Await;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 7 and the task-kind registry: the spec fields a kind declares secret (exec env,
 * container env and registry headers, config file content and command env) are redacted on every
 * path that shows a spec (task REST and GraphQL, rollouts, schedules; the outbox never carries a
 * spec), while the assignment an agent receives, read from PostgreSQL, still carries them.
 */
class SecretSpecFieldsTest {

    private static final String SECRET = "hunter2-" + UUID.randomUUID();

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("c"), List.of(), 0,
                "127.0.0.1", "secrets-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        admin = TestTokens.adminClient(controller);
        database.execute("INSERT INTO hosts (id, hostname, labels, state) VALUES "
                + "('s-1', 's-1', '{\"role\":\"vault\"}', 'offline')");
    }

    @AfterAll
    static void stop() {
        controller.close();
        database.close();
    }

    private static JsonObject target() {
        return new JsonObject().put("hosts", new JsonArray().add("s-1"));
    }

    private static JsonObject execSpec() {
        return new JsonObject().put("command", new JsonArray().add("env"))
                .put("env", new JsonObject().put("DB_PASSWORD", SECRET).put("MODE", "x"));
    }

    private static String create(String kind, JsonObject spec) {
        ApiClient.Answer created = admin.post("/api/v1/tasks", new JsonObject().put("target", target()).put("kind", kind)
                .put("spec", spec).put("timeoutSeconds", 60).encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().getString("id");
    }

    @Test
    void everySecretField_isRedactedForReaders_butReachesTheAgent() {
        String exec = create("exec", execSpec());
        String config = create("config", new JsonObject().put("resources", new JsonArray()
                .add(new JsonObject().put("type", "file").put("path", "/etc/app.key").put("content", SECRET))
                .add(new JsonObject().put("type", "command").put("shell", "true")
                        .put("env", new JsonObject().put("TOKEN", SECRET)))));
        String container = create("container", new JsonObject().put("action", "load")
                .put("url", "http://127.0.0.1:1/image.tar").put("digest", "sha256:" + "0".repeat(64))
                .put("headers", new JsonObject().put("Authorization", "Bearer " + SECRET)));

        for (String id : List.of(exec, config, container)) {
            ApiClient.Answer shown = admin.get("/api/v1/tasks/" + id);
            assertThat(shown.status()).isEqualTo(200);
            assertThat(shown.body()).doesNotContain(SECRET).contains(TaskKind.REDACTED);
        }
        JsonObject execShown = admin.get("/api/v1/tasks/" + exec).json().getJsonObject("spec");
        assertThat(execShown.getJsonObject("env").getMap()).containsEntry("DB_PASSWORD", TaskKind.REDACTED)
                .containsEntry("MODE", TaskKind.REDACTED);
        assertThat(execShown.getJsonArray("command").getString(0)).isEqualTo("env");
        assertThat(admin.get("/api/v1/tasks?limit=10").body()).doesNotContain(SECRET);
        String graphql = admin.post("/graphql", new JsonObject().put("query",
                "{ task(id: \"" + exec + "\") { id spec } tasks(first: 10) { nodes { spec } } }").encode()).body();
        assertThat(graphql).contains(exec).doesNotContain(SECRET);

        // The agent's copy comes from the stored spec: the values are there.
        List<OpenRun> open = Await.result(controller.taskEngine().repository().openRuns(List.of("s-1")));
        assertThat(open).hasSize(3);
        assertThat(open).allMatch(run -> run.task().specJson().contains(SECRET));
        // Events carry no spec at all.
        assertThat(database.longs("SELECT count(*) FROM outbox WHERE data::text LIKE '%" + SECRET + "%'"))
                .containsExactly(0L);
    }

    @Test
    void rolloutsAndSchedules_showTheirSpecsRedacted() {
        ApiClient.Answer rollout = admin.post("/api/v1/rollouts", new JsonObject()
                .put("target", new JsonObject().put("selector", "role=vault"))
                .put("kind", "exec").put("spec", execSpec())
                .put("strategy", new JsonObject().put("window", 1).put("maxFailures", "50%")).encode());
        assertThat(rollout.status()).as(rollout.body()).isEqualTo(201);
        ApiClient.Answer shownRollout = admin.get("/api/v1/rollouts/" + rollout.json().getString("id"));
        assertThat(shownRollout.status()).isEqualTo(200);
        assertThat(shownRollout.body()).doesNotContain(SECRET).contains(TaskKind.REDACTED);

        ApiClient.Answer schedule = admin.post("/api/v1/schedules", new JsonObject().put("name", "nightly-secret")
                .put("cron", "0 3 * * *").put("task", new JsonObject().put("target", target()).put("kind", "exec")
                        .put("spec", execSpec())).encode());
        assertThat(schedule.status()).as(schedule.body()).isEqualTo(201);
        assertThat(schedule.body()).doesNotContain(SECRET);
        ApiClient.Answer shownSchedule = admin.get("/api/v1/schedules/" + schedule.json().getString("id"));
        assertThat(shownSchedule.body()).doesNotContain(SECRET).contains(TaskKind.REDACTED);
        assertThat(admin.get("/api/v1/schedules").body()).doesNotContain(SECRET);
    }

    @Test
    void registry_everyDeclaredSecretPathRedactsSomething_andNothingElse() {
        JsonObject exec = execSpec();
        assertThat(TaskKind.EXEC.redact(exec).getJsonObject("env").getString("DB_PASSWORD")).isEqualTo(TaskKind.REDACTED);
        assertThat(exec.getJsonObject("env").getString("DB_PASSWORD")).isEqualTo(SECRET);
        JsonObject wrongShape = new JsonObject().put("shell", "true").put("env", "not an object");
        assertThat(TaskKind.EXEC.redact(wrongShape)).isEqualTo(wrongShape);
        assertThat(TaskKind.LIFECYCLE.secretFields()).isEmpty();
        assertThat(TaskKind.LIFECYCLE.readyHostsOnly()).isFalse();
        assertThat(Arrays.stream(TaskKind.values()).filter(k -> k != TaskKind.LIFECYCLE)).allMatch(TaskKind::readyHostsOnly);
        assertThat(TaskKind.redact("no-such-kind", exec)).isEmpty();
    }

    @Test
    void openApiTaskKindEnum_isTheRegistry() throws Exception {
        JsonObject document;
        try (InputStream in = getClass().getResourceAsStream("/openapi/muster-v1.json")) {
            document = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        List<Object> documented = document.getJsonObject("components").getJsonObject("schemas")
                .getJsonObject("TaskKind").getJsonArray("enum").getList();
        assertThat(documented).containsExactlyElementsOf(Arrays.stream(TaskKind.values()).map(TaskKind::wireName).toList());
    }
}
