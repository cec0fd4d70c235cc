package io.muster.cli.simulate;

import io.muster.agent.simulation.FailingHosts;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.cli.address.HostPortConverter;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.ParentOption;
import io.muster.cli.launch.StopSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code muster simulate}: a fleet of simulated agents in this process, until SIGTERM or Ctrl-C. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run N simulated agents (own host ids, streams and generated inventories) against the controllers.")
public final class SimulateCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(SimulateCommand.class);
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--controller", required = true, split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]",
            converter = HostPortConverter.class, description = "Controller gRPC addresses.")
    List<String> controllers;

    @Option(names = "--agents", required = true, paramLabel = "N", description = "How many agents to simulate.")
    int agents;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of host ids and inventories; the same seed gives the same fleet (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--agents-per-channel", paramLabel = "N", defaultValue = "500",
            description = "Agents sharing one gRPC connection (default: ${DEFAULT-VALUE}).")
    int agentsPerChannel;

    @Option(names = "--heartbeat", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "Heartbeat interval (default: ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--connect-rate", paramLabel = "R", defaultValue = "1000",
            description = "Agents that connect per second while the fleet ramps up (default: ${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--task-delay", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "50ms",
            description = "How long a simulated task takes (default: ${DEFAULT-VALUE}).")
    Duration taskDelay;

    @Option(names = "--host-id-prefix", paramLabel = "PREFIX",
            description = "Prefix of the simulated host ids, to tell simulator processes apart (default: none).")
    String hostIdPrefix;

    @Option(names = "--fail-selector", paramLabel = "SELECTOR",
            description = "Simulated hosts matching this selector (over their facts, e.g. 'dc=ldn1' or "
                    + "'hostname~web-*') fail every run: exit code 1 and a stderr line saying so. To test rollouts.")
    String failSelector;

    @Option(names = "--report-file", hidden = true, paramLabel = "FILE",
            description = "Write what was executed (counts, runs executed twice) here as JSON when stopping (muster bench).")
    Path reportFile;

    @Mixin
    ParentOption parent;

    @Override
    public Integer call() throws Exception {
        positive("--agents", agents);
        positive("--agents-per-channel", agentsPerChannel);
        positive("--connect-rate", connectRate);
        StopSignal stop = StopSignal.onInterruptOrTerminate();
        parent.watch(stop);
        FailingHosts failing = failing(failSelector);
        FleetSimulator simulator = FleetSimulator.start(new SimulatorConfig(controllers, agents, seed,
                agentsPerChannel, heartbeat, connectRate, taskDelay, hostIdPrefix), failing);
        try {
            log.info("simulating {} agents against {}", agents, String.join(",", controllers));
            int reported = -1;
            Optional<String> reason = stop.await(PROGRESS_INTERVAL);
            while (reason.isEmpty()) {
                int connected = simulator.connectedCount();
                if (connected != reported) {
                    log.info("{} of {} simulated agents connected", connected, agents);
                    reported = connected;
                }
                reason = stop.await(PROGRESS_INTERVAL);
            }
            log.info("stopping: {}", reason.get());
        } finally {
            if (reportFile != null) {
                ExecutionReport.of(simulator).write(reportFile);
            }
            simulator.stop();
        }
        log.info("simulator stopped");
        return 0;
    }

    private FailingHosts failing(String text) {
        if (text == null || text.isBlank()) {
            return FailingHosts.NONE;
        }
        Selector selector;
        try {
            selector = Selector.parse(text);
        } catch (SelectorSyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--fail-selector: " + e.getMessage());
        }
        return (hostId, facts) -> selector.matches(Map.of(), facts);
    }

    private void positive(String option, int value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be at least 1, got " + value);
        }
    }
}
