package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.journal.JournalHealth;
import io.muster.agent.task.TaskRunner;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent faults: the agent killed with SIGKILL in the middle of applying a configuration, its
 * journal's disk full, and its clock an hour off. (SIGKILL in the middle of an exec run is
 * {@code task.AgentProcessKillTest}.) One member; real agents, in child JVMs where they are killed.
 */
class AgentFaultsTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private TestDatabase db;
    private Controller controller;
    private ApiClient api;
    private final List<Agent> agents = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Path mounted;

    @BeforeEach
    void start() {
        db = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "agent-faults-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT));
        api = TestTokens.adminClient(controller);
    }

    @AfterEach
    void stop() throws Exception {
        agents.forEach(Agent::close);
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        if (mounted != null) {
            new ProcessBuilder("umount", "-l", mounted.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
        controller.close();
        db.close();
    }

    /**
     * SIGKILL while a config task is between two files (a command resource sleeps between them):
     * each file is whole, old or new, never half written; no temp file is left; after the restart
     * the run is failed "agent restarted" once, and the same task applied again finishes the job.
     */
    @Test
    void killedMidConfigApply_noHalfWrittenFile_runReportedOnceAsAgentRestarted() throws Exception {
        Path etc = Files.createDirectories(temp.resolve("etc"));
        Path first = etc.resolve("first.conf");
        Path second = etc.resolve("second.conf");
        String old = "old\n".repeat(10_000);
        Files.writeString(first, old);
        Files.writeString(second, old);
        String fresh = "new\n".repeat(5_000);
        Path dataDir = Files.createDirectories(temp.resolve("agent"));
        Files.writeString(dataDir.resolve("host-id"), UUID.randomUUID() + "\n");
        String hostId = startAgentProcess(dataDir);
        JsonObject config = new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "config")
                .put("spec", new JsonObject().put("resources", new JsonArray()
                        .add(new JsonObject().put("type", "file").put("path", first.toString()).put("content", fresh))
                        .add(new JsonObject().put("type", "command").put("name", "pause").put("shell", "sleep 30"))
                        .add(new JsonObject().put("type", "file").put("path", second.toString()).put("content", fresh))))
                .put("timeoutSeconds", 120);
        String taskId = submit(config);
        await().atMost(DEADLINE).until(() -> fresh.equals(Files.readString(first)));

        Process agent = processes.get(0);
        agent.descendants().forEach(ProcessHandle::destroyForcibly);
        agent.destroyForcibly();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(first)).as("the file written before the kill is whole").isEqualTo(fresh);
        assertThat(Files.readString(second)).as("the file after the kill is untouched").isEqualTo(old);
        try (Stream<Path> files = Files.list(etc)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left")
                    .containsExactlyInAnyOrder("first.conf", "second.conf");
        }

        assertThat(startAgentProcess(dataDir)).isEqualTo(hostId);
        await().atMost(DEADLINE).until(() -> "failed".equals(run(taskId).getString("state")));
        JsonObject failed = run(taskId);
        assertThat(failed.getString("reason")).isEqualTo("agent restarted");
        await().pollDelay(Duration.ofSeconds(2)).atMost(DEADLINE).until(() -> controller.sessions().find(hostId).isPresent());
        assertThat(run(taskId).getString("finishedAt")).as("reported once").isEqualTo(failed.getString("finishedAt"));
        assertThat(Files.readString(second)).as("the interrupted run was not executed again").isEqualTo(old);

        // Applied again (the pause now short), the configuration converges.
        config.getJsonObject("spec").getJsonArray("resources").getJsonObject(1).put("shell", "true");
        String again = submit(config);
        await().atMost(DEADLINE).until(() -> "succeeded".equals(run(again).getString("state")));
        assertThat(Files.readString(first)).isEqualTo(fresh);
        assertThat(Files.readString(second)).isEqualTo(fresh);
    }

    /**
     * The journal's disk (a 1 MiB tmpfs of the test's own) fills up while a run executes: the
     * agent stays connected, says so in a host event, delivers the result it could not journal,
     * refuses new runs with a reason instead of starting them unrecorded, and when space returns
     * says so again and runs work as before.
     */
    @Test
    void journalDiskFull_agentStaysUp_reportsIt_losesNoResult_recoversWhenSpaceReturns() throws Exception {
        Path disk = Files.createDirectories(temp.resolve("disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        boolean mountedOk = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
        if (!mountedOk) {
            String why = "cannot mount a tmpfs (needs root): " + new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        mounted = disk;
        Path dataDir = disk.resolve("agent");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("host-id"), UUID.randomUUID() + "\n");
        Agent agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir,
                HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start();
        agents.add(agent);
        String hostId = agent.hostId();
        awaitKnown(hostId);

        Path gate = temp.resolve("gate");
        // 20 kB of output after the gate: more than the free part of the journal file's last page on the full disk.
        String inFlight = submit(exec(hostId, "while [ ! -e " + gate + " ]; do sleep 0.1; done;"
                + " head -c 20000 /dev/zero | tr '\\0' x; echo; echo finished"));
        await().atMost(DEADLINE).until(() -> "running".equals(run(inFlight).getString("state")));
        Path filler = disk.resolve("filler");
        fill(filler);
        Files.createFile(gate);

        // The result of the run in flight cannot be journaled; it still arrives.
        await().atMost(DEADLINE).until(() -> "succeeded".equals(run(inFlight).getString("state")));
        assertThat(run(inFlight).getString("stdout")).isEqualTo("x".repeat(20_000) + "\nfinished\n");
        await().atMost(DEADLINE).until(() -> events(hostId).contains(JournalHealth.FAILED));
        String refused = submit(exec(hostId, "echo should-not-run"));
        await().atMost(DEADLINE).until(() -> "failed".equals(run(refused).getString("state")));
        assertThat(run(refused).getString("reason")).isEqualTo(TaskRunner.JOURNAL_NOT_WRITABLE);
        assertThat(run(refused).getString("stdout")).isNullOrEmpty();
        assertThat(agent.session().isConnected()).as("the agent stays up and connected").isTrue();

        Files.delete(filler);
        long freed = System.nanoTime();
        await().atMost(DEADLINE).until(() -> events(hostId).contains(JournalHealth.RECOVERED));
        Duration recovered = Duration.ofNanos(System.nanoTime() - freed);
        String after = submit(exec(hostId, "echo again"));
        await().atMost(DEADLINE).until(() -> "succeeded".equals(run(after).getString("state")));
        System.out.printf("journal disk full: result delivered, new run refused with a reason;"
                + " journal written again %d ms after space returned%n", recovered.toMillis());

        // What the journal now holds on disk is whole: a restart replays it without re-running or re-reporting.
        agent.close();
        agents.remove(agent);
        Agent restarted = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir,
                HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start();
        agents.add(restarted);
        await().atMost(DEADLINE).until(() -> restarted.session().isConnected());
        assertThat(run(after).getString("state")).isEqualTo("succeeded");
        assertThat(run(inFlight).getString("state")).isEqualTo("succeeded");
    }

    /**
     * The host's clock is an hour behind: the host stays online (liveness is the member's clock),
     * a run is not timed out, and its start and end are reported on the controller's clock.
     */
    @Test
    void agentClockAnHourOff_livenessTimeoutsAndRunTimesStayRight() throws Exception {
        Path dataDir = Files.createDirectories(temp.resolve("skewed"));
        Files.writeString(dataDir.resolve("host-id"), UUID.randomUUID() + "\n");
        Agent agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir,
                HEARTBEAT, Duration.ofSeconds(1), null, null, null))
                .hostClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)));
        agent.start();
        agents.add(agent);
        String hostId = agent.hostId();
        awaitKnown(hostId);

        Instant before = Instant.now();
        String taskId = submit(exec(hostId, "sleep 1; echo slept").put("timeoutSeconds", 20));
        await().atMost(DEADLINE).until(() -> "succeeded".equals(run(taskId).getString("state")));
        Instant after = Instant.now();
        JsonObject run = run(taskId);
        Instant started = Instant.parse(run.getString("startedAt"));
        Instant finished = Instant.parse(run.getString("finishedAt"));
        assertThat(started).isBetween(before.minusSeconds(2), after);
        assertThat(finished).isBetween(started, after.plusSeconds(2));
        assertThat(Duration.between(started, finished)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(15));

        // For many heartbeats the host stays online and its last-seen is now, not an hour ago.
        await().during(HEARTBEAT.multipliedBy(8)).atMost(HEARTBEAT.multipliedBy(12)).until(() -> {
            JsonObject host = new JsonObject(api.get("/api/v1/hosts/" + hostId).body());
            return host.getString("state").equals("online")
                    && Instant.parse(host.getString("lastSeen")).isAfter(Instant.now().minusSeconds(30));
        });
    }

    private String startAgentProcess(Path dataDir) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), StandardAgentMain.class.getName(),
                "127.0.0.1:" + controller.grpcPort(), dataDir.toString(), Long.toString(HEARTBEAT.toMillis()))
                .redirectErrorStream(true)
                .start();
        processes.add(0, process);
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String hostId = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("agent ")) {
                hostId = line.substring("agent ".length()).trim();
                break;
            }
        }
        assertThat(hostId).as("the agent process started").isNotNull();
        Thread drain = new Thread(() -> {
            try {
                lines.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // killed
            }
        }, "agent-stdout");
        drain.setDaemon(true);
        drain.start();
        awaitKnown(hostId);
        return hostId;
    }

    /** Connected, and its host row written (by the batched connect, which may land after the session). */
    private void awaitKnown(String hostId) {
        await().atMost(DEADLINE).until(() -> controller.sessions().find(hostId).isPresent()
                && api.get("/api/v1/hosts/" + hostId).status() == 200);
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private static JsonObject exec(String hostId, String script) {
        return new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", script))
                .put("timeoutSeconds", 60);
    }

    private String submit(JsonObject task) {
        ApiClient.Answer accepted = api.post("/api/v1/tasks", task.encode());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
        return new JsonObject(accepted.body()).getString("id");
    }

    private JsonObject run(String taskId) {
        ApiClient.Answer answer = api.get("/api/v1/tasks/" + taskId + "/runs");
        JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
        return items.isEmpty() ? new JsonObject() : items.getJsonObject(0);
    }

    private List<String> events(String hostId) {
        ApiClient.Answer answer = api.get("/api/v1/hosts/" + hostId + "/events?limit=1000");
        List<String> kinds = new ArrayList<>();
        if (answer.status() == 200) {
            JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                kinds.add(items.getJsonObject(i).getString("kind"));
            }
        }
        return kinds;
    }
}
