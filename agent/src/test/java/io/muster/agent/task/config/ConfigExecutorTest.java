package io.muster.agent.task.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunResult;
import io.muster.proto.v1.RunState;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigExecutorTest {

    @TempDir
    Path root;
    Path dataDir;
    ConfigExecutor executor;

    @BeforeEach
    void setUp() throws Exception {
        dataDir = Files.createDirectories(root.resolve("agent-data"));
        executor = new ConfigExecutor(Clock.systemUTC(), CommandRunner.systemSearchPath(), Path.of("/etc/os-release"));
    }

    static String q(Object text) {
        return "\"" + text.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static String spec(String... resources) {
        return "{\"resources\":[" + String.join(",", resources) + "]}";
    }

    RunResult run(String spec, boolean dryRun) throws Exception {
        return executor.execute(ConfigRun.of(spec, dryRun, Duration.ofSeconds(20), dataDir));
    }

    static List<Struct> resources(RunResult result) {
        return result.result().getFieldsOrThrow("resources").getListValue().getValuesList().stream()
                .map(Value::getStructValue).collect(Collectors.toList());
    }

    static List<String> statuses(RunResult result) {
        return resources(result).stream().map(r -> r.getFieldsOrThrow("status").getStringValue()).collect(Collectors.toList());
    }

    static double changed(RunResult result) {
        return result.result().getFieldsOrThrow("changed").getNumberValue();
    }

    static String mode(Path path) throws Exception {
        return PosixAttributes.mode(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void execute_fileDirectorySymlinkAbsent_appliesThenReapplyIsAllUnchanged() throws Exception {
        Path conf = root.resolve("etc/app");
        Path file = conf.resolve("app.conf");
        Path link = root.resolve("current");
        Path stale = Files.writeString(root.resolve("stale.conf"), "old\n");
        String spec = spec(
                "{\"type\":\"directory\",\"path\":" + q(conf) + ",\"mode\":\"0750\"}",
                "{\"type\":\"file\",\"path\":" + q(file) + ",\"content\":\"port = 8080\\n\",\"mode\":\"0640\"}",
                "{\"type\":\"symlink\",\"path\":" + q(link) + ",\"target\":" + q(file) + "}",
                "{\"type\":\"absent\",\"path\":" + q(stale) + "}");

        RunResult first = run(spec, false);

        assertThat(first.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(statuses(first)).containsExactly("changed", "changed", "changed", "changed");
        assertThat(changed(first)).isEqualTo(4);
        assertThat(Files.readString(file)).isEqualTo("port = 8080\n");
        assertThat(mode(file)).isEqualTo("0640");
        assertThat(mode(conf)).isEqualTo("0750");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(file);
        assertThat(stale).doesNotExist();
        assertThat(resources(first).get(1).getFieldsOrThrow("diff").getStringValue())
                .contains("--- /dev/null", "+port = 8080");
        assertThat(resources(first).get(1).getFieldsOrThrow("path").getStringValue()).isEqualTo(file.toString());

        RunResult second = run(spec, false);

        assertThat(second.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(statuses(second)).containsExactly("unchanged", "unchanged", "unchanged", "unchanged");
        assertThat(changed(second)).isZero();
    }

    @Test
    void execute_dryRun_reportsTheDiffAndChangesNothing() throws Exception {
        Path file = Files.writeString(root.resolve("motd"), "welcome\nold line\n");
        Path created = root.resolve("new.conf");
        String spec = spec(
                "{\"type\":\"file\",\"path\":" + q(file) + ",\"content\":\"welcome\\nnew line\\n\"}",
                "{\"type\":\"file\",\"path\":" + q(created) + ",\"content\":\"x\\n\"}",
                "{\"type\":\"command\",\"command\":[\"touch\"," + q(root.resolve("ran")) + "]}");
        ConfigRun context = ConfigRun.of(spec, true, Duration.ofSeconds(20), dataDir);

        RunResult result = executor.execute(context);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(statuses(result)).containsExactly("changed", "changed", "changed");
        assertThat(result.result().getFieldsOrThrow("dryRun").getBoolValue()).isTrue();
        String diff = resources(result).get(0).getFieldsOrThrow("diff").getStringValue();
        assertThat(diff).contains("-old line\n", "+new line\n", " welcome\n");
        assertThat(Files.readString(file)).isEqualTo("welcome\nold line\n");
        assertThat(created).doesNotExist();
        assertThat(root.resolve("ran")).doesNotExist();
        assertThat(AppliedConfig.file(dataDir)).doesNotExist();
        assertThat(context.out()).contains("would change", "-old line", "+new line", "dry run: nothing was changed");
    }

    @Test
    void execute_dryRunOfAbsent_printsNoContentOfAPrivateOrBinaryFile() throws Exception {
        Path secret = Files.writeString(root.resolve("id_key"), "PRIVATE KEY MATERIAL\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path binary = Files.write(root.resolve("blob"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Files.setPosixFilePermissions(binary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path open = Files.writeString(root.resolve("readme"), "public words\n");
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        RunResult result = run(spec("{\"type\":\"absent\",\"path\":" + q(secret) + "}",
                "{\"type\":\"absent\",\"path\":" + q(binary) + "}",
                "{\"type\":\"absent\",\"path\":" + q(open) + "}"), true);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        String privateDiff = resources(result).get(0).getFieldsOrThrow("diff").getStringValue();
        assertThat(privateDiff).doesNotContain("PRIVATE KEY").contains("content not shown: mode rw-------, 21 bytes");
        assertThat(resources(result).get(1).getFieldsOrThrow("diff").getStringValue()).contains("binary content, 4 bytes");
        assertThat(resources(result).get(2).getFieldsOrThrow("diff").getStringValue()).contains("-public words");
        assertThat(result.toString()).doesNotContain("PRIVATE KEY");
        assertThat(secret).exists();
    }

    @Test
    void execute_contentUpdate_keepsModeAndLeavesNoTemporaryFile() throws Exception {
        Path file = Files.writeString(root.resolve("secret.conf"), "a\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        RunResult result = run(spec("{\"type\":\"file\",\"path\":" + q(file) + ",\"content\":\"b\\n\"}"), false);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(Files.readString(file)).isEqualTo("b\n");
        assertThat(mode(file)).isEqualTo("0600");
        try (Stream<Path> entries = Files.list(root)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("secret.conf", "agent-data");
        }
    }

    @Test
    void execute_fileWithoutContent_onlyEnsuresItExistsAndItsMode() throws Exception {
        Path existing = Files.writeString(root.resolve("keep"), "hand written\n");
        Path missing = root.resolve("marker");
        String spec = spec("{\"type\":\"file\",\"path\":" + q(existing) + ",\"mode\":\"0600\"}",
                "{\"type\":\"file\",\"path\":" + q(missing) + "}");

        RunResult result = run(spec, false);

        assertThat(statuses(result)).containsExactly("changed", "changed");
        assertThat(Files.readString(existing)).isEqualTo("hand written\n");
        assertThat(mode(existing)).isEqualTo("0600");
        assertThat(Files.size(missing)).isZero();
        assertThat(mode(missing)).isEqualTo(FileResource.DEFAULT_MODE);
        assertThat(statuses(run(spec, false))).containsExactly("unchanged", "unchanged");
    }

    @Test
    void execute_ownerAndGroup_areCheckedAndSetByName() throws Exception {
        String user = System.getProperty("user.name");
        Path file = Files.writeString(root.resolve("owned"), "x\n");
        String group = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class).group().getName();

        RunResult same = run(spec("{\"type\":\"file\",\"path\":" + q(file) + ",\"owner\":" + q(user)
                + ",\"group\":" + q(group) + "}"), false);
        RunResult unknown = run(spec("{\"type\":\"file\",\"path\":" + q(file) + ",\"owner\":\"no-such-user-muster\"}"), false);

        assertThat(statuses(same)).containsExactly("unchanged");
        assertThat(unknown.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(unknown.reason()).contains("resource #1 (file " + file + ")", "no such user: no-such-user-muster");
    }

    @Test
    void execute_symlink_isRepointedAndNeverReplacesAFile() throws Exception {
        Path a = Files.writeString(root.resolve("a"), "a");
        Path b = Files.writeString(root.resolve("b"), "b");
        Path link = Files.createSymbolicLink(root.resolve("link"), a);

        RunResult repointed = run(spec("{\"type\":\"symlink\",\"path\":" + q(link) + ",\"target\":" + q(b) + "}"), false);
        RunResult blocked = run(spec("{\"type\":\"symlink\",\"path\":" + q(a) + ",\"target\":" + q(b) + "}"), false);

        assertThat(statuses(repointed)).containsExactly("changed");
        assertThat(resources(repointed).get(0).getFieldsOrThrow("description").getStringValue())
                .isEqualTo("points to " + a + " (want " + b + ")");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(b);
        assertThat(blocked.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(blocked.reason()).contains("exists and is a file, not a symlink");
        assertThat(Files.readString(a)).isEqualTo("a");
    }

    @Test
    void execute_absent_removesLinksNotTargets_andDirectoriesOnlyRecursivelyWhenAsked() throws Exception {
        Path target = Files.writeString(root.resolve("target"), "keep me");
        Path link = Files.createSymbolicLink(root.resolve("link"), target);
        Path empty = Files.createDirectories(root.resolve("empty"));
        Path full = Files.createDirectories(root.resolve("full/sub"));
        Files.writeString(full.resolve("f"), "x");
        Files.createSymbolicLink(full.resolve("outside"), target);
        Path fullDir = root.resolve("full");

        RunResult refused = run(spec("{\"type\":\"absent\",\"path\":" + q(fullDir) + "}"), false);
        RunResult removed = run(spec("{\"type\":\"absent\",\"path\":" + q(link) + "}",
                "{\"type\":\"absent\",\"path\":" + q(empty) + "}",
                "{\"type\":\"absent\",\"path\":" + q(fullDir) + ",\"recursive\":true}",
                "{\"type\":\"absent\",\"path\":" + q(root.resolve("never-existed")) + "}"), false);

        assertThat(refused.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(refused.reason()).contains("not empty", "\"recursive\": true");
        assertThat(statuses(removed)).containsExactly("changed", "changed", "changed", "unchanged");
        assertThat(link).doesNotExist();
        assertThat(empty).doesNotExist();
        assertThat(fullDir).doesNotExist();
        assertThat(Files.readString(target)).isEqualTo("keep me");
    }

    @Test
    void execute_commandGuards_skipWhenCreatesExistsOrUnlessSucceeds() throws Exception {
        Path marker = root.resolve("marker");
        Path creates = Files.writeString(root.resolve("already"), "");
        String touch = "[\"touch\"," + q(marker) + "]";

        RunResult skippedByCreates = run(spec("{\"type\":\"command\",\"command\":" + touch + ",\"creates\":" + q(creates) + "}"), false);
        RunResult skippedByUnless = run(spec("{\"type\":\"command\",\"command\":" + touch + ",\"unless\":\"true\"}"), false);
        assertThat(marker).doesNotExist();
        RunResult ran = run(spec("{\"type\":\"command\",\"command\":" + touch + ",\"unless\":" + q("test -e " + marker) + "}"), false);
        RunResult again = run(spec("{\"type\":\"command\",\"command\":" + touch + ",\"unless\":" + q("test -e " + marker) + "}"), false);

        assertThat(statuses(skippedByCreates)).containsExactly("unchanged");
        assertThat(resources(skippedByCreates).get(0).getFieldsOrThrow("description").getStringValue()).contains("exists");
        assertThat(statuses(skippedByUnless)).containsExactly("unchanged");
        assertThat(statuses(ran)).containsExactly("changed");
        assertThat(marker).exists();
        assertThat(statuses(again)).containsExactly("unchanged");
    }

    @Test
    void execute_dryRun_doesNotRunTheUnlessGuard() throws Exception {
        Path guardRan = root.resolve("guard-ran");
        Path commandRan = root.resolve("command-ran");
        String spec = spec("{\"type\":\"command\",\"command\":[\"touch\"," + q(commandRan) + "],"
                + "\"unless\":" + q("touch " + guardRan + "; false") + "}");

        RunResult result = run(spec, true);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(guardRan).doesNotExist();
        assertThat(commandRan).doesNotExist();
        assertThat(statuses(result)).containsExactly("changed");
        assertThat(resources(result).get(0).getFieldsOrThrow("description").getStringValue())
                .contains("does not run the guard");

        RunResult applied = run(spec, false);
        assertThat(applied.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(guardRan).exists();
        assertThat(commandRan).exists();
    }

    @Test
    void execute_shellCommand_runsWithItsEnvironmentAndCwd() throws Exception {
        Path out = root.resolve("out");
        RunResult result = run(spec("{\"type\":\"command\",\"shell\":\"echo \\\"$GREETING\\\" > out\","
                + "\"cwd\":" + q(root) + ",\"env\":{\"GREETING\":\"hello\"},\"creates\":" + q(out) + "}"), false);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(Files.readString(out)).isEqualTo("hello\n");
    }

    @Test
    void execute_failingResource_stopsTheRunWithAReasonNamingIt() throws Exception {
        Path first = root.resolve("first");
        Path never = root.resolve("never");
        ConfigRun context = ConfigRun.of(spec(
                "{\"type\":\"file\",\"path\":" + q(first) + ",\"content\":\"1\"}",
                "{\"type\":\"command\",\"shell\":\"echo broken config >&2; exit 3\",\"name\":\"validate\"}",
                "{\"type\":\"file\",\"path\":" + q(never) + ",\"content\":\"2\"}"), false, Duration.ofSeconds(20), dataDir);

        RunResult result = executor.execute(context);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).isEqualTo("resource #2 (command validate): command exited 3: broken config");
        assertThat(statuses(result)).containsExactly("changed", "failed");
        assertThat(resources(result).get(1).getFieldsOrThrow("error").getStringValue()).contains("exited 3");
        assertThat(first).exists();
        assertThat(never).doesNotExist();
        assertThat(context.out()).contains("failed", "1 resource(s) not applied");
        assertThat(AppliedConfig.file(dataDir)).as("a failed run is not recorded for drift").doesNotExist();
    }

    @Test
    void execute_fileInMissingDirectory_failsWithTheDirectoryNamed() throws Exception {
        Path file = root.resolve("no/such/dir/f");

        RunResult result = run(spec("{\"type\":\"file\",\"path\":" + q(file) + ",\"content\":\"x\"}"), false);

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("directory " + file.getParent() + " does not exist");
    }

    @Test
    void execute_badSpec_failsBeforeChangingAnything() throws Exception {
        Path file = root.resolve("would-be-written");
        String valid = "{\"type\":\"file\",\"path\":" + q(file) + ",\"content\":\"x\"}";

        RunResult unknownType = run(spec(valid, "{\"type\":\"fle\",\"path\":\"/tmp/x\"}"), false);
        RunResult missingPath = run(spec("{\"type\":\"file\",\"content\":\"x\"}"), false);
        RunResult relative = run(spec("{\"type\":\"directory\",\"path\":\"etc/x\"}"), false);
        RunResult badMode = run(spec("{\"type\":\"file\",\"path\":\"/tmp/x\",\"mode\":\"rwx\"}"), false);
        RunResult unknownField = run(spec("{\"type\":\"file\",\"path\":\"/tmp/x\",\"contents\":\"x\"}"), false);
        RunResult noResources = run("{\"files\":[]}", false);
        RunResult optionName = run(spec("{\"type\":\"package\",\"name\":\"--purge\"}"), false);

        assertThat(List.of(unknownType, missingPath, relative, badMode, unknownField, noResources, optionName))
                .allSatisfy(r -> assertThat(r.state()).isEqualTo(RunState.RUN_STATE_FAILED));
        assertThat(unknownType.reason()).isEqualTo("invalid config spec: resource #2: unknown type 'fle'; "
                + "expected one of file, directory, symlink, absent, package, service, command");
        assertThat(missingPath.reason()).isEqualTo("invalid config spec: resource #1 (file): missing \"path\"");
        assertThat(relative.reason()).contains("resource #1 (directory)", "must be an absolute path");
        assertThat(badMode.reason()).contains("mode 'rwx' is not an octal permission mode");
        assertThat(unknownField.reason()).contains("unknown field 'contents'");
        assertThat(noResources.reason()).contains("needs \"resources\"");
        assertThat(optionName.reason()).contains("not a valid package name");
        assertThat(file).as("nothing is applied when any resource is invalid").doesNotExist();
    }

    @Test
    void execute_timeout_killsTheCommandAndTimesOut() throws Exception {
        Path started = root.resolve("started");
        ConfigRun context = ConfigRun.of(spec("{\"type\":\"command\",\"shell\":" + q("touch " + started + "; sleep 30") + "}"),
                false, Duration.ofMillis(700), dataDir);

        RunResult result = executor.execute(context);

        assertThat(started).exists();
        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
        assertThat(result.reason()).contains("resource #1");
    }

    @Test
    void execute_cancel_killsTheCommandAndCancels() throws Exception {
        Path started = root.resolve("started");
        ConfigRun context = ConfigRun.of(spec("{\"type\":\"command\",\"shell\":" + q("touch " + started + "; sleep 30") + "}",
                "{\"type\":\"file\",\"path\":" + q(root.resolve("after")) + "}"), false, Duration.ofSeconds(60), dataDir);
        Thread canceller = new Thread(() -> {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(started));
            context.cancel();
        });
        canceller.start();

        RunResult result = executor.execute(context);
        canceller.join();

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_CANCELLED);
        assertThat(root.resolve("after")).doesNotExist();
    }
}
