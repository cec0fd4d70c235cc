package io.muster.cli.install;

import io.muster.installer.ssh.SshConnector;
import io.muster.installer.ssh.SshTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The hosts and how to reach them, shared by {@code muster install} and {@code muster uninstall}:
 * a hosts file and/or {@code --host}, the login user and key, host key checking, parallelism and
 * sudo. Public-key logins only; host keys are always checked.
 */
final class SshOptions {

    private static final Path HOME_SSH = Path.of(System.getProperty("user.home"), ".ssh");

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--hosts", paramLabel = "FILE",
            description = "File with one [user@]host[:port] per line (# comments and blank lines are skipped).")
    Path hostsFile;

    @Option(names = "--host", paramLabel = "[USER@]HOST[:PORT]", description = "A host (repeatable; adds to --hosts).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--user", paramLabel = "USER", defaultValue = "root", description = "Login user (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = {"-i", "--identity"}, paramLabel = "KEY",
            description = "Private key file (repeatable; default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist).")
    List<Path> identities = new ArrayList<>();

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "OpenSSH known_hosts file the host keys are checked against (default: ~/.ssh/known_hosts).")
    Path knownHosts;

    @Option(names = "--accept-new",
            description = "Trust hosts that the known hosts file does not list yet and add their keys to it "
                    + "(a key that differs from a listed one is still refused).")
    boolean acceptNew;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "10",
            description = "Hosts worked on at the same time (default: ${DEFAULT-VALUE}).")
    int parallel;

    /** Where the sudo password comes from when there is no --sudo-password-file (an option value would be in argv). */
    static final String SUDO_PASSWORD_ENV = "MUSTER_SUDO_PASSWORD";

    @Option(names = "--sudo", description = "Run the remote commands as root through sudo (for a login other than root): "
            + "without a password where the host's sudo rules allow it, else with --sudo-password-file or $"
            + SUDO_PASSWORD_ENV + ".")
    boolean sudo;

    @Option(names = "--sudo-password-file", paramLabel = "FILE",
            description = "File whose first line is the password sudo asks for (needs --sudo). It goes to sudo -S over the SSH "
                    + "channel's stdin, never on a command line. Default: $" + SUDO_PASSWORD_ENV + " when set.")
    Path sudoPasswordFile;

    @Option(names = "--ssh-timeout", paramLabel = "DURATION", defaultValue = "15s",
            converter = io.muster.cli.duration.DurationConverter.class,
            description = "Bound of the SSH connect and login per host (default: ${DEFAULT-VALUE}).")
    Duration sshTimeout;

    List<SshTarget> targets() {
        Set<String> lines = new LinkedHashSet<>();
        if (hostsFile != null) {
            try {
                for (String line : Files.readAllLines(hostsFile, StandardCharsets.UTF_8)) {
                    String text = line.strip();
                    if (!text.isEmpty() && !text.startsWith("#")) {
                        lines.add(text);
                    }
                }
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--hosts " + hostsFile + " cannot be read: " + e.getMessage());
            }
        }
        lines.addAll(hosts);
        if (lines.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no hosts: give --hosts FILE or --host HOST");
        }
        if (parallel < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallel must be at least 1, not " + parallel);
        }
        List<SshTarget> targets = new ArrayList<>();
        for (String line : lines) {
            try {
                targets.add(SshTarget.parse(line, user));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "bad host " + e.getMessage());
            }
        }
        return targets;
    }

    /** The password for sudo (the file's first line, else the environment's), or null: passwordless sudo only. */
    String sudoPassword() {
        if (sudoPasswordFile != null) {
            if (!sudo) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sudo-password-file needs --sudo");
            }
            String password;
            try {
                password = Files.readAllLines(sudoPasswordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sudo-password-file " + sudoPasswordFile
                        + " cannot be read: " + e.getMessage());
            }
            if (password.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--sudo-password-file " + sudoPasswordFile
                        + " has no password on its first line");
            }
            return password;
        }
        String fromEnvironment = System.getenv(SUDO_PASSWORD_ENV);
        return sudo && fromEnvironment != null && !fromEnvironment.isEmpty() ? fromEnvironment : null;
    }

    SshConnector connector() throws IOException {
        List<Path> keys = new ArrayList<>(identities);
        if (keys.isEmpty()) {
            for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                if (Files.isRegularFile(HOME_SSH.resolve(name))) {
                    keys.add(HOME_SSH.resolve(name));
                }
            }
        }
        for (Path key : keys) {
            if (!Files.isReadable(key)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--identity " + key + " is not a readable file");
            }
        }
        try {
            return new SshConnector(keys, knownHosts != null ? knownHosts : HOME_SSH.resolve("known_hosts"), acceptNew, sshTimeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
