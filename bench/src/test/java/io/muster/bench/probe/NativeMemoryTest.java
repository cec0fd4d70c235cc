package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {

    /** The shape of JDK 17's {@code jcmd PID VM.native_memory summary scale=KB}. */
    private static final String SUMMARY = """
            12345:

            Native Memory Tracking:

            (Omitting categories weighting less than 1KB)

            Total: reserved=1463445KB, committed=87313KB
            -                 Java Heap (reserved=49152KB, committed=8192KB)
                                        (mmap: reserved=49152KB, committed=8192KB)\s

            -                     Class (reserved=1056992KB, committed=20208KB)
                                        (classes #9876)
                                        (  instance classes #9000, array classes #876)
                                        (malloc=2208KB #20000)\s

            -                    Thread (reserved=6200KB, committed=1200KB)
                                        (thread #23)
                                        (stack: reserved=6144KB, committed=1144KB)

            -                      Code (reserved=24576KB, committed=4500KB)
            -        Shared class space (reserved=12288KB, committed=12000KB)
            -                     Other (reserved=160KB, committed=160KB)
            """;

    @Test
    void parse_readsTotalCategoriesClassesAndThreads() {
        NativeMemory memory = NativeMemory.parse(SUMMARY);

        assertThat(memory.totalCommittedKb()).isEqualTo(87313);
        assertThat(memory.committedKb()).containsEntry("Java Heap", 8192L).containsEntry("Class", 20208L)
                .containsEntry("Thread", 1200L).containsEntry("Code", 4500L).containsEntry("Shared class space", 12000L)
                .containsEntry("Other", 160L);
        assertThat(memory.committedKb().keySet()).startsWith("Java Heap", "Class", "Thread");
        assertThat(memory.classes()).isEqualTo(9876);
        assertThat(memory.threads()).isEqualTo(23);
    }

    @Test
    void parse_readsJdk25sShape_threadsAndTheReadonlySuffix() {
        NativeMemory memory = NativeMemory.parse("""
                Total: reserved=100KB, committed=50KB
                -                    Thread (reserved=6200KB, committed=1200KB)
                                            (threads #11)
                -        Shared class space (reserved=16384KB, committed=13908KB, readonly=0KB)
                -                 Metaspace (reserved=65536KB, committed=20752KB)
                """);

        assertThat(memory.threads()).isEqualTo(11);
        assertThat(memory.committedKb()).containsEntry("Shared class space", 13908L).containsEntry("Metaspace", 20752L);
    }

    @Test
    void parse_refusesTextWithoutCategories() {
        assertThatThrownBy(() -> NativeMemory.parse("12345:\nNative memory tracking is not enabled\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not enabled");
    }

    @Test
    void of_aJvmWithoutTracking_failsWithJcmdsAnswer() {
        String jcmd = NativeMemory.jcmdNextTo(ProcessHandle.current().info().command().orElse("java"));

        assertThatThrownBy(() -> NativeMemory.of(jcmd, ProcessHandle.current().pid()))
                .isInstanceOf(IOException.class).hasMessageContaining("VM.native_memory");
    }
}
