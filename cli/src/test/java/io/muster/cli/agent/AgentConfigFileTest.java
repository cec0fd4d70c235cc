package io.muster.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code muster agent --config FILE} and {@code --enroll-token-file}: what the file may hold, and the usage errors (exit 2, one line). */
class AgentConfigFileTest {

    @TempDir
    Path temp;
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void unknownSettingInTheFile_isUsageErrorNamingIt() throws Exception {
        Path config = Files.writeString(temp.resolve("agent.conf"), "controller=127.0.0.1:7070\ndata-dir=" + temp + "\ncolour=blue\n");
        assertThat(run("agent", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).contains("'colour' is not an agent setting").contains(config.toString());
    }

    @Test
    void settingsOnlyACommandLineMayGive_areRefusedInTheFile() throws Exception {
        Path config = Files.writeString(temp.resolve("agent.conf"), "controller=127.0.0.1:7070\nenroll=mse_secret\n");
        assertThat(run("agent", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("'enroll' is not an agent setting").doesNotContain("mse_secret");
    }

    @Test
    void fileSettingsAreChecked_likeCommandLineOptions() throws Exception {
        Path config = Files.writeString(temp.resolve("agent.conf"), "controller=127.0.0.1:7070\ndata-dir=" + temp
                + "\ninsecure=true\nenroll-token-file=" + temp.resolve("token") + "\n");
        assertThat(run("agent", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--insecure connects without certificates");
    }

    @Test
    void missingControllerOrDataDir_isUsageError() throws Exception {
        Path config = Files.writeString(temp.resolve("agent.conf"), "heartbeat=5s\n");
        assertThat(run("agent", "--config", config.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--controller and --data-dir are required");
    }

    @Test
    void unreadableConfigFile_isUsageError() {
        assertThat(run("agent", "--config", temp.resolve("missing.conf").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("missing.conf cannot be read");
    }
}
