package io.muster.cli.agent;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.cli.address.HostPortConverter;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.ParentOption;
import io.muster.cli.launch.StopSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code muster agent}: the daemon of one host, until SIGTERM or Ctrl-C. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the agent of this host: report its inventory and heartbeats to a controller, run its tasks.")
public final class AgentCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = "--controller", required = true, split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class,
            description = "Controller gRPC addresses; any member will do (the agent is redirected to its owner).")
    List<String> controllers;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Where the host id and the journal of unacknowledged task updates live.")
    Path dataDir;

    @Option(names = "--heartbeat", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Heartbeat interval, e.g. 10s (default: ${DEFAULT-VALUE}).", defaultValue = "10s")
    Duration heartbeat;

    @Option(names = "--reboot-command", paramLabel = "CMD",
            description = "Command the reboot action runs, split on spaces (default: systemctl reboot).")
    String rebootCommand;

    @Option(names = "--container-socket", paramLabel = "PATH",
            description = "Docker Engine API socket (default: /run/docker.sock, then /run/podman/podman.sock).")
    Path containerSocket;

    @Option(names = "--boot-id-file", paramLabel = "PATH",
            description = "File holding the boot id (default: /proc/sys/kernel/random/boot_id).")
    Path bootIdFile;

    @Mixin
    AgentTlsOptions tls;

    @Mixin
    ParentOption parent;

    @Override
    public Integer call() throws Exception {
        tls.validate();
        StopSignal stop = StopSignal.onInterruptOrTerminate();
        parent.watch(stop);
        AgentConfig config = tls.apply(new AgentConfig(controllers, dataDir, heartbeat, null, bootIdFile,
                rebootCommand == null ? null : Arrays.asList(rebootCommand.strip().split("\\s+")),
                containerSocket));
        try (Agent agent = new Agent(config)) {
            agent.start();
            log.info("agent started; controllers {}, data in {}", String.join(",", controllers), dataDir.toAbsolutePath());
            log.info("stopping: {}", stop.await());
        }
        log.info("agent stopped");
        return 0;
    }
}
