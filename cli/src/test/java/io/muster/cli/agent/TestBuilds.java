package io.muster.cli.agent;

import io.muster.agent.Agent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Agent builds for upgrade tests, made from the agent code this test runs with. */
final class TestBuilds {

    private TestBuilds() {
    }

    /** The agent's code (its jar or classes directory) as a jar whose manifest says {@code version}. */
    static Path agentBuild(String version, Path target) throws IOException, URISyntaxException {
        Path source = Path.of(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), manifest(version, null))) {
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        String name = source.relativize(file).toString().replace('\\', '/');
                        if (!name.equals(JarFile.MANIFEST_NAME)) {
                            copy(out, name, Files.newInputStream(file));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(source.toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry entry = entries.nextElement();
                        if (!entry.isDirectory() && !entry.getName().equals(JarFile.MANIFEST_NAME)) {
                            copy(out, entry.getName(), jar.getInputStream(entry));
                        }
                    }
                }
            }
        }
        return target;
    }

    /** A jar whose Main-Class exits 1 at once. */
    static Path brokenBuild(String version, Path target) throws IOException {
        String name = BrokenAgentMain.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target),
                manifest(version, BrokenAgentMain.class.getName()))) {
            copy(out, name, BrokenAgentMain.class.getClassLoader().getResourceAsStream(name));
        }
        return target;
    }

    private static Manifest manifest(String version, String mainClass) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.IMPLEMENTATION_TITLE, "muster-agent");
        main.put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        if (mainClass != null) {
            main.put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        return manifest;
    }

    private static void copy(JarOutputStream out, String name, InputStream in) throws IOException {
        try (InputStream source = in) {
            out.putNextEntry(new JarEntry(name));
            source.transferTo(out);
            out.closeEntry();
        }
    }
}
