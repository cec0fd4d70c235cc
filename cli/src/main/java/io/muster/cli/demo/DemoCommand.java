package io.muster.cli.demo;

import ch.qos.logback.classic.Level;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.StopSignal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code muster demo}: a controller cluster, this host's agent and optionally a simulated fleet on this machine. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
                "Run a controller cluster, this host's agent and optionally a simulated fleet on this machine.",
                "Starts an embedded PostgreSQL, controller members as processes (HTTP 8080+, gRPC 7070+,",
                "Hazelcast 5701+), the agent and the simulator; shows this host as the controller sees it.",
                "Runs until Ctrl-C or --for, then stops everything cleanly."})
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".muster-demo",
            description = "Data and logs of the demo (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--for", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop by itself after this long once everything is up, e.g. 60s or 2m (default: until Ctrl-C).")
    Duration runFor;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "0",
            description = "Simulated agents to add, in a process of their own (default: ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--fail-selector", paramLabel = "SELECTOR",
            description = "Simulated hosts matching this selector fail every run (to try rollouts), e.g. 'dc=ldn1'.")
    String failSelector;

    @Option(names = "--members", paramLabel = "N", defaultValue = "3",
            description = "Controller members, each a process of its own (default: ${DEFAULT-VALUE}).")
    int members;

    @Override
    public Integer call() throws Exception {
        DemoSettings settings;
        try {
            settings = new DemoSettings(dataDir, members, agents, Optional.ofNullable(runFor), Optional.ofNullable(failSelector));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (members > 10) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--members must be at most 10, got " + members);
        }
        // The demo talks to people on stdout; its own INFO logs (the embedded database's) would only interleave.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.muster")).setLevel(Level.WARN);
        new Demo(settings, StopSignal.onInterruptOrTerminate(), System.out).run();
        return 0;
    }
}
