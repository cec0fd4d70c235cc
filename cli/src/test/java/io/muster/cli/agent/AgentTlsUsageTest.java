package io.muster.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The transport options of {@code muster agent} and {@code muster controller}: bad combinations exit 2 with one line. */
class AgentTlsUsageTest {

    @TempDir
    Path temp;
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private String oneErrorLine() {
        assertThat(err.toString().lines()).hasSize(1);
        return err.toString().strip();
    }

    @Test
    void insecureWithEnrollOrCaCert_isUsageError() {
        assertThat(run("agent", "--controller", "127.0.0.1:7070", "--data-dir", temp.toString(), "--insecure",
                "--enroll-token-file", temp.resolve("token").toString())).isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster agent: ").contains("--insecure connects without certificates");
    }

    @Test
    void caCertThatIsNoFile_isUsageError() {
        assertThat(run("agent", "--controller", "127.0.0.1:7070", "--data-dir", temp.toString(), "--enroll-token-file",
                temp.resolve("token").toString(), "--ca-cert", temp.resolve("missing.pem").toString())).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--ca-cert").contains("missing.pem").contains("not a readable file");
    }

    @Test
    void enrollmentTokenOnTheCommandLine_isRefused_soPsNeverShowsIt() {
        assertThat(run("agent", "--controller", "127.0.0.1:7070", "--data-dir", temp.toString(), "--enroll", "mse_x_y")).isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster agent: ").contains("--enroll");
    }

    @Test
    void controllerAdminTokenFileThatIsADirectory_isUsageError() {
        assertThat(run("controller", "--admin-token-file", temp.toString())).isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster controller: ").contains("is a directory");
    }

    @Test
    void helpNamesTheTransportOptions() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        assertThat(commandLine.execute("agent", "--help")).isZero();
        assertThat(out.toString()).contains("--enroll-token-file=FILE", "--ca-cert=FILE", "--insecure").doesNotContain("--enroll=");
        StringWriter controllerOut = new StringWriter();
        CommandLine controller = MusterCommand.commandLine();
        controller.setOut(new PrintWriter(controllerOut, true));
        assertThat(controller.execute("controller", "--help")).isZero();
        assertThat(controllerOut.toString()).contains("--insecure", "--admin-token-file=FILE");
    }
}
