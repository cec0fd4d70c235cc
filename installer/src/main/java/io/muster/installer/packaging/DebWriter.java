package io.muster.installer.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vafer.jdeb.Compression;
import org.vafer.jdeb.Console;
import org.vafer.jdeb.DataProducer;
import org.vafer.jdeb.DebMaker;
import org.vafer.jdeb.PackagingException;
import org.vafer.jdeb.mapping.Mapper;
import org.vafer.jdeb.mapping.PermMapper;
import org.vafer.jdeb.producers.DataProducerFile;
import org.vafer.jdeb.producers.DataProducerPathTemplate;

/**
 * Writes a .deb with jdeb: the control file (the Java runtime as a dependency, so dpkg refuses a
 * host without one), the maintainer scripts and the files, all owned by root. The agent's config
 * file is a conffile, so an upgrade keeps a copy the operator edited.
 */
final class DebWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DebWriter.class);

    private DebWriter() {
    }

    static void write(PackageContents contents, Path control, Path output) throws IOException {
        Files.createDirectories(control);
        Files.writeString(control.resolve("control"), String.join("\n",
                "Package: " + AgentLayout.PACKAGE_NAME,
                "Version: " + contents.packageVersion(),
                "Section: admin",
                "Priority: optional",
                "Architecture: all",
                "Maintainer: Muster <muster@localhost>",
                "Depends: " + AgentLayout.DEB_JAVA_DEPENDENCY,
                "Recommends: systemd",
                "Description: Muster agent (supervisor, agent and systemd unit)",
                " Reports this host's inventory and heartbeats to a Muster controller and runs its tasks.",
                " Package id " + contents.packageId() + ".",
                ""), StandardCharsets.UTF_8);
        for (String script : PackageContents.SCRIPTS) {
            Files.copy(contents.script(script), control.resolve(script));
        }
        List<DataProducer> data = new ArrayList<>();
        List<DataProducer> conffiles = new ArrayList<>();
        for (PackageContents.Entry entry : contents.entries()) {
            Mapper[] owner = {new PermMapper(0, 0, "root", "root", entry.mode(), entry.mode(), 0, null)};
            if (entry.directory()) {
                data.add(new DataProducerPathTemplate(new String[] {entry.path()}, null, null, owner));
            } else {
                DataProducer file = new DataProducerFile(entry.source().toFile(), entry.path(), null, null, owner);
                // jdeb lists conffiles from the second collection but packs only the first
                data.add(file);
                if (entry.config()) {
                    conffiles.add(file);
                }
            }
        }
        DebMaker maker = new DebMaker(new LogConsole(), data, conffiles);
        maker.setControl(control.toFile());
        maker.setDeb(output.toFile());
        try {
            maker.validate();
            maker.createDeb(Compression.GZIP);
        } catch (PackagingException e) {
            throw new IOException("jdeb could not build " + output.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** jdeb's progress lines go to the log at debug level; warnings stay warnings. */
    private static final class LogConsole implements Console {
        @Override
        public void debug(String message) {
            LOG.debug(message);
        }

        @Override
        public void info(String message) {
            LOG.debug(message);
        }

        @Override
        public void warn(String message) {
            LOG.warn(message);
        }
    }
}
