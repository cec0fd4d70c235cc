package io.muster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad usage, parsed in this JVM: exit code 2 and one line on stderr that says what is wrong. */
class CommandLineUsageTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private String oneErrorLine() {
        assertThat(err.toString().lines()).hasSize(1);
        return err.toString().strip();
    }

    @Test
    void agent_withoutController_isUsageError() {
        assertThat(run("agent", "--data-dir", "/tmp/x")).isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster agent: ").contains("--controller").contains("muster agent --help");
    }

    @Test
    void agent_badHeartbeat_quotesTheValue() {
        assertThat(run("agent", "--controller", "127.0.0.1:7070", "--data-dir", "/tmp/x", "--heartbeat", "10x")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--heartbeat").contains("'10x'").contains("500ms, 10s, 2m or 1h");
    }

    @Test
    void agent_controllerWithoutPort_isUsageError() {
        assertThat(run("agent", "--controller", "127.0.0.1:7070,ctl-2", "--data-dir", "/tmp/x")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("expected HOST:PORT").contains("'ctl-2'");
    }

    @Test
    void controller_unknownOption_isUsageError() {
        assertThat(run("controller", "--bogus")).isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster controller: ").contains("--bogus");
    }

    @Test
    void controller_portOutOfRange_isUsageError() {
        assertThat(run("controller", "--http-port", "70000")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--http-port").contains("70000");
    }

    @Test
    void controller_badFailureDetection_isUsageError() {
        assertThat(run("controller", "--failure-detection", "fast")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("'fast'");
    }

    @Test
    void simulate_zeroAgents_isUsageError() {
        assertThat(run("simulate", "--controller", "127.0.0.1:7070", "--agents", "0")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--agents must be at least 1");
    }

    @Test
    void demo_zeroMembers_isUsageError() {
        assertThat(run("demo", "--members", "0")).isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster demo: ").contains("--members must be at least 1");
    }

    @Test
    void demo_badFor_isUsageError() {
        assertThat(run("demo", "--for", "1.5m")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--for").contains("'1.5m'");
    }

    @Test
    void demo_negativeAgents_isUsageError() {
        assertThat(run("demo", "--agents", "-3")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--agents must be 0 or more");
    }

    @Test
    void noSubcommand_isUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(oneErrorLine()).contains("a subcommand is required");
    }

    @Test
    void unknownSubcommand_isUsageError() {
        assertThat(run("deploy")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("deploy");
    }

    @Test
    void help_listsThePublicSubcommandsOnly() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("agent", "controller", "simulate", "demo").doesNotContain("db-guard");
    }

    @Test
    void version_isPrinted() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("muster ");
    }

    @Test
    void dbGuard_withoutParent_isUsageError() {
        assertThat(run("db-guard", "--postgres-dir", "/tmp/x")).isEqualTo(2);
        assertThat(oneErrorLine()).contains("--parent-pid is required");
    }

    @Test
    void install_sudoPasswordFileWithoutSudo_isUsageError(@TempDir Path temp) throws Exception {
        Path password = Files.writeString(temp.resolve("sudo.password"), "secret\n");
        assertThat(run("install", "--host", "10.0.0.5", "--controller", "10.0.0.1:7070", "--sudo-password-file", password.toString()))
                .isEqualTo(2);
        assertThat(oneErrorLine()).contains("--sudo-password-file needs --sudo");
    }

    @Test
    void install_emptySudoPasswordFile_isUsageError(@TempDir Path temp) throws Exception {
        Path password = Files.writeString(temp.resolve("sudo.password"), "\n");
        assertThat(run("install", "--host", "10.0.0.5", "--controller", "10.0.0.1:7070", "--sudo",
                "--sudo-password-file", password.toString())).isEqualTo(2);
        assertThat(oneErrorLine()).contains("has no password on its first line").doesNotContain("secret");
    }

    @Test
    void install_sudoPassword_isNoOption() {
        assertThat(run("install", "--host", "10.0.0.5", "--controller", "10.0.0.1:7070", "--sudo", "--sudo-password", "secret"))
                .isEqualTo(2);
        assertThat(oneErrorLine()).startsWith("muster install: Unknown options: '--sudo-password'");
    }
}
