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
 * builds the rpm. Every format is built from the same contents, so the package id is the same in
 * all three. Thread-safe.
 */
public final class Packages {

    private final AgentPackageSpec spec;
    private final Path directory;
    private final Map<PackageFormat, AgentPackager.Built> built = new EnumMap<>(PackageFormat.class);

    /** @param spec the package contents, without an enrollment token (tokens go per host) */
    public Packages(AgentPackageSpec spec, Path directory) {
        if (spec.enrollTokenFile() != null) {
            throw new IllegalArgumentException("packages for a push install carry no token: it is written to each host separately");
        }
        this.spec = spec;
        this.directory = directory;
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
