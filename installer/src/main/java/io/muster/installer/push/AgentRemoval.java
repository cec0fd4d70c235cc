package io.muster.installer.push;

import io.muster.installer.fleet.FleetApi;
import io.muster.installer.packaging.AgentLayout;
import io.muster.installer.ssh.RemoteShell;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Removes the agent from one host: optionally decommissions it in the controller first (while
 * its agent still runs, so the agent does its part and the host ends {@code decommissioned} and
 * revoked), then removes the package with the tool that installed it (the package's prerm stops
 * and disables the service), and checks that the unit is gone. The data directory (host id,
 * certificate) stays unless {@code purge}.
 */
public final class AgentRemoval implements FleetRun.HostJob {

    private static final Duration POLL = Duration.ofSeconds(1);

    private final FleetApi fleet;
    private final boolean decommission;
    private final boolean purge;
    private final boolean sudo;
    private final String sudoPassword;
    private final Duration commandTimeout;
    private final Duration decommissionTimeout;

    /** @param sudoPassword the password sudo asks for (sent on the SSH channel's stdin); null: passwordless sudo only */
    public AgentRemoval(FleetApi fleet, boolean decommission, boolean purge, boolean sudo, String sudoPassword, Duration commandTimeout,
                        Duration decommissionTimeout) {
        this.fleet = fleet;
        this.decommission = decommission;
        this.purge = purge;
        this.sudo = sudo;
        this.sudoPassword = sudoPassword;
        this.commandTimeout = commandTimeout;
        this.decommissionTimeout = decommissionTimeout;
    }

    @Override
    public HostResult run(RemoteShell login, Progress progress) throws IOException, InterruptedException {
        String host = login.target().label();
        Instant start = Instant.now();
        try {
            RemoteShell shell = login;
            if (sudo) {
                progress.step(host, "sudo");
                shell = login.withSudo(sudoPassword, commandTimeout);
            }
            progress.step(host, "inspect");
            RemoteShell.Result look = shell.run(HostFacts.SCRIPT + "\nif [ -f " + AgentLayout.UNIT + " ]; then echo unitfile=yes; fi",
                    commandTimeout);
            if (!look.ok()) {
                throw new HostStep("cannot inspect the host: " + look.reason());
            }
            HostFacts facts = HostFacts.parse(look.out());
            if (!facts.root()) {
                throw new HostStep("not root: log in as root or give --sudo");
            }
            boolean unitFile = look.out().contains("unitfile=yes");
            String detail = "";
            if (decommission) {
                if (facts.hostId() == null) {
                    throw new HostStep("cannot decommission: the host has no host id in " + AgentLayout.HOST_ID);
                }
                progress.step(host, "decommission");
                decommission(facts.hostId());
                detail = "decommissioned, ";
            }
            if (!facts.installed() && !unitFile) {
                return new HostResult(host, decommission ? HostOutcome.REMOVED : HostOutcome.ABSENT, facts.hostId(),
                        detail + "no agent installed", Duration.between(start, Instant.now()));
            }
            progress.step(host, "remove");
            RemoteShell.Result removed = shell.run(removal(facts), commandTimeout);
            if (!removed.ok()) {
                throw new HostStep(facts.format().label() + " removal failed: " + removed.reason());
            }
            RemoteShell.Result after = shell.run("systemctl is-active " + AgentLayout.UNIT_NAME + " 2>/dev/null; "
                    + "if [ -e " + AgentLayout.UNIT + " ]; then echo unit-file-left; fi", commandTimeout);
            if (after.out().contains("unit-file-left") || after.out().lines().anyMatch(line -> line.strip().equals("active"))) {
                throw new HostStep("the agent service is still there after removal: " + after.out().strip());
            }
            return new HostResult(host, HostOutcome.REMOVED, facts.hostId(),
                    detail + facts.format().label() + " package removed" + (purge ? ", data purged" : ", data kept in " + AgentLayout.DATA_DIR),
                    Duration.between(start, Instant.now()));
        } catch (HostStep | RemoteShell.NoSudo e) {
            return new HostResult(host, HostOutcome.FAILED, null, e.getMessage(), Duration.between(start, Instant.now()));
        }
    }

    private String removal(HostFacts facts) {
        String purgeData = purge ? " && rm -rf " + AgentLayout.DATA_DIR + " " + AgentLayout.CONFIG_DIR : "";
        return switch (facts.format()) {
            case DEB -> "DEBIAN_FRONTEND=noninteractive dpkg " + (purge ? "--purge " : "--remove ") + AgentLayout.PACKAGE_NAME;
            case RPM -> "rpm -e " + AgentLayout.PACKAGE_NAME + purgeData;
            case TAR -> "s=" + AgentLayout.SCRIPTS + " && sh $s/prerm remove && cp $s/postrm /var/tmp/muster-agent.postrm"
                    + " && rm -rf " + AgentLayout.HOME + " " + AgentLayout.UNIT
                    + " && sh /var/tmp/muster-agent.postrm " + (purge ? "purge" : "remove") + "; rc=$?; rm -f /var/tmp/muster-agent.postrm; exit $rc";
        };
    }

    private void decommission(String hostId) throws IOException, InterruptedException, HostStep {
        Optional<FleetApi.HostStatus> status = fleet.host(hostId);
        if (status.isEmpty()) {
            throw new HostStep("cannot decommission: the controller does not know host " + hostId);
        }
        if (!"decommissioned".equals(status.get().lifecycle())) {
            try {
                fleet.decommission(hostId);
            } catch (IOException e) {
                throw new HostStep("decommission refused: " + e.getMessage());
            }
        }
        Instant deadline = Instant.now().plus(decommissionTimeout);
        while (true) {
            status = fleet.host(hostId);
            if (status.isPresent() && "decommissioned".equals(status.get().lifecycle())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new HostStep("host " + hostId + " was not decommissioned within " + decommissionTimeout.toSeconds() + " s (lifecycle "
                        + status.map(FleetApi.HostStatus::lifecycle).orElse("unknown") + "); the agent was left installed");
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
