package io.muster.installer.push;

import io.muster.installer.fleet.FleetApi;
import io.muster.installer.packaging.AgentLayout;
import io.muster.installer.packaging.AgentPackager;
import io.muster.installer.packaging.PackageFormat;
import io.muster.installer.ssh.RemoteShell;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Installs the agent on one host over an open SSH shell: look at the host ({@link HostFacts}),
 * leave it alone when the same package is installed, running and online, else write the
 * enrollment token (stdin into a 0600 file, only while the host has no certificate), upload the
 * package (stdin into a 0600 temporary file), install it with dpkg, rpm or tar (the package's
 * postinst enables and restarts the service), read the host id the agent wrote and wait until the
 * controller shows that host online from a connection made after the restart. With sudo, every
 * command runs through {@link RemoteShell#withSudo}. A failure after the token was written deletes
 * the token again. Runs on one worker thread of a {@link FleetRun}.
 */
public final class AgentInstall implements FleetRun.HostJob {

    private static final Duration POLL = Duration.ofSeconds(1);

    private final Packages packages;
    private final FleetApi fleet;
    private final InstallSettings settings;

    public AgentInstall(Packages packages, FleetApi fleet, InstallSettings settings) {
        this.packages = packages;
        this.fleet = fleet;
        this.settings = settings;
    }

    @Override
    public HostResult run(RemoteShell login, Progress progress) throws IOException, InterruptedException {
        String host = login.target().label();
        Instant start = Instant.now();
        boolean tokenWritten = false;
        RemoteShell shell = login;
        try {
            if (settings.sudo()) {
                progress.step(host, "sudo");
                shell = login.withSudo(settings.sudoPassword(), settings.commandTimeout());
            }
            progress.step(host, "inspect");
            HostFacts facts = inspect(shell);
            String packageId = packages.packageId();
            if (facts.installed() && facts.packageId().equals(packageId) && facts.running() && facts.hostId() != null
                    && online(facts.hostId())) {
                return new HostResult(host, HostOutcome.UNCHANGED, facts.hostId(), "package " + packageId
                        + " installed, running and online", Duration.between(start, Instant.now()));
            }
            AgentPackager.Built built = packages.get(facts.format());
            check(facts, built);
            if (!facts.enrolled()) {
                progress.step(host, "token");
                tokenWritten = true; // set before the write: a write that fails half way is cleaned up too
                writeToken(shell);
            }
            progress.step(host, "upload");
            String remoteFile = upload(shell, built);
            progress.step(host, "install");
            install(shell, facts.format(), remoteFile);
            // The package's postinst restarted the service before the install command returned, so the old agent is
            // gone: the controller has heard from the new one only if it saw the host at or after this moment. (Taken
            // before the install, a heartbeat of the old agent during the install would pass for the new session.)
            Instant restarted = Instant.now();
            progress.step(host, "start");
            // one budget for the agent to start and to come online
            Instant deadline = restarted.plus(settings.onlineTimeout());
            String hostId = waitForHostId(shell, deadline);
            progress.step(host, "online");
            waitOnline(shell, hostId, restarted, deadline);
            tokenWritten = false; // the agent enrolled with it and deleted it
            HostOutcome outcome = facts.installed() ? HostOutcome.UPDATED : HostOutcome.INSTALLED;
            return new HostResult(host, outcome, hostId, built.format().label() + " " + built.version() + " ("
                    + built.packageId() + ")" + (facts.installed() ? ", was " + facts.packageId() : ""),
                    Duration.between(start, Instant.now()));
        } catch (RemoteShell.NoSudo e) {
            return new HostResult(host, HostOutcome.FAILED, null, e.getMessage(), Duration.between(start, Instant.now()));
        } catch (HostStep e) {
            String detail = e.getMessage() + (tokenWritten ? removeToken(shell) : "");
            return new HostResult(host, HostOutcome.FAILED, null, detail, Duration.between(start, Instant.now()));
        } catch (IOException | RuntimeException e) {
            if (tokenWritten) {
                removeToken(shell);
            }
            throw e;
        }
    }

    /**
     * Deletes the enrollment token this run wrote, after the install failed: a secret is not left on
     * a host that did not enroll with it (the agent deletes it only once it enrolled). Says so when
     * it could not.
     */
    private String removeToken(RemoteShell shell) {
        try {
            RemoteShell.Result removed = shell.run("rm -f " + AgentLayout.ENROLL_TOKEN + " " + AgentLayout.ENROLL_TOKEN + ".new",
                    settings.commandTimeout());
            return removed.ok() ? "" : "; the enrollment token could not be removed from " + AgentLayout.ENROLL_TOKEN + ": "
                    + removed.reason();
        } catch (IOException e) {
            return "; the enrollment token could not be removed from " + AgentLayout.ENROLL_TOKEN + ": " + e.getMessage();
        }
    }

    private HostFacts inspect(RemoteShell shell) throws IOException, HostStep {
        RemoteShell.Result result = shell.run(HostFacts.SCRIPT, settings.commandTimeout());
        if (!result.ok()) {
            throw new HostStep("cannot inspect the host: " + result.reason());
        }
        HostFacts facts = HostFacts.parse(result.out());
        if (!facts.root()) {
            throw new HostStep("not root: log in as root or give --sudo");
        }
        return facts;
    }

    private static void check(HostFacts facts, AgentPackager.Built built) throws HostStep, IOException {
        if (!facts.systemd()) {
            throw new HostStep("no systemd: the agent package runs as a systemd service");
        }
        if (facts.javaMajor() < 17) {
            throw new HostStep(facts.javaMajor() == 0 ? "no Java 17: there is no java on the PATH; the agent needs a Java 17 runtime "
                    + "(e.g. openjdk-17-jre-headless)" : "no Java 17: java is version " + facts.javaMajor() + ", the agent needs 17 or newer");
        }
        long needKiB = 3 * Files.size(built.file()) / 1024;
        if (facts.freeKiB() < needKiB) {
            throw new HostStep("disk full: " + facts.freeKiB() / 1024 + " MiB free on /opt or /var/tmp, the install needs "
                    + needKiB / 1024 + " MiB");
        }
    }

    private void writeToken(RemoteShell shell) throws IOException, HostStep {
        if (settings.enrollToken() == null) {
            throw new HostStep("not enrolled and no enrollment token: give --enroll-token-file");
        }
        String script = "umask 077 && mkdir -p " + AgentLayout.CONFIG_DIR + " && cat > " + AgentLayout.ENROLL_TOKEN + ".new && mv "
                + AgentLayout.ENROLL_TOKEN + ".new " + AgentLayout.ENROLL_TOKEN;
        RemoteShell.Result result = shell.run(script,
                new ByteArrayInputStream((settings.enrollToken() + "\n").getBytes(StandardCharsets.UTF_8)), settings.commandTimeout());
        if (!result.ok()) {
            throw new HostStep("cannot write the enrollment token: " + result.reason());
        }
    }

    private String upload(RemoteShell shell, AgentPackager.Built built) throws IOException, HostStep {
        String script = "umask 077 && f=$(mktemp /var/tmp/muster-agent.XXXXXX) && cat > \"$f\" && echo \"$f\"";
        RemoteShell.Result result;
        try (InputStream in = Files.newInputStream(built.file())) {
            result = shell.run(script, in, settings.commandTimeout());
        }
        if (!result.ok() || result.out().isBlank()) {
            throw new HostStep("upload failed: " + result.reason());
        }
        return result.out().strip();
    }

    private void install(RemoteShell shell, PackageFormat format, String file) throws IOException, HostStep {
        String quoted = RemoteShell.quote(file);
        String command = switch (format) {
            // The installer's config is authoritative on hosts it manages: a new controller list replaces the old file.
            case DEB -> "DEBIAN_FRONTEND=noninteractive dpkg -i --force-confnew " + quoted;
            case RPM -> "rpm -U --replacepkgs " + quoted;
            case TAR -> "tar -xzf " + quoted + " -C / && " + AgentLayout.SCRIPTS + "/postinst configure";
        };
        RemoteShell.Result result = shell.run(command + "; rc=$?; rm -f " + quoted + "; exit $rc", settings.commandTimeout());
        if (!result.ok()) {
            throw new HostStep(format.label() + " install failed: " + result.reason());
        }
    }

    private String waitForHostId(RemoteShell shell, Instant deadline) throws IOException, HostStep, InterruptedException {
        while (true) {
            RemoteShell.Result result = shell.run("cat " + AgentLayout.HOST_ID + " 2>/dev/null; echo; systemctl is-active "
                    + AgentLayout.UNIT_NAME + " || true", settings.commandTimeout());
            String[] lines = result.out().split("\n");
            String hostId = lines.length > 0 ? lines[0].strip() : "";
            if (!hostId.isEmpty()) {
                return hostId;
            }
            String state = lines.length > 1 ? lines[lines.length - 1].strip() : "";
            if (state.equals("failed") || Instant.now().isAfter(deadline)) {
                throw new HostStep("the agent service is " + state + " and wrote no host id: " + lastLog(shell));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Waits until the controller has heard from the host at or after {@code since}: online alone
     * would be the old agent's session, which the controller still shows for a while after an
     * upgrade restarted the agent. Compares the controller's clock with this one's (keep them in
     * sync, as TLS needs anyway).
     */
    private void waitOnline(RemoteShell shell, String hostId, Instant since, Instant deadline)
            throws IOException, HostStep, InterruptedException {
        while (true) {
            Optional<FleetApi.HostStatus> status = fleet.host(hostId);
            if (status.isPresent() && status.get().onlineSince(since)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                String seen = status.map(s -> "it is " + s.state() + ", last seen " + s.lastSeen()).orElse("the controller does not know it");
                throw new HostStep("installed, but host " + hostId + " has not connected to the controller since the install ("
                        + seen + ") after " + settings.onlineTimeout().toSeconds() + " s: " + lastLog(shell));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private boolean online(String hostId) throws IOException, InterruptedException {
        Optional<FleetApi.HostStatus> status = fleet.host(hostId);
        return status.isPresent() && status.get().online();
    }

    /** The agent's last log line (from its journal), to say why it is not up. */
    static String lastLog(RemoteShell shell) throws IOException {
        RemoteShell.Result log = shell.run("journalctl -u " + AgentLayout.UNIT_NAME + " -n 30 --no-pager -o cat 2>/dev/null"
                + " | grep -v '^\\s*at ' | grep -iE 'error|refused|fail|cannot|denied|no ' | tail -n 1", Duration.ofSeconds(30));
        String line = log.out().strip();
        return line.isEmpty() ? "nothing in its log says why" : "its log says: " + line;
    }
}
