package io.muster.agent.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The agent builds of one host and the state of an upgrade, in {@code <dataDir>/agent-builds}:
 * <ul>
 *   <li>{@code current.jar}: the build the supervisor starts (absent: the distribution's own);</li>
 *   <li>{@code previous.jar}, or {@code previous.distribution} when the distribution ran before:
 *       what a rollback restores;</li>
 *   <li>{@code pending}: the version of an installed build that has not yet proven itself;</li>
 *   <li>{@code healthy}: written by a started agent once a controller welcomed it;</li>
 *   <li>{@code rollback/}: the journal and lifecycle handoff as the previous build left them, so a
 *       rollback also discards whatever the failed build wrote before it reached a controller;</li>
 *   <li>{@code rollback.txt}: why the last upgrade was undone, read once by the restored agent.</li>
 * </ul>
 *
 * <p>Every replacement is a rename within the directory, so a crash leaves either the old or the
 * new file, never a torn one. Not thread-safe: the supervisor and its one agent process use it in
 * turn (the agent installs, then exits; the supervisor takes over).
 */
public final class BuildSlots {

    /** Files of the data directory an agent process changes before it reaches a controller. */
    private static final List<String> AGENT_STATE = List.of("journal", "lifecycle/handoff.json");

    private final Path dataDir;
    private final Path dir;

    public BuildSlots(Path dataDir) {
        this.dataDir = dataDir;
        this.dir = dataDir.resolve("agent-builds");
    }

    public Path dir() {
        return dir;
    }

    public Path current() {
        return dir.resolve("current.jar");
    }

    public Path previous() {
        return dir.resolve("previous.jar");
    }

    private Path previousIsDistribution() {
        return dir.resolve("previous.distribution");
    }

    private Path pending() {
        return dir.resolve("pending");
    }

    private Path healthy() {
        return dir.resolve("healthy");
    }

    private Path rollbackNote() {
        return dir.resolve("rollback.txt");
    }

    private Path rollbackState() {
        return dir.resolve("rollback");
    }

    /** The installed build to start, or empty when the distribution's own agent runs. */
    public Optional<Path> currentBuild() {
        return Files.isRegularFile(current()) ? Optional.of(current()) : Optional.empty();
    }

    /** A fresh file in the directory to download into (same file system as the slots). */
    public Path staging(String version) throws IOException {
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "download-" + version.replaceAll("[^A-Za-z0-9._-]", "_") + "-", ".part");
    }

    /**
     * Installs {@code staged} (build {@code version}) as current and marks it pending; the current
     * build (or the fact that the distribution ran) is kept for a rollback.
     */
    public void install(Path staged, String version) throws IOException {
        Files.createDirectories(dir);
        clearHealthy();
        if (Files.exists(current())) {
            Path copy = dir.resolve("previous.jar.tmp");
            Files.copy(current(), copy, StandardCopyOption.REPLACE_EXISTING);
            move(copy, previous());
            Files.deleteIfExists(previousIsDistribution());
        } else {
            Files.writeString(previousIsDistribution(), "the distribution's agent ran before this upgrade\n",
                    StandardCharsets.UTF_8);
            Files.deleteIfExists(previous());
        }
        write(pending(), version);
        move(staged, current());
    }

    /** The version of an installed build that has not yet reached a controller. */
    public Optional<String> pendingUpgrade() throws IOException {
        return read(pending());
    }

    /**
     * Keeps the agent state (journal, handoff) as the previous build left it, once per upgrade:
     * called by the supervisor after the previous build exited and before the new one starts.
     */
    public void keepStateForRollback() throws IOException {
        if (Files.isDirectory(rollbackState())) {
            return;
        }
        Path temp = dir.resolve("rollback.tmp");
        deleteTree(temp);
        Files.createDirectories(temp);
        for (String name : AGENT_STATE) {
            Path source = dataDir.resolve(name);
            if (Files.isRegularFile(source)) {
                Path target = temp.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(source, target);
            }
        }
        move(temp, rollbackState());
    }

    /**
     * Undoes the pending upgrade: the previous build becomes current again (or the distribution's
     * agent, when it ran before), the kept agent state is put back and {@code why} is left for the
     * restored agent to report.
     *
     * @return false when there was nothing to restore (no upgrade recorded)
     */
    public boolean rollBack(String why) throws IOException {
        boolean restored;
        if (Files.exists(previous())) {
            Path copy = dir.resolve("current.jar.tmp");
            Files.copy(previous(), copy, StandardCopyOption.REPLACE_EXISTING);
            move(copy, current());
            restored = true;
        } else if (Files.exists(previousIsDistribution())) {
            Files.deleteIfExists(current());
            Files.delete(previousIsDistribution());
            restored = true;
        } else {
            restored = false;
        }
        if (Files.isDirectory(rollbackState())) {
            for (String name : AGENT_STATE) {
                Path kept = rollbackState().resolve(name);
                Path target = dataDir.resolve(name);
                if (Files.isRegularFile(kept)) {
                    Files.createDirectories(target.getParent());
                    Path temp = target.resolveSibling(target.getFileName() + ".rollback");
                    Files.copy(kept, temp, StandardCopyOption.REPLACE_EXISTING);
                    move(temp, target);
                } else {
                    Files.deleteIfExists(target);
                }
            }
            deleteTree(rollbackState());
        }
        write(rollbackNote(), why);
        Files.deleteIfExists(pending());
        clearHealthy();
        return restored;
    }

    /** The pending build reached a controller: it stays, and the rollback state is dropped. */
    public void confirm() throws IOException {
        Files.deleteIfExists(pending());
        deleteTree(rollbackState());
    }

    /** Marks the running agent as welcomed by a controller (the supervisor's sign that a new build works). */
    public void markHealthy(String version) throws IOException {
        Files.createDirectories(dir);
        write(healthy(), version);
    }

    /** The version that last marked itself healthy since the last install. */
    public Optional<String> healthyVersion() throws IOException {
        return read(healthy());
    }

    void clearHealthy() throws IOException {
        Files.deleteIfExists(healthy());
    }

    /** Why the last upgrade was rolled back, consumed (read once). */
    public Optional<String> takeRollbackNote() throws IOException {
        Optional<String> note = read(rollbackNote());
        Files.deleteIfExists(rollbackNote());
        return note;
    }

    private static Optional<String> read(Path file) throws IOException {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static void write(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        move(temp, file);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
