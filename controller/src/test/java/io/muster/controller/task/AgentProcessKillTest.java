package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent process dies during a long run: after it restarts the run is failed, "agent restarted", once. */
class AgentProcessKillTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller controller;
    private final List<Process> processes = new ArrayList<>();
    private final List<ProcessHandle> leftovers = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        leftovers.forEach(ProcessHandle::destroyForcibly);
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Starts the agent in a child JVM and returns once it printed its host id. */
    private Process startAgentProcess(Path dataDir, String[] hostId) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), AgentProcessMain.class.getName(),
                "127.0.0.1:" + controller.grpcPort(), dataDir.toString(), "300")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        processes.add(process);
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> {
            try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("agent ")) {
                        synchronized (hostId) {
                            hostId[0] = line.substring("agent ".length()).trim();
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
        }, "agent-process-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(DEADLINE).until(() -> {
            synchronized (hostId) {
                return hostId[0] != null;
            }
        });
        return process;
    }

    @Test
    void agentKilledDuringALongRun_afterRestartTheRunFailedAgentRestarted_once() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(),
                0, "127.0.0.1", "kill-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofMillis(300)));
        TaskHttp http = new TaskHttp(controller);
        Path dataDir = temp.resolve("agent");
        String[] hostId = new String[1];
        Process first = startAgentProcess(dataDir, hostId);
        await().atMost(DEADLINE).until(() -> controller.sessions().find(hostId[0]).isPresent());
        // The host row is written by the batched connect, which may land after the session is registered.
        await().atMost(DEADLINE).until(() -> controller.hosts().find(hostId[0])
                .toCompletionStage().toCompletableFuture().get().isPresent());

        String taskId = http.create(new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId[0])))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", "echo begun; sleep 120"))
                .put("timeoutSeconds", 300));
        await().atMost(DEADLINE).until(() -> run(http, taskId).getString("stdout").contains("begun"));
        assertThat(run(http, taskId).getString("state")).isEqualTo("running");

        first.descendants().forEach(leftovers::add);
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run(http, taskId).getString("state")).isEqualTo("running");

        String[] again = new String[1];
        startAgentProcess(dataDir, again);
        assertThat(again[0]).isEqualTo(hostId[0]);
        await().atMost(DEADLINE).until(() -> http.task(taskId).getString("state"), "failed"::equals);
        JsonObject run = run(http, taskId);
        assertThat(run.getString("state")).isEqualTo("failed");
        assertThat(run.getString("reason")).isEqualTo("agent restarted");
        assertThat(run.getString("finishedAt")).isNotNull();

        // The controller re-sent the assignment on reconnect (at-least-once); the agent did not run it again,
        // and the failure was recorded once: the output holds the first execution only.
        await().pollDelay(Duration.ofSeconds(2)).atMost(DEADLINE).until(() -> controller.sessions().find(hostId[0])
                .isPresent());
        JsonObject later = run(http, taskId);
        assertThat(later.getString("stdout")).isEqualTo("begun\n");
        assertThat(later.getString("state")).isEqualTo("failed");
        assertThat(later.getString("finishedAt")).isEqualTo(run.getString("finishedAt"));
    }

    private static JsonObject run(TaskHttp http, String taskId) {
        return http.runs(taskId).getJsonArray("items").getJsonObject(0);
    }
}
