package io.muster.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link JournalStore} in one file. Each record is framed as {@code length:int32, crc32:int32,
 * bytes}; on load, the first frame that is short or fails its checksum marks the end of the intact
 * journal (a crash mid-append) and the file is truncated there. Compaction writes a temp file,
 * forces it, and renames it over the journal.
 *
 * <p>The journal holds run output, which can carry anything a command printed. It is readable by
 * the agent's user alone whatever the umask: the file is created 0600 (an older, wider one is
 * narrowed on load) and a directory it creates is 0700.
 */
public final class FileJournalStore implements JournalStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileJournalStore.class);
    static final int MAX_RECORD = 64 << 20;

    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE = PosixFilePermissions.asFileAttribute(OWNER_RW);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path file;
    private FileChannel channel;

    public FileJournalStore(Path file) {
        this.file = file;
    }

    @Override
    public String toString() {
        return file.toString();
    }

    public Path file() {
        return file;
    }

    @Override
    public List<byte[]> load() throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent(), OWNER_ONLY_DIRECTORY);
        List<byte[]> records = new ArrayList<>();
        long intact = 0;
        if (Files.exists(file)) {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer header = ByteBuffer.allocate(8);
                while (true) {
                    header.clear();
                    if (readFully(in, header) < 8) {
                        break;
                    }
                    header.flip();
                    int length = header.getInt();
                    int crc = header.getInt();
                    if (length < 0 || length > MAX_RECORD) {
                        break;
                    }
                    ByteBuffer body = ByteBuffer.allocate(length);
                    if (readFully(in, body) < length || checksum(body.array()) != crc) {
                        break;
                    }
                    records.add(body.array());
                    intact = in.position();
                }
                if (intact < in.size()) {
                    LOG.warn("journal {}: dropping {} bytes of a torn record at the end", file, in.size() - intact);
                }
            }
        }
        channel = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ), OWNER_ONLY_FILE);
        // The attribute only applies to a file this call creates; the mode is also set because the
        // journal may predate this rule (or have been copied with a wider mode).
        Files.setPosixFilePermissions(file, OWNER_RW);
        channel.truncate(intact);
        channel.position(intact);
        return records;
    }

    @Override
    public void append(byte[] record, boolean force) throws IOException {
        ensureOpen();
        channel.write(frame(record));
        if (force) {
            channel.force(false);
        }
    }

    @Override
    public void replace(List<byte[]> records) throws IOException {
        ensureOpen();
        Path tmp = file.resolveSibling(file.getFileName() + ".compact");
        Files.deleteIfExists(tmp);
        try (FileChannel out = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OWNER_ONLY_FILE)) {
            for (byte[] record : records) {
                out.write(frame(record));
            }
            out.force(true);
        } catch (IOException e) {
            // A full disk: the partial copy must not keep the space the next try needs.
            Files.deleteIfExists(tmp);
            throw e;
        }
        channel.close();
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        channel.position(channel.size());
    }

    @Override
    public long size() {
        try {
            return channel == null ? 0 : channel.size();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void ensureOpen() {
        if (channel == null) {
            throw new IllegalStateException("journal store " + file + " is not loaded or already closed");
        }
    }

    private static ByteBuffer frame(byte[] record) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + record.length);
        buffer.putInt(record.length).putInt(checksum(record)).put(record).flip();
        return buffer;
    }

    private static int checksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private static int readFully(FileChannel in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                break;
            }
        }
        return buffer.position();
    }
}
