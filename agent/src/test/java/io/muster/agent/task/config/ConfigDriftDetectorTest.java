package io.muster.agent.task.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.agent.task.RunResult;
import io.muster.proto.v1.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDriftDetectorTest {

    @TempDir
    Path root;
    Path dataDir;
    Path file;
    Path link;
    ConfigExecutor executor;

    @BeforeEach
    void apply() throws Exception {
        dataDir = Files.createDirectories(root.resolve("data"));
        file = root.resolve("app.conf");
        link = root.resolve("current");
        executor = new ConfigExecutor(Clock.systemUTC(), CommandRunner.systemSearchPath(), Path.of("/etc/os-release"));
        RunResult applied = run("{\"resources\":["
                + "{\"type\":\"file\",\"path\":\"" + file + "\",\"content\":\"a = 1\\nb = 2\\n\",\"mode\":\"0644\"},"
                + "{\"type\":\"symlink\",\"path\":\"" + link + "\",\"target\":\"" + file + "\"}]}", false);
        assertThat(applied.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
    }

    private RunResult run(String spec, boolean dryRun) throws Exception {
        return executor.execute(ConfigRun.of(spec, dryRun, Duration.ofSeconds(20), dataDir));
    }

    @Test
    void detect_untouchedHost_hasNoDrift() throws Exception {
        assertThat(new ConfigDriftDetector(dataDir).detect()).isEmpty();
    }

    @Test
    void detect_nothingAppliedYet_hasNoDrift() throws Exception {
        assertThat(new ConfigDriftDetector(root.resolve("fresh-data")).detect()).isEmpty();
    }

    @Test
    void detect_manualEdit_isReportedWithADiffFromAppliedToCurrent() throws Exception {
        Files.writeString(file, "a = 1\nb = 3\n");

        List<Drift> drifts = new ConfigDriftDetector(dataDir).detect();

        assertThat(drifts).hasSize(1);
        Drift drift = drifts.get(0);
        assertThat(drift.resource()).isEqualTo("file");
        assertThat(drift.path()).isEqualTo(file.toString());
        assertThat(drift.description()).isEqualTo("content differs");
        assertThat(drift.diff()).contains("-b = 2\n", "+b = 3\n", " a = 1\n");
        assertThat(Files.readString(file)).as("detection never corrects").isEqualTo("a = 1\nb = 3\n");
    }

    @Test
    void detect_modeChangeDeletionAndRepointedLink_areReported() throws Exception {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.delete(link);
        Files.createSymbolicLink(link, root.resolve("elsewhere"));

        List<Drift> drifts = new ConfigDriftDetector(dataDir).detect();

        assertThat(drifts).extracting(Drift::description)
                .containsExactly("mode 0666 (want 0644)", "points to " + root.resolve("elsewhere") + " (want " + file + ")");

        Files.delete(file);
        Drift deleted = new ConfigDriftDetector(dataDir).detect().get(0);
        assertThat(deleted.description()).isEqualTo("deleted");
        assertThat(deleted.diff()).contains("+++ /dev/null", "-a = 1");
    }

    @Test
    void detect_afterReapply_driftIsGone_andLaterRunsMergeByPath() throws Exception {
        Files.writeString(file, "hand edit\n");
        Path other = root.resolve("other.conf");
        run("{\"resources\":[{\"type\":\"file\",\"path\":\"" + other + "\",\"content\":\"x\\n\"}]}", false);
        assertThat(new ConfigDriftDetector(dataDir).detect()).extracting(Drift::path).containsExactly(file.toString());

        run("{\"resources\":[{\"type\":\"file\",\"path\":\"" + file + "\",\"content\":\"a = 1\\nb = 2\\n\"}]}", false);
        Files.writeString(other, "y\n");

        assertThat(new ConfigDriftDetector(dataDir).detect()).extracting(Drift::path).containsExactly(other.toString());
    }

    @Test
    void detect_pathMadeAbsentLater_isNoLongerWatched() throws Exception {
        run("{\"resources\":[{\"type\":\"absent\",\"path\":\"" + link + "\"}]}", false);

        assertThat(new ConfigDriftDetector(dataDir).detect()).isEmpty();
        assertThat(Files.readString(AppliedConfig.file(dataDir))).doesNotContain("\"symlink\"").contains("sha256");
    }

    @Test
    void detect_dryRun_doesNotChangeWhatIsWatched() throws Exception {
        run("{\"resources\":[{\"type\":\"file\",\"path\":\"" + file + "\",\"content\":\"dry\\n\"}]}", true);
        Files.writeString(file, "dry\n");

        assertThat(new ConfigDriftDetector(dataDir).detect()).extracting(Drift::description).containsExactly("content differs");
    }
}
