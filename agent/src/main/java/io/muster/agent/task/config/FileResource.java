package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A regular file with the given content (or, without content, one that merely exists), mode,
 * owner and group. Content is written atomically (a temporary file in the same directory renamed
 * over the old one), keeping the old file's mode and owner unless the resource sets them.
 */
record FileResource(Path path, String content, PosixAttributes attributes) implements PathResource {

    /** Mode of a file this resource creates when it sets none: rw-r--r--, whatever the umask. */
    static final String DEFAULT_MODE = "0644";

    @Override
    public String type() {
        return "file";
    }

    @Override
    public Change check() throws ConfigException {
        PosixFileAttributes actual = attributesOrNull();
        if (actual == null) {
            String diff = content == null ? "" : UnifiedDiff.of(path.toString(), null, content);
            return Change.changed("missing: create file", diff);
        }
        if (actual.isDirectory()) {
            throw new ConfigException(path + " is a directory, not a file");
        }
        List<String> differences = new ArrayList<>();
        String diff = "";
        if (actual.isSymbolicLink()) {
            differences.add("is a symlink: replace it with a file");
            if (content != null) {
                diff = UnifiedDiff.of(path.toString(), null, content);
            }
        } else if (!actual.isRegularFile()) {
            throw new ConfigException(path + " is not a regular file");
        } else if (content != null) {
            byte[] current = readBytes();
            if (!MessageDigest.isEqual(current, bytes())) {
                differences.add("content differs");
                diff = UnifiedDiff.of(path.toString(), textOrNote(current), content);
            }
        }
        if (!actual.isSymbolicLink()) {
            differences.addAll(attributes.differences(actual));
        }
        return differences.isEmpty()
                ? Change.unchanged("up to date")
                : Change.changed(String.join("; ", differences), diff);
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        PosixFileAttributes actual = null;
        try {
            actual = PosixAttributes.read(path);
        } catch (NoSuchFileException e) {
            // created below
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + PosixAttributes.describe(e), e);
        }
        if (actual != null && actual.isDirectory()) {
            throw new ConfigException(path + " is a directory, not a file");
        }
        boolean replace = actual == null || actual.isSymbolicLink()
                || (content != null && !MessageDigest.isEqual(readBytes(), bytes()));
        if (replace) {
            boolean keep = actual != null && actual.isRegularFile();
            write(keep ? actual : null);
        }
        attributes.applyTo(path);
    }

    private void write(PosixFileAttributes previous) throws ConfigException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new ConfigException("cannot create " + path + ": directory " + parent + " does not exist");
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(parent, "." + path.getFileName() + ".", ".muster-tmp");
            Files.write(temp, content == null ? new byte[0] : bytes());
            if (previous != null) {
                PosixAttributes.copy(previous, temp);
            } else {
                Files.setPosixFilePermissions(temp, PosixAttributes.permissions(DEFAULT_MODE));
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            move(temp);
            temp = null;
        } catch (IOException e) {
            throw new ConfigException("cannot write " + path + ": " + PosixAttributes.describe(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: the temporary name is hidden and marked as ours
                }
            }
        }
    }

    private void move(Path temp) throws IOException {
        try {
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    byte[] bytes() {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] readBytes() throws ConfigException {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path + ": " + PosixAttributes.describe(e), e);
        }
    }

    /** The file's text, or a one-line note when it is not UTF-8 text (a diff of binary is noise). */
    static String textOrNote(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "(binary content, " + bytes.length + " bytes, sha256 " + sha256(bytes) + ")\n";
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
