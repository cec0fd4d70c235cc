package io.muster.controller.task;

import io.muster.controller.Controller;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.vertx.core.json.JsonObject;

/**
 * The task API of one member as an admin sees it (test helper): goes through the suite's shared
 * {@link ApiClient}, so every call carries a bearer token and is held against the OpenAPI document.
 */
final class TaskHttp {

    record Response(int status, String contentType, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final ApiClient api;

    TaskHttp(Controller controller) {
        this.api = TestTokens.adminClient(controller);
    }

    Response get(String path) {
        return response(api.get(path));
    }

    Response post(String path, String body) {
        return response(api.post(path, body));
    }

    /** Creates a task and returns its id (fails the test unless the answer is 201). */
    String create(JsonObject request) {
        Response response = post("/api/v1/tasks", request.encode());
        if (response.status() != 201) {
            throw new AssertionError("task not created: " + response.status() + " " + response.body());
        }
        return response.json().getString("id");
    }

    JsonObject task(String id) {
        return get("/api/v1/tasks/" + id).json();
    }

    JsonObject runs(String id) {
        return get("/api/v1/tasks/" + id + "/runs?limit=1000").json();
    }

    private static Response response(ApiClient.Answer answer) {
        return new Response(answer.status(), answer.contentType(), answer.body());
    }
}
