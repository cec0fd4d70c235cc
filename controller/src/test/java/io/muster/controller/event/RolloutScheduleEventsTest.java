package io.muster.controller.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.dispatch.Members;
import io.muster.controller.store.Await;
import io.muster.controller.store.Inventories;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollout and schedule transitions are events of their own (migration V17_2), written with the
 * state change: rollouts over simulated agents and schedules driven through the REST API of a
 * real member, their events read back from {@code GET /api/v1/events} in order per subject. Then a
 * stream resumed from before what the retention kept starts with an {@code events.gap} message.
 */
class RolloutScheduleEventsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int HOSTS = 8;

    @TempDir
    Path temp;

    private Members members;
    private FleetSimulator simulator;

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
        if (members != null) {
            members.close();
        }
    }

    @Test
    void rolloutWavesApprovalPauseHaltAbortAndScheduleTicks_areEventsInOrderPerSubject() throws Exception {
        members = new Members(temp, 1);
        Controller member = members.members.get(0);
        ApiClient api = TestTokens.adminClient(member);
        String failing = FleetSimulator.hostId("rse-", 13, 5);
        simulator = FleetSimulator.start(new SimulatorConfig(members.grpcAddresses(), HOSTS, 13, 100, Members.HEARTBEAT,
                500, Duration.ofMillis(300), "rse-"), (hostId, facts) -> hostId.equals(failing));
        await().atMost(DEADLINE).until(() -> simulator.connectedCount() == HOSTS && members.targetable(HOSTS));

        // A manual canary of 2, then waves of 3: approval is a resume from waiting_approval.
        String canaried = start(api, exec(new JsonObject().put("selector", "hostname~*"),
                new JsonObject().put("waves", new JsonArray().add(3)).put("maxFailures", 1)
                        .put("canary", new JsonObject().put("hosts", 2).put("approval", "manual"))));
        awaitState(api, canaried, "waiting_approval");
        assertThat(api.post("/api/v1/rollouts/" + canaried + "/resume", "").status()).isEqualTo(200);
        awaitState(api, canaried, "succeeded");

        // One host at a time, paused and resumed by a person, then aborted.
        String windowed = start(api, exec(new JsonObject().put("selector", "hostname~*"), new JsonObject().put("window", 1)));
        await().atMost(DEADLINE).until(() -> rollout(api, windowed).getJsonObject("counts").getInteger("succeeded") >= 1);
        assertThat(api.post("/api/v1/rollouts/" + windowed + "/pause", "").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/rollouts/" + windowed + "/resume", "").status()).isEqualTo(200);
        await().atMost(DEADLINE).until(() -> rollout(api, windowed).getJsonObject("counts").getInteger("succeeded") >= 3);
        assertThat(api.post("/api/v1/rollouts/" + windowed + "/abort", "").status()).isEqualTo(200);

        // The failing host alone with no failure budget: halted by its owner, then aborted.
        String halting = start(api, exec(new JsonObject().put("hosts", new JsonArray().add(failing)),
                new JsonObject().put("waves", new JsonArray().add(1)).put("maxFailures", 0)));
        awaitState(api, halting, "halted");
        assertThat(api.post("/api/v1/rollouts/" + halting + "/abort", "").status()).isEqualTo(200);

        // Schedules: one whose runs never finish (a host row without an agent) so forbid skips its
        // later ticks; one whose target matches no host, so every tick fails.
        Await.result(member.hosts().connected("rse-ghost", null, "0.1.0", "boot"));
        Await.result(member.hosts().saveInventory("rse-ghost", Inventories.sample("rse-ghost", "dz")));
        String forbid = schedule(api, "rse-forbid", new JsonObject().put("hosts", new JsonArray().add("rse-ghost")));
        String nothing = schedule(api, "rse-nothing", new JsonObject().put("selector", "role=nothing-at-all"));
        await().atMost(DEADLINE).until(() -> members.database.count("SELECT count(*) FROM schedule_firings WHERE schedule_id = '"
                + forbid + "' AND outcome = 'skipped'") >= 1 && members.database.count("SELECT count(*) FROM schedule_firings "
                + "WHERE schedule_id = '" + nothing + "' AND outcome = 'failed'") >= 1);
        assertThat(api.post("/api/v1/schedules/" + forbid + "/pause", "").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/schedules/" + nothing + "/pause", "").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/schedules/" + forbid + "/resume", "").status()).isEqualTo(200);
        assertThat(api.post("/api/v1/schedules/" + forbid + "/pause", "").status()).isEqualTo(200);
        // A tick claimed before the pause landed is recorded within a scan: count once the number has
        // stayed the same for a scan and a half.
        String counting = "SELECT count(*) FROM outbox WHERE type LIKE 'rollout.%' OR type LIKE 'schedule.%'";
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1_500)).until(() -> {
            long now = members.database.count(counting);
            boolean settled = now == last[0];
            last[0] = now;
            return settled;
        });
        long expected = last[0];
        List<JsonObject> events = stream(member, "rollout.*,schedule.*", (int) expected);
        assertThat(events).hasSize((int) expected);
        for (JsonObject event : events) {
            assertThat(event.getString("specversion")).isEqualTo("1.0");
            assertThat(event.getString("source")).startsWith("urn:muster:");
        }

        List<JsonObject> first = about(events, canaried);
        assertThat(types(first)).containsExactly("rollout.started", "rollout.wave.started", "rollout.awaiting_approval",
                "rollout.resumed", "rollout.wave.started", "rollout.wave.started", "rollout.succeeded");
        assertThat(first.get(0).getJsonObject("data").getInteger("total")).isEqualTo(HOSTS);
        assertThat(first.get(0).getJsonObject("data").getString("state")).isEqualTo("running");
        List<JsonObject> waves = first.stream().filter(e -> e.getString("type").equals("rollout.wave.started")).toList();
        assertThat(waves).extracting(e -> e.getJsonObject("data").getInteger("wave")).containsExactly(0, 1, 2);
        assertThat(waves).extracting(e -> e.getJsonObject("data").getInteger("hosts")).containsExactly(2, 3, 3);
        for (JsonObject wave : waves) {
            // The task the step created is readable under the id the event names.
            assertThat(api.get("/api/v1/tasks/" + wave.getJsonObject("data").getString("task")).status()).isEqualTo(200);
        }
        JsonObject approval = first.get(2).getJsonObject("data");
        assertThat(approval.getString("previous")).isEqualTo("running");
        assertThat(approval.getString("reason")).contains("canary");
        assertThat(first.get(3).getJsonObject("data").getString("previous")).isEqualTo("waiting_approval");
        assertThat(first.get(3).getJsonObject("data").getBoolean("approved")).isTrue();
        assertThat(first.get(6).getJsonObject("data").getString("finishedAt")).isNotNull();

        List<JsonObject> second = about(events, windowed);
        assertThat(types(second).stream().filter(t -> !t.startsWith("rollout.wave.")).toList())
                .containsExactly("rollout.started", "rollout.paused", "rollout.resumed", "rollout.aborted");
        List<String> steps = types(second).stream().filter(t -> t.startsWith("rollout.wave.")).toList();
        assertThat(steps.get(0)).isEqualTo("rollout.wave.started");
        assertThat(steps.subList(1, steps.size())).hasSizeGreaterThanOrEqualTo(2).containsOnly("rollout.wave.extended");
        assertThat(second.get(second.size() - 1).getJsonObject("data").getString("reason")).isEqualTo("aborted by request");

        List<JsonObject> third = about(events, halting);
        assertThat(types(third)).containsExactly("rollout.started", "rollout.wave.started", "rollout.halted", "rollout.aborted");
        assertThat(third.get(2).getJsonObject("data").getString("reason")).contains("failure budget exceeded");
        assertThat(third.get(3).getJsonObject("data").getString("previous")).isEqualTo("halted");

        // Per schedule: exactly one event per handled tick (with the tick's outcome), then the pauses.
        List<JsonObject> skipping = about(events, forbid);
        long firings = members.database.count("SELECT count(*) FROM schedule_firings WHERE schedule_id = '" + forbid + "'");
        List<String> forbidTypes = types(skipping);
        assertThat(forbidTypes.stream().filter(t -> t.equals("schedule.fired") || t.equals("schedule.skipped")).count())
                .isEqualTo(firings);
        assertThat(forbidTypes.get(0)).isEqualTo("schedule.fired");
        assertThat(forbidTypes).contains("schedule.skipped");
        assertThat(forbidTypes.stream().filter(t -> t.startsWith("schedule.paused") || t.startsWith("schedule.resumed")).toList())
                .containsExactly("schedule.paused", "schedule.resumed", "schedule.paused");
        JsonObject fired = skipping.get(0).getJsonObject("data");
        assertThat(api.get("/api/v1/tasks/" + fired.getString("task")).status()).isEqualTo(200);
        assertThat(skipping.stream().filter(e -> e.getString("type").equals("schedule.skipped")).findFirst().orElseThrow()
                .getJsonObject("data").getString("reason")).contains("concurrencyPolicy forbid");

        List<String> failingTypes = types(about(events, nothing));
        assertThat(failingTypes.get(failingTypes.size() - 1)).isEqualTo("schedule.paused");
        assertThat(failingTypes.subList(0, failingTypes.size() - 1)).isNotEmpty().containsOnly("schedule.failed");
        assertThat(about(events, nothing).get(0).getJsonObject("data").getString("reason")).contains("no host");

        // The retention deletes the oldest published events (the relay's expiry is such a DELETE): a
        // stream resumed from before them starts by saying what it missed, then goes on.
        List<String[]> before = messages(member, "rollout.*", "0.0", 4);
        String lastDeleted = before.get(2)[0];
        members.database.execute("DELETE FROM outbox WHERE (tx, id) <= (" + lastDeleted.replace('.', ',') + ")");
        List<String[]> resumed = messages(member, "rollout.*", before.get(0)[0], 2);
        assertThat(resumed.get(0)[0]).isNull();
        assertThat(resumed.get(0)[1]).isEqualTo("events.gap");
        JsonObject gap = new JsonObject(resumed.get(0)[2]);
        assertThat(gap.getString("type")).isEqualTo("events.gap");
        assertThat(gap.getJsonObject("data").getString("after")).isEqualTo(before.get(0)[0]);
        assertThat(gap.getJsonObject("data").getString("expiredThrough")).isEqualTo(lastDeleted);
        assertThat(gap.getJsonObject("data").getString("detail")).contains("retention");
        assertThat(resumed.get(1)[0]).isEqualTo(before.get(3)[0]);
        // Resumed from a position the retention did not reach: no gap message.
        assertThat(messages(member, "rollout.*", lastDeleted, 1).get(0)[0]).isEqualTo(before.get(3)[0]);
    }

    private static JsonObject exec(JsonObject target, JsonObject strategy) {
        return new JsonObject().put("target", target).put("kind", "exec")
                .put("spec", new JsonObject().put("shell", "apply-change")).put("timeoutSeconds", 60)
                .put("strategy", strategy);
    }

    private static String start(ApiClient api, JsonObject request) {
        ApiClient.Answer created = api.post("/api/v1/rollouts", request.encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().getString("id");
    }

    private static String schedule(ApiClient api, String name, JsonObject target) {
        ApiClient.Answer created = api.post("/api/v1/schedules", new JsonObject().put("name", name).put("cron", "@every 1s")
                .put("concurrencyPolicy", "forbid")
                .put("task", new JsonObject().put("target", target).put("kind", "exec")
                        .put("spec", new JsonObject().put("command", new JsonArray().add("true"))))
                .encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().getString("id");
    }

    private static JsonObject rollout(ApiClient api, String id) {
        return api.get("/api/v1/rollouts/" + id).json();
    }

    private static void awaitState(ApiClient api, String id, String state) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> rollout(api, id).getString("state"),
                s -> s.equals(state));
    }

    private static List<JsonObject> about(List<JsonObject> events, String subject) {
        return events.stream().filter(e -> subject.equals(e.getString("subject"))).toList();
    }

    private static List<String> types(List<JsonObject> events) {
        return events.stream().map(e -> e.getString("type")).toList();
    }

    /** The first {@code count} CloudEvents of {@code GET /api/v1/events} from the beginning of the outbox. */
    private static List<JsonObject> stream(Controller member, String types, int count) throws Exception {
        return messages(member, types, "0.0", count).stream().map(m -> new JsonObject(m[2])).toList();
    }

    /** The first {@code count} messages of the stream resumed after {@code lastEventId}, as {id, event, data}. */
    private static List<String[]> messages(Controller member, String types, String lastEventId, int count) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.httpPort()
                        + "/api/v1/events?type=" + types))
                .header("Authorization", "Bearer " + TestTokens.admin(member))
                .header("Last-Event-ID", lastEventId).build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String[]> messages = new ArrayList<>();
        String[] current = new String[3];
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (messages.size() < count && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id: ")) {
                    current[0] = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    current[1] = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    current[2] = line.substring(6);
                } else if (line.isEmpty() && current[2] != null) {
                    messages.add(current);
                    current = new String[3];
                }
            }
        }
        return messages;
    }
}
