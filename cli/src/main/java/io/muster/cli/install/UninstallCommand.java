package io.muster.cli.install;

import io.muster.cli.api.ApiOptions;
import io.muster.cli.duration.DurationConverter;
import io.muster.installer.fleet.FleetApi;
import io.muster.installer.push.AgentRemoval;
import io.muster.installer.push.FleetRun;
import io.muster.installer.push.HostResult;
import io.muster.installer.ssh.SshConnector;
import io.muster.installer.ssh.SshTarget;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muster uninstall}: stop and remove the agent on hosts over SSH, optionally decommissioning them first. */
@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = "Stop and remove the agent on hosts over SSH; --decommission decommissions each host in the "
                + "controller first. Data (host id, certificate) is kept unless --purge.")
public final class UninstallCommand implements Callable<Integer> {

    @Option(names = "--decommission",
            description = "Decommission each host in the controller first (needs an operator token; the host is revoked).")
    boolean decommission;

    @Option(names = "--purge", description = "Also delete /var/lib/muster-agent and /etc/muster (host id, certificate, config).")
    boolean purge;

    @Option(names = "--decommission-timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
            description = "How long a decommission may take per host (default: ${DEFAULT-VALUE}).")
    Duration decommissionTimeout;

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Bound of one remote command (default: ${DEFAULT-VALUE}).")
    Duration commandTimeout;

    @Mixin
    SshOptions ssh;

    @Mixin
    ApiOptions api;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<SshTarget> targets = ssh.targets();
        String sudoPassword = ssh.sudoPassword();
        FleetReport report = new FleetReport("uninstall", spec.commandLine().getErr(), FleetReport.terminal(), targets.size());
        try (SshConnector connector = ssh.connector()) {
            AgentRemoval removal = new AgentRemoval(new FleetApi(api.url(), api.token()), decommission, purge, ssh.sudo, sudoPassword,
                    commandTimeout, decommissionTimeout);
            List<HostResult> results = new FleetRun(connector, ssh.parallel).run(targets, removal, report);
            report.summary(results, api.json(), spec.commandLine().getOut());
            return results.stream().anyMatch(result -> result.outcome().failed()) ? InstallCommand.SOME_HOSTS_FAILED : 0;
        }
    }
}
