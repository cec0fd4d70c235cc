package io.muster.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The agent JVM's command line (only the agent subcommand) reads and fails like the full one. */
class AgentRootTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(CommandLine commandLine, String... args) {
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void missingController_isTheSameUsageErrorAsInTheFullCommand() {
        assertThat(run(MusterCommand.agentCommandLine(), "agent", "--verbose", "--data-dir", "/tmp/x")).isEqualTo(2);
        String agentOnly = err.toString().strip();
        err.getBuffer().setLength(0);
        assertThat(run(MusterCommand.commandLine(), "agent", "--verbose", "--data-dir", "/tmp/x")).isEqualTo(2);

        assertThat(agentOnly).startsWith("muster agent: ").contains("--controller", "(see 'muster agent --help')")
                .isEqualTo(err.toString().strip());
    }

    @Test
    void help_isTheAgentsUsage_andTheOtherSubcommandsAreNotThere() {
        assertThat(run(MusterCommand.agentCommandLine(), "agent", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: muster agent", "--controller", "--upgrade-deadline");

        assertThat(run(MusterCommand.agentCommandLine(), "controller")).isEqualTo(2);
        assertThat(err.toString()).contains("muster: ");
    }
}
