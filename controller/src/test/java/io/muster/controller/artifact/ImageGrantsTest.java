package io.muster.controller.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which container loads get a download grant as a task secret, and what it looks like. */
class ImageGrantsTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private final List<String> granted = new ArrayList<>();
    private final List<Duration> lifetimes = new ArrayList<>();
    private final ImageGrants grants = new ImageGrants(
            () -> Future.<Collection<String>>succeededFuture(List.of("ctl1.example:8080", "ctl2.example:9090")),
            (digest, taskId, lifetime) -> {
                granted.add(digest);
                lifetimes.add(lifetime);
                return Future.succeededFuture("tok-" + granted.size());
            });

    private static TaskRequest load(String url, JsonObject headers) {
        JsonObject spec = new JsonObject().put("action", "load").put("url", url).put("digest", DIGEST);
        if (headers != null) {
            spec.put("headers", headers);
        }
        return new TaskRequest(new TaskTarget.ByHosts(List.of("h1")), TaskKind.CONTAINER, spec, 120, false);
    }

    private TaskRequest issue(TaskRequest request) {
        return grants.issue(UUID.randomUUID(), request).result();
    }

    @Test
    void loadFromAMemberOfThisCluster_getsABearerGrantAsASecret_keepingItsOwnHeaders() {
        TaskRequest request = load("http://ctl2.example:9090/api/v1/images/" + DIGEST, new JsonObject().put("X-Trace", "1"));

        TaskRequest issued = issue(request);

        assertThat(issued.secrets()).isEqualTo(new JsonObject().put("headers",
                new JsonObject().put("X-Trace", "1").put("Authorization", "Bearer tok-1")));
        assertThat(issued.spec()).isEqualTo(request.spec());
        assertThat(issued.spec().encode()).doesNotContain("tok-1");
        assertThat(granted).containsExactly(DIGEST);
        assertThat(lifetimes).containsExactly(ImageGrants.GRANT_LIFETIME);
    }

    @Test
    void loopbackIsNotAMember_evenOnTheMembersPort() {
        // A listener on the agent's own 127.0.0.1 would receive the grant: only advertised addresses are members.
        for (String url : List.of("http://127.0.0.1:8080/api/v1/images/" + DIGEST, "http://localhost:8080/api/v1/images/" + DIGEST,
                "http://[::1]:8080/api/v1/images/" + DIGEST)) {
            TaskRequest request = load(url, null);
            assertThat(issue(request)).as(url).isSameAs(request);
        }
        assertThat(granted).isEmpty();
    }

    @Test
    void otherHostsPathsKindsAndOwnAuthorization_getNothing() {
        List<TaskRequest> untouched = List.of(
                load("http://registry.example:8080/api/v1/images/" + DIGEST, null),
                load("http://127.0.0.1:9999/api/v1/images/" + DIGEST, null),
                load("http://ctl1.example:8080/api/v1/agent-builds/1.0/download", null),
                load("http://ctl1.example:8080/api/v1/images/sha256:short", null),
                load("ftp://ctl1.example:8080/api/v1/images/" + DIGEST, null),
                load("not a url", null),
                load("http://ctl1.example:8080/api/v1/images/" + DIGEST, new JsonObject().put("authorization", "Bearer mine")),
                new TaskRequest(new TaskTarget.ByHosts(List.of("h1")), TaskKind.CONTAINER,
                        new JsonObject().put("action", "pull").put("image", "busybox"), 60, false),
                new TaskRequest(new TaskTarget.ByHosts(List.of("h1")), TaskKind.EXEC,
                        new JsonObject().put("command", List.of("true")), 60, false));

        for (TaskRequest request : untouched) {
            assertThat(issue(request)).as(request.spec().encode()).isSameAs(request);
        }
        assertThat(granted).isEmpty();
    }

    @Test
    void aGrantThatCannotBeIssued_failsTheRequest() {
        ImageGrants failing = new ImageGrants(() -> Future.<Collection<String>>succeededFuture(List.of("ctl1.example:8080")),
                (digest, taskId, lifetime) -> Future.failedFuture(new IllegalStateException("token store down")));

        Future<TaskRequest> issued = failing.issue(UUID.randomUUID(), load("http://ctl1.example:8080/api/v1/images/" + DIGEST, null));

        assertThat(issued.failed()).isTrue();
        assertThat(issued.cause()).hasMessage("token store down");
    }
}
