package io.muster.agent.upgrade;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The agent builds of one host and the state of an upgrade, in {@code <dataDir>/agent-builds}:
 * <ul>
 *   <li>{@code current.jar}: the build the supervisor starts (absent: the distribution's own);</li>
 *   <li>{@code previous.jar}, or {@code previous.distribution} when the distribution ran before:
 *       what a rollback restores;</li>
 *   <li>{@code pending}: the version of an installed build that has not yet proven itself; the
 *       agent deletes it ({@link #confirm}) once a controller welcomed it;</li>
 *   <li>{@code rollback/}: the journal and lifecycle handoff as the previous build left them, so a
 *       rollback also discards whatever the failed build wrote before it reached a controller;</li>
 *   <li>{@code rollback.txt}: why the last upgrade was undone, read once by the restored agent.</li>
 * </ul>
 * The agent installs, confirms and reads the note; the supervisor script
 * ({@code agent-supervisor.sh} in the cli module) keeps the state before a trial and rolls back,
 * with the same file names: a shell, not a JVM, so that supervision costs a host almost nothing,
 * and so that a build too broken to run any Java can still be undone.
 *
 * <p>Every replacement is a rename within the directory, so a crash leaves either the old or the
 * new file, never a torn one. Not thread-safe: the supervisor and its one agent process use it in
 * turn (the agent installs, then exits; the supervisor takes over).
 */
public final class BuildSlots {

    private final Path dir;

    public BuildSlots(Path dataDir) {
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
     * The pending build reached a controller: it stays, and the rollback state is dropped. The
     * supervisor script takes the absence of {@code rollback/} for the end of the trial, so it goes
     * first: a crash between the two leaves {@code pending} alone, and the build is tried again.
     */
    public void confirm() throws IOException {
        deleteTree(rollbackState());
        Files.deleteIfExists(pending());
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
