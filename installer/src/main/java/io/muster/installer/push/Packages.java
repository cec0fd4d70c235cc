package io.muster.installer.push;

import io.muster.installer.packaging.AgentPackageSpec;
import io.muster.installer.packaging.AgentPackager;
import io.muster.installer.packaging.PackageFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The agent packages of one install run, built on first need: a fleet of Debian hosts never
 * builds the rpm, and a rerun on hosts that all have this package builds none. Every format is built from the same contents, so the package id is the same in
 * all three. Thread-safe.
 */
public final class Packages {

    private final AgentPackageSpec spec;
    private final Path directory;
    private final Map<PackageFormat, AgentPackager.Built> built = new EnumMap<>(PackageFormat.class);
    private String packageId;

    /** @param spec the package contents, without an enrollment token (tokens go per host) */
    public Packages(AgentPackageSpec spec, Path directory) {
        if (spec.enrollTokenFile() != null) {
            throw new IllegalArgumentException("packages for a push install carry no token: it is written to each host separately");
        }
        this.spec = spec;
        this.directory = directory;
    }

    /** The id every format of this run's package has; known without building one (a rerun on installed hosts builds nothing). */
    public synchronized String packageId() throws IOException {
        if (packageId == null) {
            packageId = built.isEmpty() ? AgentPackager.packageId(spec) : built.values().iterator().next().packageId();
        }
        return packageId;
    }

    public synchronized AgentPackager.Built get(PackageFormat format) throws IOException {
        AgentPackager.Built existing = built.get(format);
        if (existing == null) {
            existing = AgentPackager.build(spec, format, directory);
            built.put(format, existing);
        }
        return existing;
    }
}
