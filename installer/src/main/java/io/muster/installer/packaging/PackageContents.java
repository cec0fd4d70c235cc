package io.muster.installer.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Every file and directory of an agent package, staged on disk, with the mode each gets on the
 * host; the same list feeds the deb, rpm and tar writers, so the formats cannot drift apart.
 * Built once per package; not thread-safe while building.
 */
public final class PackageContents {

    /**
     * One path on the target host.
     *
     * @param path     absolute path on the host
     * @param source   the staged file; null for a directory
     * @param mode     permission bits, e.g. 0644
     * @param config   a configuration file: an upgrade keeps the host's edited copy
     */
    public record Entry(String path, Path source, int mode, boolean config) {

        public boolean directory() {
            return source == null;
        }
    }

    /** The maintainer scripts, by name (postinst, prerm, postrm). */
    public static final List<String> SCRIPTS = List.of("postinst", "prerm", "postrm");

    private final List<Entry> entries = new ArrayList<>();
    private final Path staging;
    private final String version;
    private final String packageId;

    private PackageContents(Path staging, String version, String packageId) {
        this.staging = staging;
        this.version = version;
        this.packageId = packageId;
    }

    /** Stages the package for {@code spec} under {@code staging} (an empty directory). */
    public static PackageContents stage(AgentPackageSpec spec, Path staging) throws IOException {
        AgentDistribution distribution = spec.distribution();
        List<Entry> list = new ArrayList<>();
        Files.createDirectories(staging);
        for (String directory : List.of(AgentLayout.HOME, AgentLayout.LIB, AgentLayout.HOME + "/bin", AgentLayout.SCRIPTS)) {
            list.add(new Entry(directory, null, 0755, false));
        }
        list.add(new Entry(AgentLayout.CONFIG_DIR, null, 0755, false));
        list.add(new Entry(AgentLayout.DATA_DIR, null, 0700, false));
        list.add(new Entry(AgentLayout.MAIN_JAR, distribution.mainJar(), 0644, false));
        for (Path library : distribution.libraries()) {
            list.add(new Entry(AgentLayout.LIB + "/" + library.getFileName(), library, 0644, false));
        }
        list.add(new Entry(AgentLayout.LAUNCHER, resource(staging, "muster-agent.sh"), 0755, false));
        list.add(new Entry(AgentLayout.SUPERVISOR, text(staging, "agent-supervisor.sh", distribution.supervisorScript()),
                0755, false));
        list.add(new Entry(AgentLayout.JVM_OPTIONS, text(staging, "agent-jvm.options",
                "# JVM options of the agent (read by " + AgentLayout.LAUNCHER + ")\n"
                        + String.join("\n", distribution.agentJvmOptions()) + "\n"), 0644, false));
        list.add(new Entry(AgentLayout.UNIT, resource(staging, "muster-agent.service"), 0644, false));
        for (String script : SCRIPTS) {
            list.add(new Entry(AgentLayout.SCRIPTS + "/" + script, resource(staging, script), 0755, false));
        }
        list.add(new Entry(AgentLayout.CONFIG, text(staging, "agent.conf",
                AgentLayout.agentConfig(spec.controllers(), spec.enrollControllers(), spec.caCert() != null)), 0644, true));
        if (spec.caCert() != null) {
            list.add(new Entry(AgentLayout.CA_CERT, spec.caCert(), 0644, false));
        }
        if (spec.enrollTokenFile() != null) {
            String token = Files.readString(spec.enrollTokenFile(), StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("the enrollment token file " + spec.enrollTokenFile() + " is empty");
            }
            Path staged = text(staging, "enroll.token", token + "\n");
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
            list.add(new Entry(AgentLayout.ENROLL_TOKEN, staged, 0600, false));
        }
        String id = digest(list);
        PackageContents contents = new PackageContents(staging, distribution.version(), id);
        contents.entries.addAll(list);
        contents.entries.add(new Entry(AgentLayout.PACKAGE_ID, text(staging, "package-id", id + "\n"), 0644, false));
        return contents;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public List<Entry> files() {
        return entries.stream().filter(entry -> !entry.directory()).toList();
    }

    public List<Entry> directories() {
        return entries.stream().filter(Entry::directory).toList();
    }

    /** The staged maintainer script {@code name} (one of {@link #SCRIPTS}). */
    public Path script(String name) {
        return staging.resolve(name);
    }

    /** The distribution's version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public String version() {
        return version;
    }

    /**
     * The version in the form package managers order correctly: a pre-release suffix after '~'
     * ({@code 0.1.0~SNAPSHOT} sorts before {@code 0.1.0} in dpkg and rpm alike).
     */
    public String packageVersion() {
        return version.replace('-', '~');
    }

    public String packageId() {
        return packageId;
    }

    /** SHA-256 over every path, mode and content, in order: the first 32 hex digits. */
    private static String digest(List<Entry> list) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buffer = new byte[65536];
        for (Entry entry : list) {
            sha.update((entry.path() + "\0" + entry.mode() + "\0").getBytes(StandardCharsets.UTF_8));
            if (entry.source() != null) {
                try (InputStream in = Files.newInputStream(entry.source())) {
                    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    }

    private static Path resource(Path staging, String name) throws IOException {
        try (InputStream in = PackageContents.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the installer jar");
            }
            Path file = staging.resolve(name);
            Files.copy(in, file);
            return file;
        }
    }

    private static Path text(Path staging, String name, String text) {
        try {
            return Files.writeString(staging.resolve(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
