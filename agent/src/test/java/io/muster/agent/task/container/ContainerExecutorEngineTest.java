package io.muster.agent.task.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import io.muster.agent.task.RunResult;
import io.muster.proto.v1.ContainerStatus;
import io.muster.proto.v1.RunState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The container executor and the managed-container view against a real engine. */
@ExtendWith(ContainerEngineExtension.class)
class ContainerExecutorEngineTest {

    private static ContainerExecutor executor;
    @TempDir
    Path dataDir;

    @BeforeAll
    static void startExecutor(TestEngine engine) {
        executor = new ContainerExecutor(engine.client);
    }

    @AfterAll
    static void stopExecutor() {
        if (executor != null) {
            executor.close();
        }
    }

    private RunResult execute(String spec) throws InterruptedException {
        return executor.execute(TestRunContext.of(spec, dataDir));
    }

    private String runSpec(TestEngine engine, String name, String extra) {
        return "{'action':'run','image':'" + engine.image + "','name':'" + name + "','command':['sleep','60']"
                + extra + "}";
    }

    @Test
    void run_startsLabelledContainer_thatManagedContainersReports_thenStopAndRemoveWork(TestEngine engine) throws Exception {
        String name = engine.name("web");
        TestRunContext run = TestRunContext.of(runSpec(engine, name,
                ",'env':{'GREETING':'hi'},'labels':{'team':'blue'},'service':'svc-1','cpus':0.5,"
                        + "'memoryBytes':67108864,'restart':'on-failure','mounts':['" + dataDir + ":/data:ro']"), dataDir);

        RunResult result = executor.execute(run);

        assertThat(result.state()).as(result.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(run.stdoutText()).contains("created container " + name).contains("started container " + name);
        String id = result.result().getFieldsOrThrow("id").getStringValue();
        Struct inspect = engine.inspect(name);
        assertThat(inspect.getFieldsOrThrow("Id").getStringValue()).isEqualTo(id);
        assertThat(engine.state(name)).isEqualTo("running");
        Struct config = inspect.getFieldsOrThrow("Config").getStructValue();
        Struct labels = config.getFieldsOrThrow("Labels").getStructValue();
        assertThat(labels.getFieldsOrThrow("muster.managed").getStringValue()).isEqualTo("true");
        assertThat(labels.getFieldsOrThrow("muster.task").getStringValue()).isEqualTo("task-42");
        assertThat(labels.getFieldsOrThrow("muster.service").getStringValue()).isEqualTo("svc-1");
        assertThat(labels.getFieldsOrThrow("team").getStringValue()).isEqualTo("blue");
        assertThat(config.getFieldsOrThrow("Env").getListValue().getValuesList())
                .anySatisfy(v -> assertThat(v.getStringValue()).isEqualTo("GREETING=hi"));
        Struct host = inspect.getFieldsOrThrow("HostConfig").getStructValue();
        assertThat(host.getFieldsOrThrow("NanoCpus").getNumberValue()).isEqualTo(500_000_000d);
        assertThat(host.getFieldsOrThrow("Memory").getNumberValue()).isEqualTo(67108864d);
        assertThat(host.getFieldsOrThrow("RestartPolicy").getStructValue().getFieldsOrThrow("Name").getStringValue())
                .isEqualTo("on-failure");

        List<ContainerStatus> managed = new ManagedContainers(engine.client).list();
        assertThat(managed).filteredOn(c -> c.getName().equals(name)).singleElement().satisfies(c -> {
            assertThat(c.getId()).isEqualTo(id);
            assertThat(c.getImage()).isEqualTo(engine.image);
            assertThat(c.getState()).isEqualTo("running");
            assertThat(c.getStartedAtMs()).isPositive();
            assertThat(c.getHealth()).isEmpty();
            assertThat(c.getLabelsMap()).containsEntry("muster.task", "task-42").containsEntry("muster.service", "svc-1");
        });

        RunResult stopped = execute("{'action':'stop','name':'" + name + "','timeoutSeconds':1}");
        assertThat(stopped.state()).as(stopped.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(engine.state(name)).isEqualTo("exited");
        RunResult stoppedAgain = execute("{'action':'stop','name':'" + name + "','timeoutSeconds':1}");
        assertThat(stoppedAgain.result().getFieldsOrThrow("wasRunning").getBoolValue()).isFalse();

        RunResult removed = execute("{'action':'remove','name':'" + name + "'}");
        assertThat(removed.state()).as(removed.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(engine.containerExists(name)).isFalse();
        assertThat(new ManagedContainers(engine.client).list()).noneMatch(c -> c.getName().equals(name));
    }

    @Test
    void stopAllAndRemoveAll_touchOnlyManagedContainers(TestEngine engine) throws Exception {
        String managed = engine.name("managed");
        String foreign = engine.name("foreign");
        assertThat(execute(runSpec(engine, managed, "")).state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        engine.startUnmanaged(foreign, "sleep", "60");
        ManagedContainers containers = new ManagedContainers(engine.client);
        assertThat(containers.list()).extracting(ContainerStatus::getName).contains(managed).doesNotContain(foreign);

        List<String> stopped = containers.stopAll(Duration.ofSeconds(1));

        assertThat(stopped).contains(managed).doesNotContain(foreign);
        assertThat(engine.state(managed)).isEqualTo("exited");
        assertThat(engine.state(foreign)).isEqualTo("running");
        assertThat(containers.list()).filteredOn(c -> c.getName().equals(managed))
                .singleElement().extracting(ContainerStatus::getState).isEqualTo("exited");

        List<String> removed = containers.removeAll();

        assertThat(removed).contains(managed).doesNotContain(foreign);
        assertThat(engine.containerExists(managed)).isFalse();
        assertThat(engine.containerExists(foreign)).isTrue();
        assertThat(engine.state(foreign)).isEqualTo("running");
    }

    @Test
    void run_withMissingImage_failsWithTheEnginesMessage(TestEngine engine) throws Exception {
        String missing = "localhost/" + engine.prefix + "-absent:1";

        RunResult result = execute("{'action':'run','image':'" + missing + "','name':'" + engine.name("noimage") + "'}");

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains(missing).containsIgnoringCase("no such image");
        assertThat(engine.containerExists(engine.name("noimage"))).isFalse();
    }

    @Test
    void run_withNameTaken_failsWithTheEnginesMessage_andLeavesTheOwnerRunning(TestEngine engine) throws Exception {
        String name = engine.name("taken");
        String ownerId = engine.startUnmanaged(name, "sleep", "60");

        RunResult result = execute(runSpec(engine, name, ""));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains(name).contains("already in use");
        assertThat(engine.inspect(name).getFieldsOrThrow("Id").getStringValue()).isEqualTo(ownerId);
        assertThat(engine.state(name)).isEqualTo("running");
    }

    @Test
    void stopRemoveRestart_ofMissingContainer_failWithTheEnginesMessage(TestEngine engine) throws Exception {
        String ghost = engine.name("ghost");
        for (String action : List.of("stop", "remove", "restart", "logs")) {
            RunResult result = execute("{'action':'" + action + "','name':'" + ghost + "'}");
            assertThat(result.state()).as(action).isEqualTo(RunState.RUN_STATE_FAILED);
            assertThat(result.reason()).as(action).contains(ghost).containsIgnoringCase("no such container");
        }
    }

    @Test
    void remove_ofRunningContainer_withoutForce_failsAndKeepsIt_withForce_removesIt(TestEngine engine) throws Exception {
        String name = engine.name("busy");
        assertThat(execute(runSpec(engine, name, "")).state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);

        RunResult refused = execute("{'action':'remove','name':'" + name + "'}");
        assertThat(refused.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(refused.reason()).containsIgnoringCase("running");
        assertThat(engine.state(name)).isEqualTo("running");

        RunResult forced = execute("{'action':'remove','name':'" + name + "','force':true}");
        assertThat(forced.state()).as(forced.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(engine.containerExists(name)).isFalse();
    }

    @Test
    void restart_startsTheContainerAgain(TestEngine engine) throws Exception {
        String name = engine.name("restart");
        assertThat(execute(runSpec(engine, name, "")).state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(execute("{'action':'stop','name':'" + name + "','timeoutSeconds':0}").state())
                .isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(engine.state(name)).isEqualTo("exited");

        RunResult restarted = execute("{'action':'restart','name':'" + name + "','timeoutSeconds':0}");

        assertThat(restarted.state()).as(restarted.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(engine.state(name)).isEqualTo("running");
    }

    @Test
    void logs_streamStdoutAndStderrSeparately_andHonourTail(TestEngine engine) throws Exception {
        String name = engine.name("talker");
        RunResult started = execute("{'action':'run','image':'" + engine.image + "','name':'" + name
                + "','command':['sh','-c','echo oops >&2; sleep 0.2; echo one; echo two; echo three; sleep 60']}");
        assertThat(started.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        TestRunContext all = TestRunContext.of("{'action':'logs','name':'" + name + "'}", dataDir);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TestRunContext attempt = TestRunContext.of("{'action':'logs','name':'" + name + "'}", dataDir);
            executor.execute(attempt);
            assertThat(attempt.stdoutText()).isEqualTo("one\ntwo\nthree\n");
        });

        RunResult result = executor.execute(all);

        assertThat(result.state()).as(result.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(all.stdoutText()).isEqualTo("one\ntwo\nthree\n");
        assertThat(all.stderrText()).isEqualTo("oops\n");
        TestRunContext tail = TestRunContext.of("{'action':'logs','name':'" + name + "','tail':1}", dataDir);
        executor.execute(tail);
        assertThat(tail.stdoutText()).isEqualTo("three\n");
        assertThat(tail.stderrText()).isEmpty();
    }

    @Test
    void logs_follow_streamsUntilCancelled(TestEngine engine) throws Exception {
        String name = engine.name("follow");
        assertThat(execute("{'action':'run','image':'" + engine.image + "','name':'" + name
                + "','command':['sh','-c','echo first; sleep 60']}").state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        TestRunContext follow = TestRunContext.of("{'action':'logs','name':'" + name + "','follow':true}", dataDir);

        CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> {
            try {
                return executor.execute(follow);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> follow.stdoutText().contains("first"));
        assertThat(running).isNotDone();
        follow.cancel();

        RunResult result = running.get(10, TimeUnit.SECONDS);
        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_CANCELLED);
        assertThat(result.reason()).contains("logs");
    }

    @Test
    void logs_follow_stopsAtTheRunTimeout(TestEngine engine) throws Exception {
        String name = engine.name("quiet");
        assertThat(execute(runSpec(engine, name, "")).state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);

        RunResult result = executor.execute(TestRunContext.of("{'action':'logs','name':'" + name + "','follow':true}", dataDir)
                .withTimeout(Duration.ofMillis(700)));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
        assertThat(result.reason()).contains("PT0.7S");
    }

    @Test
    void dryRun_describesTheRun_andCreatesNothing(TestEngine engine) throws Exception {
        String name = engine.name("dry");
        TestRunContext dry = TestRunContext.of(runSpec(engine, name, ",'ports':['18089:80/tcp']"), dataDir).dryRunning();

        RunResult result = executor.execute(dry);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(dry.stdoutText()).contains("would create container " + name).contains("\"80/tcp\"")
                .contains("\"HostPort\":\"18089\"").contains("muster.managed");
        assertThat(engine.containerExists(name)).isFalse();
    }
}
