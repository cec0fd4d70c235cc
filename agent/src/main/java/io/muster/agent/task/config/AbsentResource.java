package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Nothing at {@code path}: a file or symlink (the link itself, never its target) is removed, an
 * empty directory too; a directory with entries only when {@code recursive} is set.
 */
record AbsentResource(Path path, boolean recursive) implements PathResource {

    @Override
    public String type() {
        return "absent";
    }

    @Override
    public Change check() throws ConfigException {
        PosixFileAttributes actual = attributesOrNull();
        if (actual == null) {
            return Change.unchanged("already absent");
        }
        if (actual.isSymbolicLink()) {
            return Change.changed("remove symlink", "");
        }
        if (actual.isDirectory()) {
            if (!recursive && !isEmpty()) {
                throw new ConfigException(path + " is a directory that is not empty; set \"recursive\": true to remove it");
            }
            return Change.changed(recursive ? "remove directory recursively" : "remove empty directory", "");
        }
        String diff = "";
        if (actual.isRegularFile()) {
            try {
                byte[] bytes = Files.readAllBytes(path);
                // The diff is shown to every reader of the run: a file others may not read (a key,
                // a credential at 0600) is described, never printed; binary content neither.
                String old = actual.permissions().contains(PosixFilePermission.OTHERS_READ)
                        ? FileResource.textOrNote(bytes)
                        : "(content not shown: mode " + PosixFilePermissions.toString(actual.permissions()) + ", "
                                + bytes.length + " bytes, sha256 " + FileResource.sha256(bytes) + ")\n";
                diff = UnifiedDiff.of(path.toString(), old, null);
            } catch (IOException e) {
                throw new ConfigException("cannot read " + path + ": " + PosixAttributes.describe(e), e);
            }
        }
        return Change.changed("remove file", diff);
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) && recursive) {
                deleteTree();
            } else {
                Files.delete(path);
            }
        } catch (DirectoryNotEmptyException e) {
            throw new ConfigException(path + " is a directory that is not empty; set \"recursive\": true to remove it", e);
        } catch (IOException e) {
            throw new ConfigException("cannot remove " + path + ": " + PosixAttributes.describe(e), e);
        }
    }

    private boolean isEmpty() throws ConfigException {
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new ConfigException("cannot list " + path + ": " + PosixAttributes.describe(e), e);
        }
    }

    /** Depth first, never following symlinks: a link inside the tree is removed, not what it points to. */
    private void deleteTree() throws IOException {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
