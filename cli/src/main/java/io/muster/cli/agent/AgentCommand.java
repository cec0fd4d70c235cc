package io.muster.cli.agent;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.task.lifecycle.AgentRestart;
import io.muster.agent.upgrade.BuildSlots;
import io.muster.cli.MusterCommand;
import io.muster.cli.address.HostPortConverter;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.ParentOption;
import io.muster.cli.launch.StopSignal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code muster agent}: the daemon of one host, until SIGTERM or Ctrl-C.
 *
 * <p>This JVM is the agent. Its supervisor is not a JVM: the launchers ({@code ./muster agent},
 * the package's {@code muster-agent agent}) run {@code agent-supervisor.sh}, a shell loop that
 * starts this command with {@code --supervised} from the installed agent build or the
 * distribution, starts it again when an upgrade asks for it (exit code
 * {@value AgentRestart#EXIT_CODE}) and rolls back a build that does not reach a controller within
 * {@code --upgrade-deadline}. Supervised, the agent confirms a build on trial once a controller
 * welcomes it and stops when the supervisor is gone. Without {@code --supervised} (started
 * directly, or {@code --no-supervisor}) it refuses upgrades. See docs/agent-service.md.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the agent of this host: report its inventory and heartbeats to a controller, run its tasks.")
public final class AgentCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

    @Option(names = "--config", paramLabel = "FILE",
            description = "Agent settings file (the package installs /etc/muster/agent.conf): one option per line, "
                    + "named without its dashes, e.g. controller=10.0.0.1:7070; the command line wins.")
    Path config;

    @Option(names = "--controller", split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class,
            description = "Controller gRPC addresses; any member will do (the agent is redirected to its owner).")
    List<String> controllers;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the host id, the journal of unacknowledged task updates and the agent builds live.")
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

    @Option(names = "--upgrade-deadline", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "2m",
            description = "How long a new agent build has to reach a controller before the previous one is restored "
                    + "(default: ${DEFAULT-VALUE}; read by the supervisor script).")
    Duration upgradeDeadline;

    @Option(names = "--no-supervisor",
            description = "Run the agent without the supervisor script's loop (agent upgrades are then refused).")
    boolean noSupervisor;

    @Option(names = "--supervised", hidden = true,
            description = "This process is the agent under the supervisor script: exit " + AgentRestart.EXIT_CODE
                    + " restarts it into the installed build.")
    boolean supervised;

    @Mixin
    AgentTlsOptions tls;

    @Mixin
    ParentOption parent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (config != null) {
            // The file's settings become options, so the same checks and the same code path apply.
            List<String> merged = AgentConfigFile.merge(spec, config, givenArguments());
            CommandLine again = MusterCommand.agentCommandLine();
            again.setOut(spec.commandLine().getOut());
            again.setErr(spec.commandLine().getErr());
            List<String> arguments = new ArrayList<>();
            arguments.add("agent");
            arguments.addAll(merged);
            return again.execute(arguments.toArray(String[]::new));
        }
        if (controllers == null || controllers.isEmpty() || dataDir == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--controller and --data-dir are required (on the command line or in a --config file)");
        }
        tls.validate();
        StopSignal stop = StopSignal.onInterruptOrTerminate();
        parent.watch(stop);
        if (supervised) {
            watchSupervisor(stop);
        }
        return runAgent(stop);
    }

    /** The supervisor script is this JVM's parent: without it nobody would restart or stop the agent. */
    private static void watchSupervisor(StopSignal stop) {
        ProcessHandle.current().parent().ifPresent(supervisor ->
                supervisor.onExit().thenRun(() -> stop.stop("the supervisor (pid " + supervisor.pid() + ") exited")));
    }

    /** The options this command was given, as {@code --name value...}. */
    private List<String> givenArguments() {
        List<String> out = new ArrayList<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            String name = option.longestName();
            if (option.arity().max() == 0) {
                out.add(name);
                continue;
            }
            for (String value : option.originalStringValues()) {
                out.add(name);
                out.add(value);
            }
        }
        return out;
    }

    private int runAgent(StopSignal stop) throws InterruptedException {
        AgentConfig config = tls.apply(new AgentConfig(controllers, dataDir, heartbeat, null, bootIdFile,
                rebootCommand == null ? null : Arrays.asList(rebootCommand.strip().split("\\s+")),
                containerSocket));
        BuildSlots slots = new BuildSlots(dataDir);
        AgentRestart restart = supervised ? () -> {
            log.info("exiting with code {} so the supervisor starts the installed agent build", AgentRestart.EXIT_CODE);
            System.exit(AgentRestart.EXIT_CODE);
        } : null;
        try (Agent agent = Agent.standard(config, restart)) {
            agent.start();
            tls.discardTokenFile(dataDir);
            if (supervised) {
                agent.session().whenWelcomed(() -> confirmUpgrade(slots));
            }
            log.info("agent started (version {}); controllers {}, data in {}", Agent.VERSION,
                    String.join(",", controllers), dataDir.toAbsolutePath());
            log.info("stopping: {}", stop.await());
        }
        log.info("agent stopped");
        return 0;
    }

    /** A controller welcomed this build: a build on trial has proven itself, so the supervisor keeps it. */
    private static void confirmUpgrade(BuildSlots slots) {
        try {
            Optional<String> pending = slots.pendingUpgrade();
            if (pending.isPresent()) {
                slots.confirm();
                log.info("agent build {} reached a controller; the upgrade is complete", pending.get());
            }
        } catch (IOException e) {
            log.warn("cannot confirm the upgrade in {}: {}", slots.dir(), e.getMessage());
        }
    }
}
