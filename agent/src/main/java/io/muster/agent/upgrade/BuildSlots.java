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
 * The agent builds of one host, in {@code <dataDir>/agent-builds}: {@code current.jar} (what the
 * supervisor starts), {@code previous.jar} (kept for a rollback), {@code healthy} (written by a
 * started agent once it reached a controller), {@code rollback.txt} (why the last upgrade was
 * undone, read once by the restored agent).
 *
 * <p>Every replacement is a rename within the directory, so a crash leaves either the old or the
 * new file, never a torn one. Not thread-safe: one supervisor and its one agent use it in turn.
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

    Path healthy() {
        return dir.resolve("healthy");
    }

    Path rollbackNote() {
        return dir.resolve("rollback.txt");
    }

    /** A fresh file in the directory to download into (same file system as the slots). */
    public Path staging(String version) throws IOException {
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "download-" + version.replaceAll("[^A-Za-z0-9._-]", "_") + "-", ".part");
    }

    /** Installs {@code staged} as current; the current build (if any) becomes previous. */
    public void install(Path staged) throws IOException {
        Files.createDirectories(dir);
        if (Files.exists(current())) {
            Path copy = dir.resolve("previous.jar.tmp");
            Files.copy(current(), copy, StandardCopyOption.REPLACE_EXISTING);
            move(copy, previous());
        }
        move(staged, current());
    }

    /** Puts the previous build back as current. @return false when there is none */
    public boolean restorePrevious(String why) throws IOException {
        if (!Files.exists(previous())) {
            return false;
        }
        Files.writeString(rollbackNote(), why, StandardCharsets.UTF_8);
        Path copy = dir.resolve("current.jar.tmp");
        Files.copy(previous(), copy, StandardCopyOption.REPLACE_EXISTING);
        move(copy, current());
        return true;
    }

    /** Marks the running agent as connected (the supervisor's sign that a new build works). */
    public void markHealthy(String version) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(healthy(), version, StandardCharsets.UTF_8);
    }

    boolean healthyMarked() {
        return Files.exists(healthy());
    }

    void clearHealthy() throws IOException {
        Files.deleteIfExists(healthy());
    }

    /** Why the last upgrade was rolled back, consumed (read once). */
    public Optional<String> takeRollbackNote() throws IOException {
        try {
            String note = Files.readString(rollbackNote(), StandardCharsets.UTF_8);
            Files.deleteIfExists(rollbackNote());
            return Optional.of(note);
        } catch (NoSuchFileException e) {
            return Optional.empty();
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
