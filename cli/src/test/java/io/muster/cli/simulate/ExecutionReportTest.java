package io.muster.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutionReportTest {

    @TempDir
    Path dir;

    @Test
    void countsExecutionsAndNamesTheRunsExecutedTwice() {
        ExecutionReport report = ExecutionReport.of(3, 2, Map.of("h1/r1", 1, "h2/r2", 2, "h3/r3", 1));

        assertThat(report.executions()).isEqualTo(4);
        assertThat(report.distinctRuns()).isEqualTo(3);
        assertThat(report.duplicateRuns()).containsExactly("h2/r2");
    }

    @Test
    void aWrittenReportReadsBackTheSameAndLeavesNoTemporaryFile() {
        ExecutionReport report = ExecutionReport.of(2, 2, Map.of("h1/r1", 1, "h2/r2", 3));
        Path file = dir.resolve("reports").resolve("simulator-0.report.json");

        report.write(file);

        assertThat(ExecutionReport.read(file)).isEqualTo(report);
        assertThat(dir.resolve("reports")).isDirectoryNotContaining("glob:**.tmp");
    }

    @Test
    void aMissingReportIsAClearError() {
        assertThatThrownBy(() -> ExecutionReport.read(dir.resolve("absent.json")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("absent.json");
        assertThat(Files.exists(dir.resolve("absent.json"))).isFalse();
    }
}
