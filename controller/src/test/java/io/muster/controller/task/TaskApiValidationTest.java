package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.store.DatabaseUrl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed task request gets a 400 problem that says what is wrong, and writes nothing. */
class TaskApiValidationTest {

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static TaskHttp http;

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp, List.of(), 0, "127.0.0.1",
                "validation-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        database.execute("INSERT INTO hosts (id, hostname, labels, facts, state) SELECT 'v-' || i, 'v-' || i, "
                + "jsonb_build_object('role', 'web'), jsonb_build_object('hostname', 'v-' || i), 'offline' "
                + "FROM generate_series(1, 5) i");
        http = new TaskHttp(controller);
    }

    @AfterAll
    static void stop() {
        controller.close();
        database.close();
    }

    private static long rows(String table) {
        DatabaseUrl url = DatabaseUrl.parse(database.url());
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject valid() {
        return new JsonObject()
                .put("target", new JsonObject().put("selector", "role=web"))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray().add("uptime")));
    }

    /** Posts the body and checks: 400, a problem body whose detail contains {@code says}, no row written. */
    private static JsonObject refused(String body, String says) {
        long tasks = rows("tasks");
        long runs = rows("runs");
        TaskHttp.Response response = http.post("/api/v1/tasks", body);
        assertThat(response.status()).as(body).isEqualTo(400);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        JsonObject problem = response.json();
        assertThat(problem.getString("type")).isEqualTo("urn:muster:problem:invalid-task");
        assertThat(problem.getInteger("status")).isEqualTo(400);
        assertThat(problem.getString("instance")).isEqualTo("/api/v1/tasks");
        assertThat(problem.getString("detail")).contains(says);
        assertThat(rows("tasks")).isEqualTo(tasks);
        assertThat(rows("runs")).isEqualTo(runs);
        return problem;
    }

    @Test
    void badInputMatrix_400WithAProblemBody_andNothingWritten() {
        refused(valid().put("kind", "teleport").encode(), "unknown kind 'teleport'");
        JsonObject selector = refused(valid().put("target", new JsonObject().put("selector", "role in (web")).encode(),
                "malformed selector at column 13");
        assertThat(selector.getInteger("column")).isEqualTo(13);
        refused(valid().put("target", new JsonObject()).encode(), "'target' is empty");
        refused(valid().put("target", new JsonObject().put("hosts", new JsonArray())).encode(), "'target.hosts' is empty");
        refused(valid().put("target", new JsonObject().put("selector", "role=db")).encode(),
                "the selector 'role=db' matches no host");
        refused(valid().put("target", new JsonObject().put("hosts", new JsonArray().add("v-1").add("ghost"))).encode(),
                "1 of the target hosts are not known: ghost");
        refused(valid().put("spec", new JsonObject().put("shell", "x".repeat(65 * 1024))).encode(),
                "the limit is 65536");
        refused(valid().put("timeoutSeconds", -5).encode(), "got -5");
        refused(valid().put("timeoutSeconds", 99_999_999).encode(), "got 99999999");
        refused(valid().put("timeoutSeconds", "soon").encode(), "whole number");
        refused(valid().put("dryRun", 1).encode(), "'dryRun' must be true or false");
        refused(valid().put("spec", new JsonArray().add("uptime")).encode(), "'spec' must be a JSON object");
        refused(valid().put("spec", new JsonObject().put("command", "uptime")).encode(), "spec.command");
        refused(valid().put("kind", "config").encode(), "resources");
        refused(valid().put("kind", "container").encode(), "action");
        refused("{\"kind\": ", "not valid JSON");
        refused("[]", "must be a JSON object");
    }

    @Test
    void validRequestIsAcceptedAfterTheRunsAreWritten() {
        long runs = rows("runs");
        TaskHttp.Response response = http.post("/api/v1/tasks", valid().encode());
        assertThat(response.status()).isEqualTo(201);
        String id = response.json().getString("id");
        assertThat(response.json().getInteger("total")).isEqualTo(5);
        assertThat(rows("runs")).isEqualTo(runs + 5);
        JsonObject task = http.task(id);
        assertThat(task.getString("state")).isEqualTo("pending");
        assertThat(task.getJsonObject("counts").getInteger("pending")).isEqualTo(5);
        assertThat(task.getString("kind")).isEqualTo("exec");
        assertThat(task.getInteger("timeoutSeconds")).isEqualTo(300);
        assertThat(task.getBoolean("dryRun")).isFalse();
        assertThat(task.getString("createdAt")).isNotNull();
        JsonObject listed = http.get("/api/v1/tasks?limit=1").json();
        assertThat(listed.getJsonArray("items").getJsonObject(0).getString("id")).isEqualTo(id);
        assertThat(http.get("/api/v1/tasks/" + id + "/runs?state=pending&limit=2").json().getString("next")).isNotNull();
    }

    @Test
    void unknownTasksAnd_badQueryParameters() {
        String unknown = UUID.randomUUID().toString();
        for (String path : List.of("/api/v1/tasks/" + unknown, "/api/v1/tasks/" + unknown + "/runs",
                "/api/v1/tasks/" + unknown + "/events", "/api/v1/tasks/not-a-uuid")) {
            TaskHttp.Response response = http.get(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.json().getString("type")).isEqualTo("urn:muster:problem:task-not-found");
        }
        String id = http.create(valid());
        assertThat(http.get("/api/v1/tasks/" + id + "/runs?state=sleeping").json().getString("detail"))
                .contains("state must be one of");
        assertThat(http.get("/api/v1/tasks/" + id + "/runs?limit=0").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/tasks?cursor=%21%21").json().getString("detail"))
                .contains("not a cursor this API gave out");
    }
}
