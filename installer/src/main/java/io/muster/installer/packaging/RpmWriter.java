package io.muster.installer.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import org.redline_rpm.Builder;
import org.redline_rpm.header.Architecture;
import org.redline_rpm.header.Os;
import org.redline_rpm.header.RpmType;
import org.redline_rpm.payload.Directive;

/**
 * Writes an .rpm with redline: {@code Requires: java-headless >= 1:17} (what every Java 17+
 * runtime package provides), the same maintainer scripts (rpm passes 1/2/0 where dpkg passes
 * configure/upgrade/remove; the scripts accept both) and the files, owned by root. The agent's
 * config file is {@code %config(noreplace)}.
 */
final class RpmWriter {

    private static final String SYSTEM_UNITS = "/usr/lib/systemd/system";

    private RpmWriter() {
    }

    static void write(PackageContents contents, Path output) throws IOException {
        Builder builder = new Builder();
        String version = contents.packageVersion();
        builder.setPackage(AgentLayout.PACKAGE_NAME, version, "1");
        builder.setType(RpmType.BINARY);
        builder.setPlatform(Architecture.NOARCH, Os.LINUX);
        builder.setSummary("Muster agent (supervisor, agent and systemd unit)");
        builder.setDescription("Reports this host's inventory and heartbeats to a Muster controller and runs its tasks. "
                + "Package id " + contents.packageId() + ".");
        builder.setLicense("Proprietary");
        builder.setGroup("System Environment/Daemons");
        builder.setBuildHost("localhost");
        builder.addDependencyMore(AgentLayout.RPM_JAVA_DEPENDENCY, AgentLayout.RPM_JAVA_VERSION);
        builder.setPostInstallScript(Files.readString(contents.script("postinst")));
        builder.setPreUninstallScript(Files.readString(contents.script("prerm")));
        builder.setPostUninstallScript(Files.readString(contents.script("postrm")));
        // Directories the system owns, so the package does not claim them (on merged-/usr systems /lib is a link).
        for (String builtin : new String[] {"/etc", "/opt", "/var", "/var/lib", "/usr", "/usr/lib", "/usr/lib/systemd", SYSTEM_UNITS}) {
            builder.addBuiltinDirectory(builtin);
        }
        try {
            for (PackageContents.Entry entry : contents.entries()) {
                if (entry.directory()) {
                    builder.addDirectory(entry.path(), entry.mode(), Directive.NONE, "root", "root");
                } else {
                    Directive directive = entry.config() ? new Directive(Directive.RPMFILE_CONFIG | Directive.RPMFILE_NOREPLACE)
                            : Directive.NONE;
                    // rpm-based systems keep units in /usr/lib/systemd/system (/lib is a link to usr/lib there)
                    String path = entry.path().equals(AgentLayout.UNIT) ? SYSTEM_UNITS + "/" + AgentLayout.UNIT_NAME : entry.path();
                    builder.addFile(path, entry.source().toFile(), entry.mode(), directive, "root", "root");
                }
            }
            Path directory = output.toAbsolutePath().getParent();
            String name = builder.build(directory.toFile());
            Files.move(directory.resolve(name), output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks a digest redline needs: " + e.getMessage(), e);
        }
    }
}
