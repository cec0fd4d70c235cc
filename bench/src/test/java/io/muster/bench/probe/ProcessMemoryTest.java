package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {

    private static final String ROLLUP = """
            557316e8f000-7ffc4a0db000 ---p 00000000 00:00 0                          [rollup]
            Rss:               92160 kB
            Pss:               78000 kB
            Pss_Anon:          60000 kB
            Pss_File:          18000 kB
            Pss_Shmem:             0 kB
            Shared_Clean:      14000 kB
            Shared_Dirty:          0 kB
            Private_Clean:      2000 kB
            Private_Dirty:     76160 kB
            Anonymous:         76160 kB
            Swap:                 12 kB
            """;

    private static final String STATUS = """
            Name:\tjava
            VmHWM:\t  101000 kB
            VmRSS:\t   92160 kB
            Threads:\t23
            """;

    @Test
    void parse_readsRssPssAndSplitsAnonymousFromFileBacked() {
        ProcessMemory memory = ProcessMemory.parse(42, "/usr/bin/java", ROLLUP, STATUS);

        assertThat(memory.rssKb()).isEqualTo(92160);
        assertThat(memory.pssKb()).isEqualTo(78000);
        assertThat(memory.anonymousKb()).isEqualTo(76160);
        assertThat(memory.fileKb()).isEqualTo(92160 - 76160);
        assertThat(memory.privateKb()).isEqualTo(78160);
        assertThat(memory.swapKb()).isEqualTo(12);
        assertThat(memory.peakRssKb()).isEqualTo(101000);
        assertThat(memory.threads()).isEqualTo(23);
    }

    @Test
    void read_ofThisProcess_seesItsOwnResidentMemory_andNothingForAGoneProcess() {
        ProcessMemory self = ProcessMemory.read(ProcessHandle.current().pid()).orElseThrow();

        assertThat(self.rssKb()).isGreaterThan(10_000);
        assertThat(self.pssKb()).isPositive().isLessThanOrEqualTo(self.rssKb());
        assertThat(self.threads()).isGreaterThan(1);
        assertThat(ProcessMemory.read(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void residentByMapping_sumsRssPerFileAndAnonymousKind_largestFirst() {
        List<String> smaps = List.of(
                "7f0000000000-7f0000100000 r-xp 00000000 08:01 123 /usr/lib/jvm/java-17/lib/server/libjvm.so",
                "Size:               1024 kB",
                "Rss:                 800 kB",
                "7f0000100000-7f0000200000 r--p 00100000 08:01 123 /usr/lib/jvm/java-17/lib/server/libjvm.so",
                "Rss:                 200 kB",
                "7f0000200000-7f0000300000 rw-p 00000000 00:00 0 ",
                "Rss:                 300 kB",
                "7ffc00000000-7ffc00100000 rw-p 00000000 00:00 0                          [stack]",
                "Rss:                  16 kB",
                "7f0000300000-7f0000400000 ---p 00000000 00:00 0 ",
                "Rss:                   0 kB");

        Map<String, Long> byMapping = ProcessMemory.residentByMapping(smaps);

        assertThat(byMapping).containsExactly(
                Map.entry("/usr/lib/jvm/java-17/lib/server/libjvm.so", 1000L),
                Map.entry("[anon]", 300L),
                Map.entry("[stack]", 16L));
    }

    @Test
    void residentByMapping_ofThisProcess_findsTheJvmLibrary() {
        Map<String, Long> byMapping = ProcessMemory.residentByMapping(ProcessHandle.current().pid());

        assertThat(byMapping.keySet()).anyMatch(name -> name.endsWith("libjvm.so"));
    }
}
