package io.muster.agent.task.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunResult;
import io.muster.proto.v1.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Package and service resources against the host's real tools, never installing or starting anything. */
class HostToolResourcesTest {

    @TempDir
    Path root;

    private RunResult run(List<Path> searchPath, Path osRelease, String resource, boolean dryRun) throws Exception {
        ConfigExecutor executor = new ConfigExecutor(Clock.systemUTC(), searchPath, osRelease);
        return executor.execute(ConfigRun.of("{\"resources\":[" + resource + "]}", dryRun, Duration.ofSeconds(20), root));
    }

    private Path osRelease(String content) throws Exception {
        return Files.writeString(root.resolve("os-release-" + content.hashCode()), content);
    }

    private static Struct first(RunResult result) {
        return result.result().getFieldsOrThrow("resources").getListValue().getValues(0).getStructValue();
    }

    private static String field(RunResult result, String name) {
        Value value = first(result).getFieldsOrThrow(name);
        return value.getStringValue();
    }

    @Test
    void package_withoutDpkgQueryOnPath_failsNamingTheMissingTool() throws Exception {
        Path emptyPath = Files.createDirectories(root.resolve("empty-bin"));
        Path debian = osRelease("PRETTY_NAME=\"Debian GNU/Linux 12\"\nID=debian\n");

        RunResult result = run(List.of(emptyPath), debian, "{\"type\":\"package\",\"name\":\"bash\"}", false);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).startsWith("resource #1 (package bash): dpkg-query not found on PATH (" + emptyPath + ")");
        assertThat(field(result, "status")).isEqualTo("failed");
        assertThat(field(result, "name")).isEqualTo("bash");
    }

    @Test
    void package_onRhelLikeWithoutRpm_failsNamingRpm() throws Exception {
        Path emptyPath = Files.createDirectories(root.resolve("empty-bin"));
        Path rocky = osRelease("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n");

        RunResult result = run(List.of(emptyPath), rocky, "{\"type\":\"package\",\"name\":\"bash\"}", true);

        assertThat(result.reason()).contains("rpm not found on PATH");
    }

    @Test
    void package_onUnknownOs_failsSayingWhichAreSupported() throws Exception {
        Path plan9 = osRelease("ID=plan9\n");

        RunResult result = run(CommandRunner.systemSearchPath(), plan9, "{\"type\":\"package\",\"name\":\"bash\"}", true);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("no supported package manager", "ID=plan9", "Debian-like (apt)");
    }

    @Test
    void package_installedOnThisDebianHost_isUnchanged_andAMissingOneWouldChange() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")), "dpkg-query is not installed here");
        Path debian = osRelease("ID=debian\n");

        RunResult bash = run(CommandRunner.systemSearchPath(), debian, "{\"type\":\"package\",\"name\":\"bash\"}", false);
        RunResult missing = run(CommandRunner.systemSearchPath(), debian,
                "{\"type\":\"package\",\"name\":\"muster-no-such-package\"}", true);
        RunResult removeBash = run(CommandRunner.systemSearchPath(), debian,
                "{\"type\":\"package\",\"name\":\"bash\",\"state\":\"absent\"}", true);

        assertThat(bash.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(field(bash, "status")).isEqualTo("unchanged");
        assertThat(field(missing, "status")).isEqualTo("changed");
        assertThat(field(missing, "description")).isEqualTo("not installed: install with apt-get");
        assertThat(field(removeBash, "description")).isEqualTo("installed: remove with apt-get");
    }

    @Test
    void service_withoutSystemctl_failsWithAClearReason() throws Exception {
        Path emptyPath = Files.createDirectories(root.resolve("empty-bin"));

        RunResult result = run(List.of(emptyPath), Path.of("/etc/os-release"),
                "{\"type\":\"service\",\"name\":\"ssh\",\"running\":true}", true);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("resource #1 (service ssh)", "systemctl not found on PATH", "service resources need systemd");
    }

    @Test
    void service_withSystemctlButNoSystemd_failsSayingSystemdIsNotRunning() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemctl")), "systemctl is not installed here");
        assumeTrue(!Files.readString(Path.of("/proc/1/comm")).trim().equals("systemd"), "systemd runs here");

        RunResult result = run(CommandRunner.systemSearchPath(), Path.of("/etc/os-release"),
                "{\"type\":\"service\",\"name\":\"ssh\",\"running\":true}", true);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("systemd is not running on this host");
    }

    @Test
    void service_unknownUnit_failsInsteadOfLookingDisabled() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemctl")), "systemctl is not installed here");

        RunResult result = run(CommandRunner.systemSearchPath(), Path.of("/etc/os-release"),
                "{\"type\":\"service\",\"name\":\"muster-no-such-unit.service\",\"enabled\":true}", true);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("no systemd unit named muster-no-such-unit.service");
    }

    @Test
    void service_withoutEnabledOrRunning_isABadSpec() throws Exception {
        RunResult result = run(CommandRunner.systemSearchPath(), Path.of("/etc/os-release"),
                "{\"type\":\"service\",\"name\":\"ssh\"}", true);

        assertThat(result.reason()).isEqualTo("invalid config spec: resource #1 (service): needs \"enabled\" or \"running\"");
    }
}
