package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentProcessesTest {

    @Test
    void isJavaBinary_byTheExecutablesName() {
        assertThat(AgentProcesses.isJavaBinary("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")).isTrue();
        assertThat(AgentProcesses.isJavaBinary("java")).isTrue();
        assertThat(AgentProcesses.isJavaBinary("/usr/bin/javac")).isFalse();
        assertThat(AgentProcesses.isJavaBinary("/bin/sh")).isFalse();
    }

    @Test
    void of_aLauncherScript_countsItAndEverythingItStarts() throws Exception {
        // A launcher that is not a JVM: its children (here two sleeps) are the agent's own processes.
        Process launcher = new ProcessBuilder("sh", "-c", "sleep 30 & sleep 30 & wait").start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> AgentProcesses.of(launcher.pid()).agent().size() == 3);
            AgentProcesses tree = AgentProcesses.of(launcher.pid());
            assertThat(tree.agent()).first().isEqualTo(launcher.pid());
            assertThat(tree.tasks()).isEmpty();
        } finally {
            launcher.destroyForcibly().waitFor();
        }
        assertThat(AgentProcesses.of(launcher.pid()).agent()).isEmpty();
    }

    @Test
    void of_aJvm_listsWhatItStartsAsTaskProcesses() throws Exception {
        // This test's JVM plays the agent JVM: a shell it starts is a task's, and so is that shell's child.
        Process task = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
        try {
            long self = ProcessHandle.current().pid();
            await().atMost(Duration.ofSeconds(10)).until(() -> AgentProcesses.of(self).tasks().size() >= 2);
            AgentProcesses tree = AgentProcesses.of(self);
            assertThat(tree.agent()).first().isEqualTo(self);
            assertThat(tree.tasks()).contains(task.pid());
            assertThat(tree.agent()).doesNotContain(task.pid());
        } finally {
            task.destroyForcibly().waitFor();
        }
    }
}
