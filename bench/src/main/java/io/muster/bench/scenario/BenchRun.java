package io.muster.bench.scenario;

import io.muster.bench.fleet.BenchFleet;
import io.muster.bench.fleet.FleetDatabase;
import io.muster.bench.fleet.FleetSettings;
import io.muster.launch.JvmCommand;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.HeapProbe;
import io.muster.bench.probe.Machine;
import io.muster.bench.probe.OnlineSampler;
import io.muster.bench.probe.Progress;
import io.muster.bench.report.ResultsWriter;
import io.muster.bench.report.ScenarioResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code muster bench} run: starts what the chosen scenarios need, runs them in their fixed
 * order, and writes the results directory. A scenario that fails is recorded with its error and
 * the fleet scenarios after it are skipped (they need a healthy fleet); the results are written in
 * every case. Runs on the caller's thread; not reusable.
 */
public final class BenchRun {

    private static final Logger LOG = LoggerFactory.getLogger(BenchRun.class);

    private final BenchSettings settings;
    private final FleetSettings fleetSettings;
    private final JvmCommand java;
    private final PrintStream out;
    private final boolean terminal;
    private final Clock clock;
    private final String commandLine;
    private final Function<BenchContext, List<Scenario>> peer;
    private final Function<BenchContext, List<Scenario>> footprint;
    private final Function<BenchContext, List<Scenario>> install;

    /**
     * @param peer the peer comparison's scenarios (they live above the bench's fleet: Ansible and
     *             real agents), asked for only when {@code peer} is chosen
     * @param footprint the footprint scenario (it starts the agent as a person does, which only the
     *             command knows), asked for only when {@code footprint} is chosen
     * @param install the install comparison (container hosts, the source tree's launcher), asked
     *             for only when {@code install} is chosen
     */
    public BenchRun(BenchSettings settings, FleetSettings fleetSettings, JvmCommand java, PrintStream out,
                    boolean terminal, Clock clock, String commandLine, Function<BenchContext, List<Scenario>> peer,
                    Function<BenchContext, List<Scenario>> footprint, Function<BenchContext, List<Scenario>> install) {
        this.settings = settings;
        this.fleetSettings = fleetSettings;
        this.java = java;
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.commandLine = commandLine;
        this.peer = peer;
        this.footprint = footprint;
        this.install = install;
    }

