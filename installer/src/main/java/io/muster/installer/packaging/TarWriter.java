package io.muster.installer.packaging;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Writes a .tar.gz (commons-compress) to unpack under {@code /}: the same files and modes as the
 * deb and rpm, owned by root, with the maintainer scripts in {@code /opt/muster-agent/package/}
 * for the installer to run (there is no package manager to run them).
 */
final class TarWriter {

    private TarWriter() {
    }

    static void write(PackageContents contents, Path output) throws IOException {
        try (OutputStream file = Files.newOutputStream(output);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (PackageContents.Entry entry : contents.entries()) {
                String name = entry.path().substring(1) + (entry.directory() ? "/" : "");
                TarArchiveEntry tarEntry = new TarArchiveEntry(name);
                tarEntry.setMode((entry.directory() ? TarArchiveEntry.DEFAULT_DIR_MODE & ~07777 : TarArchiveEntry.DEFAULT_FILE_MODE & ~07777)
                        | entry.mode());
                tarEntry.setIds(0, 0);
                tarEntry.setNames("root", "root");
                if (!entry.directory()) {
                    tarEntry.setSize(Files.size(entry.source()));
                }
                tar.putArchiveEntry(tarEntry);
                if (!entry.directory()) {
                    Files.copy(entry.source(), tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }
}
