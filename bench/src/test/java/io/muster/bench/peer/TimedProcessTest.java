package io.muster.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimedProcessTest {

    @TempDir
    Path dir;

    @Test
    void readsWallTimeAndPeakRssFromGnuTime() throws IOException {
        String output = """
                \tCommand being timed: "facter --json"
                \tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02.50
                \tMaximum resident set size (kbytes): 51200
                """;

        TimedProcess.Usage usage = TimedProcess.parse(output, 0);

        assertThat(usage.wallSeconds()).isEqualTo(62.5);
        assertThat(usage.peakRssBytes()).isEqualTo(51200L * 1024);
    }

    @Test
    void outputWithoutTheFiguresIsAnError() {
        assertThatThrownBy(() -> TimedProcess.parse("sh: facter: not found\n", 127))
                .isInstanceOf(IOException.class).hasMessageContaining("peak RSS");
    }

    @Test
    void measuresARealProcess() throws Exception {
        TimedProcess.Usage usage = TimedProcess.run(List.of("sh", "-c", "exit 3"), dir.resolve("time.log"));

        assertThat(usage.exitCode()).isEqualTo(3);
        assertThat(usage.peakRssBytes()).isPositive();
        assertThat(usage.wallSeconds()).isGreaterThanOrEqualTo(0);
    }
}
