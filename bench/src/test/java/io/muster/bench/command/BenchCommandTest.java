package io.muster.bench.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code muster bench} as its own main class: the muster command's usage conventions still hold. */
class BenchCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = MusterCommand.withConventions(new CommandLine(new BenchCommand()));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void unknownScenario_isUsageErrorNamingIt() {
        assertThat(run("--scenario", "fanout,nope")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("muster bench: unknown scenario 'nope'")
                .contains("'muster bench --help'");
    }

    @Test
    void zeroConnectRate_isUsageErrorNamingTheOption() {
        assertThat(run("--connect-rate", "0")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("muster bench: --connect-rate must be at least 1");
    }

    @Test
    void zeroInstallHosts_isUsageErrorNamingTheOption() {
        assertThat(run("--scenario", "install", "--hosts", "5,0")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("muster bench: --hosts must be at least 1, got 0");
    }

    @Test
    void rolloutWindowAndWavesTogether_isUsageError() {
        assertThat(run("--scenario", "rollout", "--window", "10%", "--waves", "1,10")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("muster bench: give --window or --waves, not both");
    }

    @Test
    void badRolloutAmount_isUsageErrorNamingTheOption() {
        assertThat(run("--scenario", "rollout", "--waves", "1,150%")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("muster bench: --waves: a percent must be at most 100%, got 150%");
        err.getBuffer().setLength(0);
        assertThat(run("--scenario", "rollout", "--window", "0")).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("muster bench: --window: must be at least 1 (got '0')");
    }
}
