package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The host's package manager, chosen from {@code /etc/os-release} ({@code ID}, then {@code ID_LIKE}):
 * apt for Debian-like systems, dnf for Fedora/RHEL-like ones.
 */
enum PackageManager {
    APT("dpkg-query", "apt-get", Set.of("debian", "ubuntu", "raspbian", "linuxmint", "pop")),
    DNF("rpm", "dnf", Set.of("fedora", "rhel", "centos", "rocky", "almalinux", "amzn", "ol"));

    private final String query;
    private final String installer;
    private final Set<String> distributions;

    PackageManager(String query, String installer, Set<String> distributions) {
        this.query = query;
        this.installer = installer;
        this.distributions = distributions;
    }

    String installer() {
        return installer;
    }

    static PackageManager detect(Path osRelease) throws ConfigException {
        Map<String, String> release = parse(osRelease);
        List<String> ids = new ArrayList<>();
        ids.add(release.getOrDefault("ID", ""));
        ids.addAll(List.of(release.getOrDefault("ID_LIKE", "").split("\\s+")));
        for (String id : ids) {
            for (PackageManager manager : values()) {
                if (manager.distributions.contains(id)) {
                    return manager;
                }
            }
        }
        throw new ConfigException("no supported package manager for this OS (" + osRelease + ": ID="
                + release.getOrDefault("ID", "") + " ID_LIKE=" + release.getOrDefault("ID_LIKE", "")
                + "); supported: Debian-like (apt), Fedora/RHEL-like (dnf)");
    }

    private static Map<String, String> parse(Path osRelease) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(osRelease, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot tell the package manager: " + osRelease + " does not exist", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + osRelease + ": " + PosixAttributes.describe(e), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq <= 0) {
                continue;
            }
            String value = line.substring(eq + 1).trim();
            if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'")) && value.endsWith(value.substring(0, 1))) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(line.substring(0, eq).trim(), value.toLowerCase(Locale.ROOT));
        }
        return values;
    }

    /** Cheap query of the package database: no repository access. */
    boolean installed(CommandRunner commands, String name) throws ConfigException {
        commands.require(query, "needed to check packages with " + name().toLowerCase(Locale.ROOT));
        if (this == APT) {
            CommandRunner.Outcome outcome = commands.run(List.of("dpkg-query", "-W", "-f=${Status}", name), null, Map.of(), false);
            if (outcome.exitCode() == 0) {
                return outcome.stdout().trim().endsWith(" installed");
            }
            if (outcome.exitCode() == 1) {
                return false;
            }
            throw new ConfigException("dpkg-query failed (exit " + outcome.exitCode() + "): " + outcome.lastLine());
        }
        CommandRunner.Outcome outcome = commands.run(List.of("rpm", "-q", "--quiet", name), null, Map.of(), false);
        return outcome.exitCode() == 0;
    }

    void install(CommandRunner commands, String name) throws ConfigException {
        change(commands, this == APT
                ? List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", name)
                : List.of("dnf", "install", "-y", "-q", name));
    }

    void remove(CommandRunner commands, String name) throws ConfigException {
        change(commands, this == APT
                ? List.of("apt-get", "remove", "-y", "-q", name)
                : List.of("dnf", "remove", "-y", "-q", name));
    }

    private void change(CommandRunner commands, List<String> argv) throws ConfigException {
        commands.require(installer, "needed to change packages");
        Map<String, String> env = this == APT ? Map.of("DEBIAN_FRONTEND", "noninteractive") : Map.of();
        CommandRunner.Outcome outcome = commands.run(argv, null, env, true);
        if (outcome.exitCode() != 0) {
            throw new ConfigException(String.join(" ", argv) + " exited " + outcome.exitCode() + ": " + outcome.lastLine());
        }
    }
}
