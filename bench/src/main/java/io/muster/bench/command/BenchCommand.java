package io.muster.bench.command;

import io.muster.bench.fleet.FleetSettings;
import io.muster.launch.JvmCommand;
import io.muster.bench.scenario.BenchRun;
import io.muster.bench.scenario.BenchSettings;
import io.muster.bench.scenario.FootprintScenario;
import io.muster.bench.scenario.RolloutPacing;
import io.muster.bench.scenario.ScenarioName;
import io.muster.bench.peer.PeerScenario;
import io.muster.bench.install.InstallScenario;
import io.muster.cli.CommandFailure;
import io.muster.cli.MusterCommand;
import io.muster.scheduler.rollout.Amount;
import io.muster.cli.controller.ControllerCommand;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.JavaCommand;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code muster bench}: measures Muster at fleet scale on this machine. Controllers and simulators
 * run as processes of their own (a kill is a real kill); PostgreSQL is embedded in this process
 * unless {@code --db-url} names a server (a scratch database is created on it and dropped).
 * Results go to {@code bench/results/<UTC timestamp>/}: results.json, summary.md and SVG plots.
 *
 * <p>Its own main class in the bench jar: the {@code muster} script hands {@code muster bench} to
 * it, so the muster distribution does not carry the bench (JMH, embedded PostgreSQL).
 */
@Command(name = "muster bench", mixinStandardHelpOptions = true,
        description = {"Measure Muster at fleet scale on this machine (controllers and simulated agents as processes).",
                "Scenarios: ceiling (the machine's raw gRPC and PostgreSQL rates), connect, steady, fanout, failover;"
                        + " peer (Ansible vs Muster, facter vs the agent's inventory), footprint (one real agent's memory)"
                        + " and install (muster install vs Ansible onto container hosts) only when asked for;"
                        + " chaos (faults in sequence during fan-outs) and soak (a long run watched for leaks) each alone."})
public final class BenchCommand implements Callable<Integer> {

