package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.agent.Agent;
import io.muster.controller.api.ApiClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What the multi-member fault tests ask a member over its HTTP API: the cluster it sees, tasks
 * submitted to it, their runs, and whether its sessions map names the member each agent is on.
 */
final class ClusterProbe {

    private ClusterProbe() {
    }

    /** Members in the cluster this member sees; -1 when it does not answer. */
    static int clusterSize(ApiClient api) {
        ApiClient.Answer answer = api.get("/api/v1/cluster");
        if (answer.status() != 200) {
            return -1;
        }
        JsonArray members = new JsonObject(answer.body()).getJsonArray("members");
        return members == null ? 0 : members.size();
    }

    /** Agent sessions the answering member itself holds (its live count); -1 when it does not answer. */
    static long localSessions(ApiClient api) {
        ApiClient.Answer answer = api.get("/api/v1/cluster");
        if (answer.status() != 200) {
            return -1;
        }
        JsonArray members = new JsonObject(answer.body()).getJsonArray("members");
        for (int i = 0; i < members.size(); i++) {
            JsonObject member = members.getJsonObject(i);
            if (member.getBoolean("local", false)) {
                return member.getLong("connectedAgents");
            }
        }
        return -1;
    }

    /** Submits an exec task of {@code script} to {@code hosts}; returns its id (201 asserted). */
    static String submit(ApiClient api, JsonArray hosts, String script) {
        ApiClient.Answer accepted = api.post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", hosts))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", script))
                .put("timeoutSeconds", 120).encode());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
        return new JsonObject(accepted.body()).getString("id");
    }

    static boolean allSucceeded(ApiClient api, String taskId) {
        List<JsonObject> runs = runs(api, taskId);
        return !runs.isEmpty() && runs.stream().allMatch(r -> "succeeded".equals(r.getString("state")));
    }

    /** Whether the runs of {@code taskId} on these hosts all succeeded. */
    static boolean succeededOn(ApiClient api, String taskId, Collection<String> hostIds) {
        List<JsonObject> runs = runs(api, taskId).stream().filter(r -> hostIds.contains(r.getString("hostId"))).toList();
        return runs.size() == hostIds.size() && runs.stream().allMatch(r -> "succeeded".equals(r.getString("state")));
    }

    static List<JsonObject> runs(ApiClient api, String taskId) {
        ApiClient.Answer answer = api.get("/api/v1/tasks/" + taskId + "/runs?limit=1000");
        List<JsonObject> runs = new ArrayList<>();
        if (answer.status() == 200) {
            JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                runs.add(items.getJsonObject(i));
            }
        }
        return runs;
    }

    /** Whether this member's view of the sessions map ({@code connectedTo}) names the member each agent is on. */
    static boolean sessionsMapAgrees(ApiClient api, List<Agent> agents) {
        for (Agent agent : agents) {
            ApiClient.Answer answer = api.get("/api/v1/hosts/" + agent.hostId());
            // memberId is null while the agent is between connections: not agreeing yet, not an error.
            String memberId = agent.session().memberId();
            if (answer.status() != 200 || memberId == null
                    || !memberId.equals(new JsonObject(answer.body()).getString("connectedTo"))) {
                return false;
            }
        }
        return true;
    }
}
