package io.muster.cli.agent;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * An installed agent build may bring its own entry point: when the supervisor script starts the
 * agent from a build ({@code MUSTER_AGENT_BUILD} names the jar, which is first on the class path)
 * and the build's manifest names a {@code Main-Class} other than the one running, that class gets
 * the arguments instead. A shell cannot read a jar's manifest without tools a host may lack, so the
 * JVM does it, first thing. Stateless.
 */
public final class BuildEntryPoint {

    /** The variable the supervisor script sets to the build jar it put first on the class path (empty: the distribution). */
    public static final String BUILD_VARIABLE = "MUSTER_AGENT_BUILD";

    private BuildEntryPoint() {
    }

    /**
     * Runs the build's own main class with {@code args} when there is one.
     *
     * @param running the main class that is running now
     * @return true when the build's main class ran (and returned); false when {@code running} is the entry point
     */
    public static boolean delegate(Class<?> running, String[] args) throws Exception {
        String build = System.getenv(BUILD_VARIABLE);
        if (build == null || build.isBlank()) {
            return false;
        }
        Optional<String> main = mainClass(Path.of(build));
        if (main.isEmpty() || main.get().equals(running.getName())) {
            return false;
        }
        Method entry = Class.forName(main.get()).getMethod("main", String[].class);
        if (!Modifier.isStatic(entry.getModifiers())) {
            throw new IllegalStateException("agent build " + build + ": " + main.get() + ".main is not static");
        }
        try {
            entry.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
        return true;
    }

    static Optional<String> mainClass(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String main = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            return Optional.ofNullable(main).map(String::strip).filter(name -> !name.isEmpty());
        } catch (IOException e) {
            throw new IOException("agent build " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
    }
}
