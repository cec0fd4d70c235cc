package io.muster.installer.packaging;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Builds agent packages: {@code muster package} and {@code muster install} both come here. The
 * contents are staged in a temporary directory that is removed afterwards. Stateless.
 */
public final class AgentPackager {

    /**
     * A built package.
     *
     * @param file      the package file
     * @param format    its format
     * @param version   the version the package manager sees, e.g. {@code 0.1.0~SNAPSHOT}
     * @param packageId digest of the contents, also installed as {@code /opt/muster-agent/package-id}
     */
    public record Built(Path file, PackageFormat format, String version, String packageId) {
    }

    private AgentPackager() {
    }

    /** Writes the package for {@code spec} into {@code directory} as {@code muster-agent_VERSION_all.deb} etc. */
    public static Built build(AgentPackageSpec spec, PackageFormat format, Path directory) throws IOException {
        Files.createDirectories(directory);
        Path staging = Files.createTempDirectory("muster-package");
        try {
            PackageContents contents = PackageContents.stage(spec, staging.resolve("files"));
            Path output = directory.resolve(fileName(contents, format));
            switch (format) {
                case DEB -> DebWriter.write(contents, staging.resolve("control"), output);
                case RPM -> RpmWriter.write(contents, output);
                case TAR -> TarWriter.write(contents, output);
            }
            return new Built(output, format, contents.packageVersion(), contents.packageId());
        } finally {
            delete(staging);
        }
    }

    /**
     * The package id {@link #build} would give {@code spec}, without writing an archive: the
     * contents are staged (small files only; the jars are read in place) and digested. What a
     * rerun of {@code muster install} compares with each host's installed id before it builds a
     * package no host may need.
     */
    public static String packageId(AgentPackageSpec spec) throws IOException {
        Path staging = Files.createTempDirectory("muster-package");
        try {
            return PackageContents.stage(spec, staging.resolve("files")).packageId();
        } finally {
            delete(staging);
        }
    }

    private static String fileName(PackageContents contents, PackageFormat format) {
        return switch (format) {
            case DEB -> AgentLayout.PACKAGE_NAME + "_" + contents.packageVersion() + "_all.deb";
            case RPM -> AgentLayout.PACKAGE_NAME + "-" + contents.packageVersion() + "-1.noarch.rpm";
            case TAR -> AgentLayout.PACKAGE_NAME + "-" + contents.version() + ".tar.gz";
        };
    }

    private static void delete(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
