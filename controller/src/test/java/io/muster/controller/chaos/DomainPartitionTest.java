package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.task.RunSweeper;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: most hosts of one failure domain go silent together. Three simulator processes: five
 * agents labelled {@code dc=ldn1}, three labelled {@code dc=nyc2}, and one more {@code dc=nyc2}
 * alone. A task runs on all nine when the ldn1 process and the lone nyc2 agent are stopped
 * (SIGSTOP: traffic stops, sockets stay open). The lone host is a dead host: its run is
 * {@code host_lost} after the deadline. ldn1 is a partition: one {@code fleet.domain_partitioned}
 * event naming it, none of its runs {@code host_lost} or timed out however long it is away; on
 * SIGCONT its runs finish normally and one {@code fleet.domain_restored} event follows.
 */
class DomainPartitionTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration HOST_LOST_AFTER = Duration.ofSeconds(4);
    private static final Duration CUT_OFF = Duration.ofSeconds(12);

    @TempDir
    Path temp;

    private TestDatabase db;
    private Controller controller;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        if (controller != null) {
            controller.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void mostHostsOfOneDcSilentTogether_notHostLost_oneFleetEvent_runsFinishWhenTheyReturn() throws Exception {
        db = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("controller"),
                        List.of(), 0, "127.0.0.1", "domain-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT),
                new RunSweeper.Settings(HOST_LOST_AFTER, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        ApiClient api = TestTokens.adminClient(controller);
        Simulators ldn = Simulators.start(controller, 5, 1, "ldn1-");
        Simulators nyc = Simulators.start(controller, 3, 2, "nyc2-");
        Simulators lone = Simulators.start(controller, 1, 3, "nyc2-lone-");
        processes.addAll(List.of(ldn.process, nyc.process, lone.process));
        List<String> all = new ArrayList<>();
        all.addAll(ldn.hosts);
        all.addAll(nyc.hosts);
        all.addAll(lone.hosts);
        await().atMost(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(h -> controller.sessions().find(h).isPresent()));
        label(api, ldn.hosts, "ldn1");
        label(api, nyc.hosts, "nyc2");
        label(api, lone.hosts, "nyc2");

        // Each simulated run takes 3 s; the task's timeout (5 s) passes while ldn1 is away.
        JsonArray targets = new JsonArray();
        all.forEach(targets::add);
        ApiClient.Answer accepted = api.post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", targets))
                .put("kind", "exec").put("spec", new JsonObject().put("shell", "true"))
                .put("timeoutSeconds", 5).encode());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
        String taskId = new JsonObject(accepted.body()).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> states(api, taskId).values().stream()
                .allMatch(s -> s.equals("running")));

        ldn.signal("-STOP");
        lone.signal("-STOP");
        long cut = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> "host_lost".equals(states(api, taskId).get(lone.hosts.get(0))));
        await().atMost(Duration.ofSeconds(30)).until(() -> events("fleet.domain_partitioned", "dc=ldn1") == 1);
        Duration detected = Duration.ofNanos(System.nanoTime() - cut);
        await().atMost(Duration.ofSeconds(30)).until(() -> nyc.hosts.stream()
                .allMatch(h -> "succeeded".equals(states(api, taskId).get(h))));
        // For the rest of the cut, every ldn1 run stays running: none host_lost, none timed out.
        Duration left = CUT_OFF.minus(Duration.ofNanos(System.nanoTime() - cut));
        if (!left.isNegative() && !left.isZero()) {
            await().during(left).atMost(left.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(states(api, taskId)).as("runs of the cut-off hosts")
                            .containsAllEntriesOf(ldn.hosts.stream().collect(Collectors.toMap(h -> h, h -> "running"))));
        }
        assertThat(events("fleet.domain_partitioned", null)).as("one fleet event, naming ldn1 only").isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM hosts WHERE state = 'offline'")).isEqualTo(6);

        ldn.signal("-CONT");
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> ldn.hosts.stream()
                .allMatch(h -> "succeeded".equals(states(api, taskId).get(h))));
        Duration recovered = Duration.ofNanos(System.nanoTime() - back);
        await().atMost(Duration.ofSeconds(30)).until(() -> events("fleet.domain_restored", "dc=ldn1") == 1);
        System.out.printf("dc ldn1 cut off for %d ms: held as partitioned %d ms after the cut (the lone dead host's run"
                        + " host_lost by then); every ldn1 run succeeded %d ms after the hosts returned%n",
                Duration.ofNanos(back - cut).toMillis(), detected.toMillis(), recovered.toMillis());

        Map<String, String> after = states(api, taskId);
        assertThat(after).as("0 runs lost: every run has its row").hasSize(all.size());
        assertThat(after.values().stream().filter("host_lost"::equals).count()).as("only the lone dead host").isEqualTo(1);
        assertThat(ldn.twice()).as("0 runs executed twice").isZero();
        assertThat(nyc.twice()).isZero();
        assertThat(db.count("SELECT count(*) FROM partitioned_domains WHERE restored_at IS NULL")).isZero();
        assertThat(events("fleet.domain_partitioned", null)).isEqualTo(1);
    }

    private long events(String type, String subject) {
        return db.count("SELECT count(*) FROM outbox WHERE type = '" + type + "'"
                + (subject == null ? "" : " AND subject = '" + subject + "'"));
    }

    private static void label(ApiClient api, List<String> hosts, String dc) {
        for (String host : hosts) {
            ApiClient.Answer answer = api.put("/api/v1/hosts/" + host + "/labels", new JsonObject().put("dc", dc).encode());
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        }
    }

    private static Map<String, String> states(ApiClient api, String taskId) {
        ApiClient.Answer answer = api.get("/api/v1/tasks/" + taskId + "/runs?limit=1000");
        Map<String, String> states = new HashMap<>();
        if (answer.status() == 200) {
            JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                states.put(items.getJsonObject(i).getString("hostId"), items.getJsonObject(i).getString("state"));
            }
        }
        return states;
    }

    /** One {@link SimulatorProcessMain} child: its agents' host ids, signals, and its count of runs executed twice. */
    private record Simulators(Process process, List<String> hosts, BufferedReader out, PrintWriter in) {

        static Simulators start(Controller controller, int count, int seed, String prefix) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), SimulatorProcessMain.class.getName(),
                    "127.0.0.1:" + controller.grpcPort(), Integer.toString(count), Integer.toString(seed), prefix,
                    Long.toString(HEARTBEAT.toMillis()), "3000")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> hosts = new ArrayList<>();
            for (String line = out.readLine(); line != null && !line.equals("READY"); line = out.readLine()) {
                if (line.startsWith("HOST ")) {
                    hosts.add(line.substring(5).trim());
                }
            }
            assertThat(hosts).as("simulator %s started", prefix).hasSize(count);
            return new Simulators(process, hosts, out,
                    new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8));
        }

        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
        }

        int twice() throws IOException {
            in.println("twice");
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("TWICE ")) {
                    return Integer.parseInt(line.substring(6).trim());
                }
            }
            throw new IllegalStateException("the simulator ended");
        }
    }
}