    static final int QUICK_AGENTS = 5_000;
    static final int DEFAULT_AGENTS = 20_000;
    /** chaos cuts one simulator process off as a failure domain: a quarter of the fleet by default. */
    static final int CHAOS_SIMULATORS = 4;
    static final Duration DEFAULT_SOAK = Duration.ofHours(1);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--agents", paramLabel = "N",
            description = "Simulated agents (default: " + DEFAULT_AGENTS + ", " + QUICK_AGENTS + " with --quick).")
    Integer agents;

    @Option(names = "--members", paramLabel = "M", defaultValue = "3",
            description = "Controller members, each its own process (default: ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--heartbeat", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "Heartbeat interval (default: ${DEFAULT-VALUE}).")
    Duration heartbeat;

    @Option(names = "--scenario", split = ",", paramLabel = "NAME[,NAME...]",
            description = "Scenarios (default: ceiling,connect,steady,fanout,failover; also: rollout, peer, footprint, install;"
                    + " chaos and soak each alone).")
    List<String> scenarios;

    @Option(names = "--quick", description = "The short run: N = " + QUICK_AGENTS + ", shorter phases; under 3 minutes.")
    boolean quick;

    @Option(names = "--db-url", paramLabel = "URL",
            description = "PostgreSQL server to use (postgresql://USER@HOST:PORT/DB); a scratch database is created on it. Default: embedded.")
    String dbUrl;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long steady measures (default: 60s, 10s with --quick), or how long the soak runs (default: 1h).")
    Duration duration;

    @Option(names = "--agents-per-channel", paramLabel = "N", defaultValue = "500",
            description = "Simulated agents sharing one gRPC connection (default: ${DEFAULT-VALUE}).")
    int agentsPerChannel;

    @Option(names = "--simulators", paramLabel = "S",
            description = "Simulator processes (default: one per " + BenchSettings.AGENTS_PER_SIMULATOR + " agents; "
                    + CHAOS_SIMULATORS + " for chaos).")
    Integer simulators;

    @Option(names = "--connect-rate", paramLabel = "R", defaultValue = "5000",
            description = "Agents per second, over all simulators, while the fleet connects (default: ${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--task-delay", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "50ms",
            description = "How long a simulated task takes (default: ${DEFAULT-VALUE}).")
    Duration taskDelay;

    @Option(names = "--fail-selector", paramLabel = "SELECTOR",
            description = "Simulated hosts matching it fail every run, e.g. 'hostname~*37' (1 in 100; for the rollout scenario).")
    String failSelector;

    @Option(names = "--window", paramLabel = "N|N%",
            description = "rollout: a sliding window of at most N (or N% of the hosts) in flight (the default, 10%).")
    String window;

    @Option(names = "--waves", split = ",", paramLabel = "N|N%[,...]",
            description = "rollout: waves instead of a window, a ramp of counts and percents, e.g. 1,10,25% (the last repeats).")
    List<String> waves;

    @Option(names = "--member-heap", paramLabel = "SIZE", defaultValue = "3g",
            description = "Maximum heap of each member (-Xmx; default: ${DEFAULT-VALUE}).")
    String memberHeap;

    @Option(names = "--simulator-heap", paramLabel = "SIZE", defaultValue = "4g",
            description = "Maximum heap of each simulator (-Xmx; default: ${DEFAULT-VALUE}).")
    String simulatorHeap;

    @Option(names = "--peer-hosts", split = ",", paramLabel = "K[,K...]", defaultValue = "50,200",
            description = "Host counts of the peer comparison (default: ${DEFAULT-VALUE}).")
    List<Integer> peerHosts;

    @Option(names = "--hosts", split = ",", paramLabel = "K[,K...]", defaultValue = "5,20",
            description = "install: container hosts per run, each count with muster install and with Ansible (default: ${DEFAULT-VALUE}).")
    List<Integer> installHosts;

    @Option(names = "--footprint-idle", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "footprint: how long the agent settles after it connected before idle is measured (default: 60s, 20s with --quick).")
    Duration footprintIdle;

    @Option(names = "--agent-command", paramLabel = "COMMAND",
            description = "footprint: how the agent is started, before its options, split on spaces"
                    + " (default: the muster launcher of this source tree, '<root>/muster agent').")
    String agentCommand;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Results directory (default: bench/results/<UTC timestamp>).")
    Path output;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Member data, embedded PostgreSQL and logs (default: a new directory under the temp dir).")
    Path dataDir;

    @Option(names = "--verbose", description = "Print the stack trace of a failure.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(MusterCommand.withConventions(new CommandLine(new BenchCommand())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Clock clock = Clock.systemUTC();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(clock.instant());
        int n = agents != null ? agents : quick ? QUICK_AGENTS : DEFAULT_AGENTS;
        Set<ScenarioName> chosen = scenarios();
        Duration steady = duration != null ? duration : quick ? Duration.ofSeconds(10) : Duration.ofSeconds(60);
        positive("--agents-per-channel", agentsPerChannel);
        positive("--connect-rate", connectRate);
        installHosts.forEach(k -> positive("--hosts", k));
        Path out = output != null ? output : Path.of("bench", "results", stamp);
        Path data = dataDir != null ? dataDir : Path.of(System.getProperty("java.io.tmpdir"), "muster-bench-" + stamp);
        BenchSettings settings;
        try {
            settings = new BenchSettings(n, members, heartbeat, chosen, quick, Optional.ofNullable(dbUrl), steady,
                    agentsPerChannel, simulators != null ? simulators : chosen.contains(ScenarioName.CHAOS)
                            ? CHAOS_SIMULATORS : BenchSettings.defaultSimulators(n), connectRate,
                    out.toAbsolutePath(), peerHosts, duration != null ? duration : DEFAULT_SOAK,
                    rolloutPacing());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<String> memberFlags = List.of("-Xms256m", "-Xmx" + memberHeap);
        List<String> simulatorFlags = List.of("-Xmx" + simulatorHeap, "-Xss512k");
        FleetSettings fleet = new FleetSettings(data.toAbsolutePath(), members, heartbeat, Optional.ofNullable(dbUrl),
                agentsPerChannel, connectRate, taskDelay, memberFlags, simulatorFlags, memberArguments(),
                Optional.of(data.toAbsolutePath().resolve("admin.token")), Optional.ofNullable(failSelector));
        JvmCommand java = JvmCommand.current(MusterCommand.class.getName());
        Duration idle = footprintIdle != null ? footprintIdle : quick ? Duration.ofSeconds(20) : Duration.ofSeconds(60);
        List<String> agentLaunch = agentCommand();
        BenchRun run = new BenchRun(settings, fleet, java, System.out, System.console() != null, clock,
                commandLine(), context -> List.of(new PeerScenario(settings.peerHosts(), fleet, java, JavaCommand.agentJvmOptions())),
                context -> List.of(new FootprintScenario(fleet, java, agentLaunch, idle)),
                context -> List.of(new InstallScenario(installHosts, fleet, java, sourceTree())));
        try {
            run.run();
        } catch (IllegalStateException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        return 0;
    }

    /**
     * How a person starts the agent: {@code --agent-command}, else this source tree's launcher
     * script ({@code muster} at the root; the bench runs from {@code bench/target}).
     */
    private List<String> agentCommand() {
        if (agentCommand != null) {
            List<String> words = List.of(agentCommand.strip().split("\\s+"));
            if (words.get(0).isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--agent-command must not be empty");
            }
            return words;
        }
        Optional<Path> launcher = launcherScript();
        if (launcher.isEmpty()) {
            if (scenarios().contains(ScenarioName.FOOTPRINT)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "footprint: no muster launcher found next to the bench's"
                        + " build; give the command that starts the agent with --agent-command");
            }
            return List.of("muster", "agent");
        }
        return List.of(launcher.get().toString(), "agent");
    }

    /** The source tree the bench runs from (install: its launcher and the host image script). */
    private Path sourceTree() {
        return launcherScript().map(Path::getParent).orElseThrow(() -> new CommandFailure(
                "install: no muster launcher found next to the bench's build; run the bench from a source tree (./muster bench)"));
    }

    /** {@code <root>/muster}, where the bench's classes are {@code <root>/bench/target/...}. */
    static Optional<Path> launcherScript() {
        try {
            Path code = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = code.getParent() == null || code.getParent().getParent() == null ? null
                    : code.getParent().getParent().getParent();
            if (root == null) {
                return Optional.empty();
            }
            Path script = root.resolve("muster");
            return java.nio.file.Files.isExecutable(script) ? Optional.of(script) : Optional.empty();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Set<ScenarioName> scenarios() {
        if (scenarios == null || scenarios.isEmpty()) {
            return EnumSet.copyOf(ScenarioName.DEFAULTS);
        }
        Set<ScenarioName> chosen = EnumSet.noneOf(ScenarioName.class);
        for (String name : scenarios) {
            chosen.add(ScenarioName.fromWireName(name).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                    "unknown scenario '" + name + "'; expected ceiling, connect, steady, fanout, rollout, failover, chaos, soak, peer,"
                            + " footprint or install")));
        }
        return chosen;
    }

    /** --window or --waves; each amount as the API reads it, so a bad one is a usage error here. */
    private RolloutPacing rolloutPacing() {
        if (window != null && waves != null) {
            throw new IllegalArgumentException("give --window or --waves, not both");
        }
        if (waves != null) {
            return RolloutPacing.waves(waves.stream().map(wave -> amount("--waves", wave)).toList());
        }
        return window != null ? RolloutPacing.window(amount("--window", window)) : RolloutPacing.DEFAULT;
    }

    private static Amount amount(String option, String text) {
        try {
            Amount amount = Amount.parse(text);
            if (amount.value() < 1) {
                throw new IllegalArgumentException("must be at least 1");
            }
            return amount;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage() + " (got '" + text + "')");
        }
    }

    /** Arguments every member needs with this build: a plaintext gateway when the controller knows mTLS. */
    private static List<String> memberArguments() {
        List<String> arguments = new ArrayList<>();
        if (controllerOption("--insecure")) {
            arguments.add("--insecure");
        }
        return arguments;
    }

    private static boolean controllerOption(String name) {
        return new CommandLine(new ControllerCommand()).getCommandSpec().findOption(name) != null;
    }

    private String commandLine() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        return "muster bench" + (args.isEmpty() ? "" : " " + String.join(" ", args));
    }

    private void positive(String option, int value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be at least 1, got " + value);
        }
    }
}
