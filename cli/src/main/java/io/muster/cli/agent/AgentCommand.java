package io.muster.cli.agent;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.task.lifecycle.AgentRestart;
import io.muster.agent.upgrade.AgentSupervisor;
import io.muster.agent.upgrade.BuildSlots;
import io.muster.cli.MusterCommand;
import io.muster.cli.address.HostPortConverter;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.JavaCommand;
import io.muster.cli.launch.ParentOption;
import io.muster.cli.launch.StopSignal;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
 * <p>By default this process is the agent's supervisor ({@link AgentSupervisor}): it runs the
 * agent in a child JVM ({@code --supervised}) from the installed agent build or the
 * distribution, restarts it into a new build when an upgrade asks for it (exit code
 * {@value AgentRestart#EXIT_CODE}) and rolls back a build that does not reach a controller within
 * {@code --upgrade-deadline}. {@code --no-supervisor} runs the agent in this process (it then
 * refuses upgrades). See docs/agent-service.md for running it under systemd.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the agent of this host: report its inventory and heartbeats to a controller, run its tasks.")
public final class AgentCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);
    /** The token reaches the agent JVM on its standard input, never on its command line. */
    private static final Set<String> TOKEN_OPTIONS = Set.of("--enroll-token-file");
    private static final Duration ENROLLMENT_POLL = Duration.ofMillis(500);

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
                    + "(default: ${DEFAULT-VALUE}).")
    Duration upgradeDeadline;

    @Option(names = "--no-supervisor",
            description = "Run the agent in this process, without the supervisor (agent upgrades are then refused).")
    boolean noSupervisor;

    @Option(names = "--supervised", hidden = true,
            description = "This process is the agent under a supervisor: exit " + AgentRestart.EXIT_CODE
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
            List<String> merged = AgentConfigFile.merge(spec, config, givenArguments(Set.of()));
            CommandLine again = MusterCommand.commandLine();
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
        if (supervised || noSupervisor) {
            return runAgent(stop);
        }
        return supervise(stop);
    }

    private int supervise(StopSignal stop) throws IOException, InterruptedException {
        AgentLauncher launcher = new AgentLauncher(JavaCommand.current(), JavaCommand.agentJvmOptions(),
                givenArguments(TOKEN_OPTIONS), tls.tokenForSupervisor(dataDir), dataDir);
        watchEnrollment(stop);
        AgentSupervisor supervisor = new AgentSupervisor(new BuildSlots(dataDir), launcher,
                AgentSupervisor.Settings.defaults(upgradeDeadline), Clock.systemUTC());
        CompletableFuture<String> stopped = CompletableFuture.supplyAsync(() -> {
            try {
                return stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }, runnable -> {
            Thread thread = new Thread(runnable, "muster-supervisor-stop");
            thread.setDaemon(true);
            thread.start();
        });
        log.info("supervising the agent; data in {}", dataDir.toAbsolutePath());
        int code = supervisor.run(stopped);
        log.info("supervisor stopped{}", stopped.isDone() ? ": " + stopped.getNow("") : "");
        return code;
    }

    /** Deletes the token file once the agent JVM has enrolled (the supervisor holds the token until then). */
    private void watchEnrollment(StopSignal stop) {
        if (tls.tokenFile() == null || EnrollmentToken.discardIfEnrolled(tls.tokenFile(), dataDir)) {
            return;
        }
        Thread watch = new Thread(() -> {
            while (!stop.stopped() && !EnrollmentToken.discardIfEnrolled(tls.tokenFile(), dataDir)) {
                try {
                    Thread.sleep(ENROLLMENT_POLL.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "muster-enrollment-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /**
     * The options this command was given, less the parent watchdog (the agent watches the
     * supervisor instead) and {@code skipped}.
     */
    private List<String> givenArguments(Set<String> skipped) {
        List<String> out = new ArrayList<>();
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            String name = option.longestName();
            if (name.equals("--parent-pid") || skipped.contains(name)) {
                continue;
            }
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
                agent.session().whenWelcomed(() -> markHealthy(slots));
            }
            log.info("agent started (version {}); controllers {}, data in {}", Agent.VERSION,
                    String.join(",", controllers), dataDir.toAbsolutePath());
            log.info("stopping: {}", stop.await());
        }
        log.info("agent stopped");
        return 0;
    }

    private static void markHealthy(BuildSlots slots) {
        try {
            slots.markHealthy(Agent.VERSION);
        } catch (IOException e) {
            log.warn("cannot write the healthy mark in {}: {}", slots.dir(), e.getMessage());
        }
    }
}
