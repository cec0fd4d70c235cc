package io.muster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.launch.ChildProcess;
import io.muster.cli.launch.JavaCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard with real processes: a "postgres" stand-in (a shell script of that name, which is what
 * the guard checks before it signals anything), a parent and a sibling process.
 */
class DatabaseGuardTest {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final List<ChildProcess> children = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (ChildProcess child : children) {
            child.stop(Duration.ofSeconds(5));
        }
        for (Process process : processes) {
            process.destroyForcibly().waitFor();
        }
    }

    /** A process that runs until SIGTERM and then exits 0, with {@code args} on its command line. */
    private Process waiter(Path script, String... args) throws IOException {
        if (!Files.exists(script)) {
            Files.writeString(script, "#!/bin/sh\ntrap 'kill $!; exit 0' TERM\nsleep 300 &\nwait\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(process);
        return process;
    }

    private Process fakePostgres(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Process postgres = waiter(dir.resolve("postgres"));
        Files.writeString(dataDir.resolve("postmaster.pid"), postgres.pid() + "\n" + dataDir + "\n", StandardCharsets.UTF_8);
        return postgres;
    }

    private ChildProcess guard(Path dataDir, long parentPid) {
        ChildProcess guard = ChildProcess.start("db-guard", JavaCommand.current().muster(List.of(),
                List.of("db-guard", "--postgres-dir", dataDir.toString(), "--parent-pid", Long.toString(parentPid))),
                dir.resolve("db-guard.log"));
        children.add(guard);
        return guard;
    }

    /** The guard says so once its signal handlers are in place. */
    private static void awaitGuarding(ChildProcess guard) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                Files.readString(guard.log(), StandardCharsets.UTF_8).contains("guarding the PostgreSQL server"));
    }

    @Test
    void parentGone_waitsForSiblingsThenStopsPostgres() throws Exception {
        Path dataDir = dir.resolve("data");
        Process postgres = fakePostgres(dataDir);
        Process parent = waiter(dir.resolve("parent"));
        Process sibling = waiter(dir.resolve("member"), "--parent-pid", Long.toString(parent.pid()));
        ChildProcess guard = guard(dataDir, parent.pid());
        awaitGuarding(guard);

        parent.destroyForcibly().waitFor();

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(postgres::isAlive);
        sibling.destroy();
        await().atMost(Duration.ofSeconds(20)).until(() -> !postgres.isAlive());
        await().atMost(Duration.ofSeconds(20)).until(() -> guard.exitCode().isPresent());
        assertThat(guard.exitCode()).contains(0);
    }

    @Test
    void stoppedBySignalWhileParentAlive_leavesPostgresAlone() throws Exception {
        Path dataDir = dir.resolve("data");
        Process postgres = fakePostgres(dataDir);
        ChildProcess guard = guard(dataDir, ProcessHandle.current().pid());
        awaitGuarding(guard);

        assertThat(guard.stop(Duration.ofSeconds(20))).isTrue();

        assertThat(guard.exitCode()).contains(0);
        assertThat(postgres.isAlive()).isTrue();
    }

    @Test
    void postmaster_onlyALivePostgresProcess() throws Exception {
        Path dataDir = dir.resolve("data");
        assertThat(DatabaseGuardCommand.postmaster(dataDir)).isEmpty();

        Process postgres = fakePostgres(dataDir);
        assertThat(DatabaseGuardCommand.postmaster(dataDir)).map(ProcessHandle::pid).contains(postgres.pid());

        Process unrelated = waiter(dir.resolve("unrelated"));
        Files.writeString(dataDir.resolve("postmaster.pid"), unrelated.pid() + "\n", StandardCharsets.UTF_8);
        assertThat(DatabaseGuardCommand.postmaster(dataDir)).isEmpty();

        Files.writeString(dataDir.resolve("postmaster.pid"), "not a pid\n", StandardCharsets.UTF_8);
        assertThat(DatabaseGuardCommand.postmaster(dataDir)).isEmpty();
    }
}
