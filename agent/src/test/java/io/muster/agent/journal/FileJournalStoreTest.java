package io.muster.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal keeps run output: only the agent's user may read it, whatever the process umask. */
class FileJournalStoreTest {

    @TempDir
    Path root;

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void load_newJournal_isCreated0600InADirectoryCreated0700() throws Exception {
        Path file = root.resolve("data").resolve("journal");
        FileJournalStore store = new FileJournalStore(file);

        store.load();
        store.append("secret output".getBytes(StandardCharsets.UTF_8), true);

        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(file.getParent())).isEqualTo("rwx------");
        store.close();
    }

    @Test
    void load_existingWorldReadableJournal_isNarrowedTo0600AndKeepsItsRecords() throws Exception {
        Path file = root.resolve("journal");
        FileJournalStore first = new FileJournalStore(file);
        first.load();
        first.append(new byte[] {1, 2, 3}, true);
        first.close();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        FileJournalStore again = new FileJournalStore(file);
        List<byte[]> records = again.load();

        assertThat(records).hasSize(1);
        assertThat(mode(file)).isEqualTo("rw-------");
        again.close();
    }

    @Test
    void replace_compactedJournal_stays0600() throws Exception {
        Path file = root.resolve("journal");
        FileJournalStore store = new FileJournalStore(file);
        store.load();
        store.append(new byte[] {1}, false);
        // A leftover from a crash mid-compaction, world-readable: it must not be reused with its mode.
        Files.writeString(file.resolveSibling("journal.compact"), "stale");
        Files.setPosixFilePermissions(file.resolveSibling("journal.compact"), PosixFilePermissions.fromString("rw-rw-rw-"));

        store.replace(List.of(new byte[] {2}));

        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(store.size()).isEqualTo(9);
        store.close();
    }
}
