package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.UUID;

/**
 * A symbolic link at {@code path} pointing to {@code target} (written as given, relative or
 * absolute). An existing link is re-pointed atomically; a file or directory in the way is an
 * error rather than something to delete silently (an {@code absent} resource says so explicitly).
 */
record SymlinkResource(Path path, Path target) implements PathResource {

    @Override
    public String type() {
        return "symlink";
    }

    @Override
    public Change check() throws ConfigException {
        PosixFileAttributes actual = attributesOrNull();
        if (actual == null) {
            return Change.changed("missing: create symlink -> " + target, "");
        }
        if (!actual.isSymbolicLink()) {
            throw new ConfigException(path + " exists and is a " + (actual.isDirectory() ? "directory" : "file")
                    + ", not a symlink; remove it first with an 'absent' resource");
        }
        Path current = readLink();
        return current.equals(target)
                ? Change.unchanged("up to date")
                : Change.changed("points to " + current + " (want " + target + ")", "");
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        if (!check().changed()) {
            return;
        }
        Path parent = path.toAbsolutePath().getParent();
        Path temp = parent.resolve("." + path.getFileName() + "." + UUID.randomUUID() + ".muster-tmp");
        try {
            Files.createSymbolicLink(temp, target);
            try {
                // rename(2) replaces an existing link atomically: no moment without the link.
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: the temporary name is hidden and marked as ours
            }
            throw new ConfigException("cannot create symlink " + path + ": " + PosixAttributes.describe(e), e);
        }
    }

    private Path readLink() throws ConfigException {
        try {
            return Files.readSymbolicLink(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read symlink " + path + ": " + PosixAttributes.describe(e), e);
        }
    }
}
