package io.muster.cli.install;

import io.muster.cli.address.HostPortConverter;
import io.muster.cli.api.ApiOptions;
import io.muster.cli.duration.DurationConverter;
import io.muster.installer.fleet.FleetApi;
import io.muster.installer.packaging.AgentPackageSpec;
import io.muster.installer.push.AgentInstall;
import io.muster.installer.push.FleetRun;
import io.muster.installer.push.HostResult;
import io.muster.installer.push.InstallSettings;
import io.muster.installer.push.Packages;
import io.muster.installer.ssh.SshConnector;
import io.muster.installer.ssh.SshTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code muster install}: the agent onto a list of servers over SSH, until each shows online in
 * the controller. Exit code 0 when every host is installed (or already was), 3 when any failed.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Install the agent on hosts over SSH (deb, rpm or tar as the host has), enroll it and wait until "
                + "each host is online in the controller. A rerun leaves installed, online hosts alone.")
public final class InstallCommand implements Callable<Integer> {

    @Option(names = "--controller", required = true, split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class, description = "Controller gRPC addresses, as the hosts reach them.")
    List<String> controllers;

    @Option(names = "--enroll-controller", split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class, description = "The controllers' enrollment ports, as the hosts reach them "
                    + "(default: the host of each --controller with port 7071, the controller's default --enroll-port).")
    List<String> enrollControllers;

    @Option(names = "--enroll-token-file", paramLabel = "FILE",
            description = "Enrollment token for hosts not enrolled yet (one with maxUses >= the number of new hosts); "
                    + "written to each host through the SSH channel into a 0600 file, never on a command line.")
    Path enrollTokenFile;

    @Option(names = "--ca-cert", paramLabel = "FILE",
            description = "The cluster CA (GET /api/v1/ca.pem) to pin at enrollment (default: trust on first use).")
    Path caCert;

    @Option(names = "--online-timeout", paramLabel = "DURATION", defaultValue = "3m", converter = DurationConverter.class,
            description = "How long each host has to show online after its install (default: ${DEFAULT-VALUE}).")
    Duration onlineTimeout;

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Bound of one remote command, the upload included (default: ${DEFAULT-VALUE}).")
    Duration commandTimeout;

    /** Exit code when some host failed (as {@code muster run}): 1 is the command itself failing, 2 bad usage. */
    static final int SOME_HOSTS_FAILED = 3;

    @Mixin
    SshOptions ssh;

    @Mixin
    ApiOptions api;

    @Mixin
    DistributionOption distribution;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<SshTarget> targets = ssh.targets();
        String sudoPassword = ssh.sudoPassword();
        String token = null;
        if (enrollTokenFile != null) {
            if (!Files.isRegularFile(enrollTokenFile)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--enroll-token-file " + enrollTokenFile + " is not a readable file");
            }
            token = Files.readString(enrollTokenFile, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--enroll-token-file " + enrollTokenFile + " is empty");
            }
        }
        if (caCert != null && !Files.isRegularFile(caCert)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ca-cert " + caCert + " is not a readable file");
        }
        AgentPackageSpec packageSpec = new AgentPackageSpec(controllers, distribution.distribution(spec.commandLine()), caCert, null, enrollControllers);
        Path work = Files.createTempDirectory("muster-install");
        FleetReport report = new FleetReport("install", spec.commandLine().getErr(), FleetReport.terminal(), targets.size());
        try (SshConnector connector = ssh.connector()) {
            AgentInstall install = new AgentInstall(new Packages(packageSpec, work), new FleetApi(api.url(), api.token()),
                    new InstallSettings(token, ssh.sudo, sudoPassword, commandTimeout, onlineTimeout));
            List<HostResult> results = new FleetRun(connector, ssh.parallel).run(targets, install, report);
            report.summary(results, api.json(), spec.commandLine().getOut());
            return results.stream().anyMatch(result -> result.outcome().failed()) ? SOME_HOSTS_FAILED : 0;
        } finally {
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(work);
        }
    }
}
