package io.muster.agent.task.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunHarness;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecExecutorTest {

    @TempDir
    Path dir;

    RunHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new RunHarness(dir, List.of(new ExecExecutor(Duration.ofSeconds(2))));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private static Value str(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Struct command(String... argv) {
        ListValue.Builder list = ListValue.newBuilder();
        for (String arg : argv) {
            list.addValues(str(arg));
        }
        return Struct.newBuilder().putFields("command", Value.newBuilder().setListValue(list).build()).build();
    }

    private static Struct shell(String script) {
        return Struct.newBuilder().putFields("shell", str(script)).build();
    }

    private TaskUpdate run(String runId, Struct spec, long timeoutMs) {
        h.runner.assign(RunHarness.assignment(runId, "exec").setSpec(spec).setTimeoutMs(timeoutMs).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> h.terminal(runId) != null);
        return h.terminal(runId);
    }

    @Test
    void command_succeeds_outputCaptured() {
        TaskUpdate done = run("ok", command("echo", "hello world"), 0);

        assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(done.getHasExitCode()).isTrue();
        assertThat(done.getExitCode()).isZero();
        assertThat(h.stdout("ok")).isEqualTo("hello world\n");
        assertThat(done.getFinishedAtMs()).isGreaterThanOrEqualTo(done.getStartedAtMs());
    }

    @Test
    void shell_nonZeroExit_failedWithExitCodeAndStderr() {
        TaskUpdate done = run("bad", shell("echo oops >&2; exit 3"), 0);

        assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(done.getExitCode()).isEqualTo(3);
        assertThat(done.getReason()).isEqualTo("exit code 3");
        assertThat(h.stderr("bad")).isEqualTo("oops\n");
    }

    @Test
    void envAndCwd_applied() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        Struct spec = shell("pwd; echo \"$GREETING\"").toBuilder()
                .putFields("env", Value.newBuilder().setStructValue(Struct.newBuilder().putFields("GREETING", str("hi there"))).build())
                .putFields("cwd", str(work.toString()))
                .build();

        TaskUpdate done = run("env", spec, 0);

        assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(h.stdout("env")).isEqualTo(work.toRealPath() + "\nhi there\n");
    }

    @Test
    void timeout_killsWholeProcessGroup_grandchildGone() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        TaskUpdate done = run("slow", shell("sleep 1000 & echo $! > " + pidFile + "; wait"), 1000);

        assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(grandchild).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void specTimeoutSeconds_shorterThanRunTimeout_timesOut() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        Struct spec = shell("sleep 1000 & echo $! > " + pidFile + "; wait").toBuilder()
                .putFields("timeoutSeconds", Value.newBuilder().setNumberValue(1).build()).build();

        TaskUpdate done = run("slow2", spec, 0);

        assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(grandchild).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void cancel_stopsCommandAndChildren_reportedCancelled() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        h.runner.assign(RunHarness.assignment("c", "exec").setSpec(shell("sleep 1000 & echo $! > " + pidFile + "; wait")).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long child = Long.parseLong(Files.readString(pidFile).trim());

        h.runner.cancel("c", "no longer needed");
        await().atMost(Duration.ofSeconds(30)).until(() -> h.terminal("c") != null);

        assertThat(h.terminal("c").getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void termIgnored_killedAfterGrace() {
        TaskUpdate done = run("stubborn", shell("trap '' TERM; sleep 1000 & wait; sleep 1000"), 500);

        assertThat(done.getState()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
    }

    @Test
    void outputOverLimit_truncated() {
        h.runner.assign(RunHarness.assignment("big", "exec").setSpec(shell("head -c 100000 /dev/zero | tr '\\0' x"))
                .setOutputLimitBytes(1000).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> h.terminal("big") != null);

        assertThat(h.terminal("big").getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(h.terminal("big").getTruncated()).isTrue();
        assertThat(h.stdout("big")).hasSize(1000).matches("x+");
    }

    @Test
    void badSpecs_failWithClearReason() {
        Map<String, Struct> cases = Map.of(
                "neither command nor shell", Struct.getDefaultInstance(),
                "must be a non-empty list of strings", Struct.newBuilder().putFields("command", str("ls -l")).build(),
                "must hold only strings", Struct.newBuilder().putFields("command", Value.newBuilder().setListValue(
                        ListValue.newBuilder().addValues(str("ls")).addValues(Value.newBuilder().setNumberValue(1))).build()).build(),
                "both \"command\" and \"shell\"", command("ls").toBuilder().putFields("shell", str("ls")).build(),
                "must be a string", shell("env").toBuilder().putFields("env", Value.newBuilder().setStructValue(
                        Struct.newBuilder().putFields("N", Value.newBuilder().setNumberValue(1).build())).build()).build(),
                "working directory does not exist", shell("pwd").toBuilder().putFields("cwd", str("/no/such/dir")).build(),
                "timeoutSeconds", shell("true").toBuilder().putFields("timeoutSeconds", Value.newBuilder().setNumberValue(-1).build()).build());
        int i = 0;
        for (Map.Entry<String, Struct> c : cases.entrySet()) {
            TaskUpdate done = run("spec-" + i++, c.getValue(), 0);
            assertThat(done.getState()).as(c.getKey()).isEqualTo(RunState.RUN_STATE_FAILED);
            assertThat(done.getReason()).as(c.getKey()).contains(c.getKey());
        }
    }
}