    /** Runs everything; returns the results directory. */
    public Path run() throws Exception {
        JsonObject machine = Machine.describe(fleetSettings.memberJvmFlags(), fleetSettings.simulatorJvmFlags());
        List<ScenarioResult> results = new ArrayList<>();
        MemberApi api = new MemberApi(fleetSettings.adminTokenFile());
        BenchFleet fleet = null;
        FleetDatabase standalone = null;
        Thread samplerThread = null;
        OnlineSampler sampler = null;
        try (Progress progress = new Progress(out, terminal)) {
            out.println("Muster bench: " + commandLine);
            out.println("results in " + settings.outputDir() + ", logs in " + fleetSettings.logs());
            out.flush();
            FleetDatabase database;
            if (settings.needsFleet()) {
                progress.phase("starting " + settings.members() + " members");
                fleet = BenchFleet.start(fleetSettings, java, api, clock);
                database = fleet.database();
                BenchFleet running = fleet;
                sampler = new OnlineSampler(api, running::members, 250, progress);
                samplerThread = new Thread(sampler, "bench-online-sampler");
                samplerThread.setDaemon(true);
                samplerThread.start();
            } else if (settings.scenarios().contains(ScenarioName.CEILING)) {
                database = fleetSettings.dbUrl().isPresent()
                        ? FleetDatabase.scratch(fleetSettings.dbUrl().get(), clock)
                        : FleetDatabase.embedded(fleetSettings.dataDir());
                standalone = database;
            } else {
                database = null;
            }
            BenchContext context = new BenchContext(settings, fleet, api,
                    new HeapProbe(api, java.javaBinary()), sampler, progress, clock);
            boolean fleetHealthy = true;
            for (ScenarioName name : order()) {
                if (name.needsFleet() && !fleetHealthy) {
                    results.add(new ScenarioResult(name.wireName(), new JsonObject().put("skipped",
                            "an earlier scenario failed"), List.of("skipped: an earlier scenario failed")));
                    continue;
                }
                List<Scenario> scenarios = switch (name) {
                    case CEILING -> List.of(new CeilingScenario(database));
                    case CONNECT -> List.of(new ConnectScenario());
                    case STEADY -> List.of(new SteadyScenario());
                    case FANOUT -> List.of(new FanoutScenario());
                    case ROLLOUT -> List.of(new RolloutScenario(settings.rolloutPacing()));
                    case FAILOVER -> List.of(new FailoverScenario());
                    case CHAOS -> List.of(new ChaosScenario());
                    case SOAK -> List.of(new SoakScenario());
                    case PEER -> peer.apply(context);
                    case FOOTPRINT -> footprint.apply(context);
                    case INSTALL -> install.apply(context);
                };
                for (Scenario scenario : scenarios) {
                    ScenarioResult result;
                    try {
                        result = scenario.run(context);
                    } catch (Exception e) {
                        LOG.warn("scenario {} failed", name.wireName(), e);
                        String message = e.getMessage() == null ? e.toString() : e.getMessage();
                        progress.note(name.wireName() + " failed: " + message);
                        result = new ScenarioResult(name.wireName(), new JsonObject().put("error", message),
                                List.of());
                    }
                    results.add(result);
                    if (name.needsFleet() && result.figures().containsKey("error")) {
                        fleetHealthy = false;
                    }
                }
            }
            progress.phase("stopping");
        } finally {
            if (sampler != null) {
                sampler.stop();
                samplerThread.interrupt();
            }
            if (fleet != null) {
                fleet.close();
            }
            if (standalone != null) {
                standalone.close();
            }
        }
        machine.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        JsonObject fractions = Verdicts.fractions(results);
        List<ResultsWriter.Target> targets = Verdicts.targets(settings, results);
        new ResultsWriter().write(settings.outputDir(), settingsJson(), machine, results, fractions, targets, commandLine);
        out.println("results: " + settings.outputDir().resolve("summary.md"));
        return settings.outputDir();
    }

    /** The chosen scenarios in their fixed order; connect comes with any fleet scenario (the fleet must connect first). */
    private List<ScenarioName> order() {
        List<ScenarioName> order = new ArrayList<>();
        for (ScenarioName name : ScenarioName.values()) {
            if (settings.scenarios().contains(name) || (name == ScenarioName.CONNECT && settings.needsFleet())) {
                order.add(name);
            }
        }
        return order;
    }

    private JsonObject settingsJson() {
        JsonArray scenarios = new JsonArray();
        order().forEach(s -> scenarios.add(s.wireName()));
        return new JsonObject()
                .put("agents", settings.agents())
                .put("members", settings.members())
                .put("heartbeatSeconds", settings.heartbeat().toMillis() / 1000.0)
                .put("scenarios", scenarios)
                .put("quick", settings.quick())
                .put("database", fleetSettings.dbUrl().isPresent() ? "external (scratch database)" : "embedded (fsync off)")
                .put("steadySeconds", settings.steadyDuration().toMillis() / 1000.0)
                .put("agentsPerChannel", settings.agentsPerChannel())
                .put("simulators", settings.simulators())
                .put("connectRate", settings.connectRate())
                .put("taskDelayMillis", fleetSettings.taskDelay().toMillis())
                .put("peerHosts", new JsonArray(new ArrayList<>(settings.peerHosts())))
                .put("soakSeconds", settings.scenarios().contains(ScenarioName.SOAK) ? settings.soakDuration().toSeconds() : null)
                .put("rolloutStrategy", settings.rolloutPacing().toJson());
    }

    static Optional<Double> figure(List<ScenarioResult> results, String scenario, String key) {
        for (ScenarioResult result : results) {
            if (result.name().equals(scenario) && result.figures().getValue(key) instanceof Number number) {
                return Optional.of(number.doubleValue());
            }
        }
        return Optional.empty();
    }
}
