package io.muster.agent.task.simulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunHarness;
import io.muster.proto.v1.RunState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedExecutorTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> executed = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static Struct shell(String script) {
        return Struct.newBuilder().putFields("shell", Value.newBuilder().setStringValue(script).build()).build();
    }

    @Test
    void run_succeedsAfterDelay_outputNamesHostAndCommand() throws Exception {
        SimulatedExecutor exec = new SimulatedExecutor("exec", "web-ldn1-0001", Duration.ofMillis(30), timer, executed::add);
        try (RunHarness h = new RunHarness(dir, List.of(exec))) {
            h.runner.assign(RunHarness.assignment("r1", "exec").setSpec(shell("apt-get update")).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            assertThat(h.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
            assertThat(h.terminal("r1").getExitCode()).isZero();
            assertThat(h.stdout("r1")).isEqualTo("simulated exec on web-ldn1-0001: apt-get update\n");
            assertThat(executed).containsExactly("r1");
        }
    }

    @Test
    void cancel_beforeDelayPasses_reportedCancelled() throws Exception {
        SimulatedExecutor exec = new SimulatedExecutor("config", "db-nyc2-0002", Duration.ofMinutes(5), timer, executed::add);
        try (RunHarness h = new RunHarness(dir, List.of(exec))) {
            h.runner.assign(RunHarness.assignment("r1", "config").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> executed.contains("r1"));
            h.runner.cancel("r1", "stop");
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            assertThat(h.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
        }
    }

    @Test
    void timeout_shorterThanDelay_reportedTimedOut() throws Exception {
        SimulatedExecutor exec = new SimulatedExecutor("exec", "h", Duration.ofMinutes(5), timer, null);
        try (RunHarness h = new RunHarness(dir, List.of(exec))) {
            h.runner.assign(RunHarness.assignment("r1", "exec").setTimeoutMs(100).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            assertThat(h.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
        }
    }

    /**
     * An agent frozen (SIGSTOP, a paused VM) past both the end of its simulated work and the run's
     * timeout wakes up with both overdue; here the simulator's timer is held busy past both, so the
     * runner's timeout comes first. The work was done at its due time: the run succeeded.
     */
    @Test
    void frozenPastWorkAndTimeout_workDueFirst_reportedSucceeded() throws Exception {
        SimulatedExecutor exec = new SimulatedExecutor("exec", "h", Duration.ofMillis(100), timer, executed::add);
        CountDownLatch frozen = new CountDownLatch(1);
        try (RunHarness h = new RunHarness(dir, List.of(exec))) {
            timer.execute(() -> {
                try {
                    frozen.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            h.runner.assign(RunHarness.assignment("r1", "exec").setSpec(shell("true")).setTimeoutMs(300).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);
            frozen.countDown();

            assertThat(h.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
            assertThat(h.stdout("r1")).isEqualTo("simulated exec on h: true\n");
        }
    }
}
