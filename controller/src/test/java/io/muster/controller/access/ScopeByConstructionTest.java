package io.muster.controller.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.InterfaceFixture;
import io.muster.controller.store.Await;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scope holds on paths and fields no regex anticipated: a trailing slash is the same operation
 * with the same rule (finding 1), artifacts used fleet-wide are published only by unscoped admins
 * (finding 9), and a host in scope does not show the runs of tasks the caller may not see
 * (finding 10). Raw HTTP on a real controller (h-0, h-1 muster.io/team=payments; h-2, h-3 muster.io/team=search).
 */
class ScopeByConstructionTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String EXEC = "\"kind\":\"exec\",\"spec\":{\"command\":[\"true\"]},\"timeoutSeconds\":30";

    @TempDir
    static Path temp;
    private static InterfaceFixture fixture;
    private static String paymentsViewer;
    private static String paymentsAdmin;

    @BeforeAll
    static void start() {
        fixture = new InterfaceFixture(temp.resolve("controller"));
        paymentsViewer = Await.result(fixture.tokens.create("payments viewer", Role.VIEWER, Selector.parse("muster.io/team=payments"),
                null, "test")).token();
        paymentsAdmin = Await.result(fixture.tokens.create("payments admin", Role.ADMIN, Selector.parse("muster.io/team=payments"),
                null, "test")).token();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.controller.httpPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> hostIds(HttpResponse<String> response) {
        List<String> ids = new ArrayList<>();
        JsonArray items = new JsonObject(response.body()).getJsonArray("items");
        for (int i = 0; i < items.size(); i++) {
            ids.add(items.getJsonObject(i).getString("id"));
        }
        return ids;
    }

    @Test
    void trailingSlash_listsOnlyTheScope_andCreatesNothingOutsideIt() {
        HttpResponse<String> listing = send("GET", "/api/v1/hosts/", paymentsViewer, null);
        assertThat(listing.statusCode()).isEqualTo(200);
        assertThat(hostIds(listing)).containsExactlyInAnyOrder("h-0", "h-1");

        HttpResponse<String> outsideHost = send("GET", "/api/v1/hosts/h-2/", paymentsViewer, null);
        assertThat(outsideHost.statusCode()).isEqualTo(404);

        String task = "{\"target\":{\"hosts\":[\"h-0\",\"h-2\"]}," + EXEC + "}";
        HttpResponse<String> created = send("POST", "/api/v1/tasks/", fixture.paymentsToken, task);
        assertThat(created.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(created.body()).getInteger("count")).isEqualTo(1);
        HttpResponse<String> bySelector = send("POST", "/api/v1/tasks/", fixture.paymentsToken,
                "{\"target\":{\"selector\":\"muster.io/team in (payments,search)\"}," + EXEC + "}");
        assertThat(bySelector.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(bySelector.body()).getInteger("count")).isEqualTo(2);
    }

    @Test
    void scopedAdmin_cannotPublishImagesOrAgentBuilds_unscopedAdminCan() {
        assertThat(send("POST", "/api/v1/images", paymentsAdmin, "image bytes").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/agent-builds?version=9.9.9", paymentsAdmin, "jar bytes").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/images", fixture.adminToken, "image bytes").statusCode()).isEqualTo(201);
    }

    @Test
    void graphQlHostRuns_hidesRunsOfTasksTheCallerMayNotSee() {
        HttpResponse<String> created = send("POST", "/api/v1/tasks", fixture.adminToken,
                "{\"target\":{\"hosts\":[\"h-1\",\"h-3\"]}," + EXEC + "}");
        assertThat(created.statusCode()).isEqualTo(201);
        String taskId = new JsonObject(created.body()).getString("id");
        String query = new JsonObject().put("query", "{ host(id: \"h-1\") { id runs { taskId } } }").encode();

        JsonObject admin = new JsonObject(send("POST", "/graphql", fixture.adminToken, query).body());
        assertThat(admin.getJsonObject("data").getJsonObject("host").getJsonArray("runs").getJsonObject(0).getString("taskId"))
                .isEqualTo(taskId);
        JsonObject scoped = new JsonObject(send("POST", "/graphql", paymentsViewer, query).body());
        assertThat(scoped.getJsonObject("data").getJsonObject("host").getString("id")).isEqualTo("h-1");
        assertThat(scoped.getJsonObject("data").getJsonObject("host").getJsonArray("runs")).isEmpty();
    }
}
