package io.muster.agent.task.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.agent.task.RunResult;
import io.muster.proto.v1.RunState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** What the executor says when the engine is down or the spec is wrong: no engine needed. */
class ContainerExecutorWithoutEngineTest {

    @TempDir
    Path dataDir;
    private final Path noSocket = Path.of("/nonexistent/muster-test/engine.sock");
    private final ContainerExecutor executor = new ContainerExecutor(
            new DockerEngineClient(noSocket, Duration.ofSeconds(1), Duration.ofSeconds(5)));

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void everyEngineAction_whenTheEngineIsDown_failsWithTheClearReason() throws Exception {
        for (String spec : new String[] {
                "{'action':'run','image':'busybox','name':'x'}",
                "{'action':'stop','name':'x'}",
                "{'action':'remove','name':'x'}",
                "{'action':'restart','name':'x'}",
                "{'action':'logs','name':'x'}",
                "{'action':'pull','image':'busybox'}"}) {
            RunResult result = executor.execute(TestRunContext.of(spec, dataDir));
            assertThat(result.state()).as(spec).isEqualTo(RunState.RUN_STATE_FAILED);
            assertThat(result.reason()).as(spec).startsWith("container engine not reachable at " + noSocket + ": ");
        }
    }

    @Test
    void managedContainers_whenTheEngineIsDown_throwsTheClearReason() {
        ManagedContainers managed = new ManagedContainers(new DockerEngineClient(noSocket, Duration.ofSeconds(1),
                Duration.ofSeconds(5)));
        org.assertj.core.api.Assertions.assertThatThrownBy(managed::list)
                .isInstanceOf(EngineException.class)
                .hasMessageStartingWith("container engine not reachable at " + noSocket);
    }

    @Test
    void dryRun_needsNoEngine_andSaysWhatItWouldDo() throws Exception {
        TestRunContext dry = TestRunContext.of("{'action':'stop','name':'web','timeoutSeconds':3}", dataDir).dryRunning();

        RunResult result = executor.execute(dry);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(dry.stdoutText()).isEqualTo("would stop container web (kill after 3 s)\n");
        assertThat(result.result().getFieldsOrThrow("dryRun").getBoolValue()).isTrue();
    }

    @Test
    void cancelledBeforeStart_isCancelledWithoutTouchingTheEngine() throws Exception {
        TestRunContext run = TestRunContext.of("{'action':'stop','name':'web'}", dataDir);
        run.cancel();

        RunResult result = executor.execute(run);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_CANCELLED);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "{}                                                             | spec.action is required",
            "{'action':'explode','name':'x'}                                | unknown container action 'explode'",
            "{'action':7}                                                   | spec.action is required",
            "{'action':'run','name':'x'}                                    | spec.image is required",
            "{'action':'run','image':'busybox'}                             | spec.name is required",
            "{'action':'run','image':'busybox','name':'bad name'}           | is not a valid container name",
            "{'action':'run','image':'busybox','name':'x','command':'ls'}   | spec.command must be a list of strings, got the string",
            "{'action':'run','image':'busybox','name':'x','command':[1]}    | spec.command[0] must be a string, got the number 1.0",
            "{'action':'run','image':'busybox','name':'x','env':{'A':1}}    | spec.env.A must be a string",
            "{'action':'run','image':'busybox','name':'x','ports':['99999:80']} | port 99999 is outside 1..65535",
            "{'action':'run','image':'busybox','name':'x','ports':['web']}  | spec.ports entry 'web' must be",
            "{'action':'run','image':'busybox','name':'x','mounts':['/a']}  | spec.mounts entry '/a' must be",
            "{'action':'run','image':'busybox','name':'x','mounts':['/a:b']} | spec.mounts entry '/a:b' must be",
            "{'action':'run','image':'busybox','name':'x','cpus':-1}        | spec.cpus must be a positive number",
            "{'action':'run','image':'busybox','name':'x','memoryBytes':1.5} | spec.memoryBytes must be a whole number",
            "{'action':'run','image':'busybox','name':'x','restart':'sometimes'} | spec.restart must be one of",
            "{'action':'run','image':'busybox','name':'x','labels':{'muster.task':'t'}} | must not set 'muster.task'",
            "{'action':'run','image':'busybox','name':'x','memory':1}       | unknown field(s) [memory]",
            "{'action':'stop','name':'x','timeoutSeconds':'soon'}           | spec.timeoutSeconds must be a whole number",
            "{'action':'remove','name':'x','force':'yes'}                   | spec.force must be true or false",
            "{'action':'logs','name':'x','tail':-1}                         | spec.tail must be a whole number from 0",
            "{'action':'load','url':'ftp://host/x','digest':'sha256:00'}    | spec.url must be an http or https URL",
            "{'action':'load','url':'http://host/x','digest':'md5:abc'}     | spec.digest must be 'sha256:' followed by 64",
            "{'action':'pull'}                                              | spec.image is required",
    })
    void badSpec_failsWithAClearReason(String spec, String reason) throws Exception {
        RunResult result = executor.execute(TestRunContext.of(spec, dataDir));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).startsWith("bad container spec: ").contains(reason);
    }
}
