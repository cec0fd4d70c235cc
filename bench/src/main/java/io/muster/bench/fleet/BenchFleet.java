package io.muster.bench.fleet;

import io.muster.cli.simulate.ExecutionReport;
import io.muster.launch.JvmCommand;
import io.muster.launch.ChildProcess;
import io.muster.bench.probe.MemberApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of one bench run: the database (embedded in this process, with a guard process
 * that stops it should this process die, or a scratch database on an external server), the
 * controller members and the simulators. Every child gets {@code --parent-pid} of this process,
 * so nothing outlives the bench, not even one killed with {@code kill -9}.
 *
 * <p>Not thread-safe: driven by the bench's main thread. The lists it returns are snapshots.
 */
public final class BenchFleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BenchFleet.class);
    public static final Duration MEMBERS_READY_DEADLINE = Duration.ofMinutes(3);
    private static final Duration MEMBER_GRACE = Duration.ofSeconds(60);
    private static final Duration SIMULATOR_GRACE = Duration.ofSeconds(60);
    private static final Duration GUARD_GRACE = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);

    private final FleetSettings settings;
    private final JvmCommand java;
    private final MemberApi api;
    private final FleetDatabase database;
    private final List<Member> members = new ArrayList<>();
    private final List<Simulator> simulators = new ArrayList<>();
    private ChildProcess guard;
    private final long self = ProcessHandle.current().pid();

    private BenchFleet(FleetSettings settings, JvmCommand java, MemberApi api, FleetDatabase database) {
        this.settings = settings;
        this.java = java;
        this.api = api;
        this.database = database;
    }

    /**
     * Starts the database and the members and waits until every member is ready and they form
     * one cluster.
     *
     * @param java runs {@code muster <subcommand>} (controller, simulate, db-guard)
     * @throws IllegalStateException with one sentence (naming the log file) when a part does not come up;
     *     what was started is stopped first
     */
    public static BenchFleet start(FleetSettings settings, JvmCommand java, MemberApi api,
                                   java.time.Clock clock) throws InterruptedException {
        FleetDatabase database = settings.dbUrl().isPresent()
                ? FleetDatabase.scratch(settings.dbUrl().get(), clock)
                : FleetDatabase.embedded(settings.dataDir());
        BenchFleet fleet = new BenchFleet(settings, java, api, database);
        try {
            fleet.startGuard();
            fleet.startMembers();
            fleet.awaitMembers();
            return fleet;
        } catch (RuntimeException | InterruptedException e) {
            fleet.close();
            throw e;
        }
    }

    private void startGuard() {
        database.embeddedDirectory().ifPresent(dir -> guard = start("db-guard",
                List.of("-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                List.of("db-guard", "--postgres-dir", dir.toString())));
    }

    private void startMembers() {
        int m = settings.members();
        int[] ports = FreePorts.take(4 * m);
        StringJoiner join = new StringJoiner(",");
        for (int i = 0; i < m; i++) {
            join.add("127.0.0.1:" + ports[4 * i + 2]);
        }
        for (int i = 0; i < m; i++) {
            int http = ports[4 * i];
            int grpc = ports[4 * i + 1];
            int hz = ports[4 * i + 2];
            int enroll = ports[4 * i + 3];
            List<String> arguments = new ArrayList<>(List.of("controller"));
            arguments.addAll(database.memberArguments());
            arguments.addAll(List.of(
                    "--http-port", Integer.toString(http),
                    "--grpc-port", Integer.toString(grpc),
                    "--hz-port", Integer.toString(hz),
                    "--enroll-port", Integer.toString(enroll),
                    "--join", join.toString(),
                    "--cluster-name", "bench-" + self,
                    "--agent-heartbeat", settings.heartbeat().toMillis() + "ms",
                    // 1-minute vitals buckets: five times the default's rows, and whole buckets close within a steady window.
                    "--vitals-resolution", "1m",
                    "--data-dir", settings.dataDir().resolve("member-" + i).toString()));
            arguments.addAll(settings.memberArguments());
            ChildProcess process = start("member-" + i, settings.memberJvmFlags(), arguments);
            members.add(new Member(i, process, http, grpc, hz, enroll));
        }
    }

    private void awaitMembers() throws InterruptedException {
        Instant end = Instant.now().plus(MEMBERS_READY_DEADLINE);
        boolean tokenCreated = false;
        while (true) {
            boolean ready = true;
            for (Member member : members) {
                failIfExited(member.process(), "the members to be ready");
                ready &= api.ready(member.httpPort());
            }
            if (ready && !tokenCreated) {
                // Ready members have migrated the database: the token table exists.
                settings.adminTokenFile().ifPresent(file -> AdminToken.create(database.url(), file));
                tokenCreated = true;
            }
            if (ready && clusterSize() == members.size()) {
                return;
            }
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("the members were not ready within " + MEMBERS_READY_DEADLINE.toSeconds()
                        + " s; see " + settings.logs());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private int clusterSize() throws InterruptedException {
        return api.cluster(members.get(0).httpPort())
                .map(c -> c.getJsonArray("members") == null ? 0 : c.getJsonArray("members").size())
                .orElse(0);
    }

    /**
     * Starts {@code count} simulator processes sharing {@code agents} agents (host ids
     * {@code sim<i>-...}, seed i+1) against every member; returns at once (the agents ramp up
     * at the fleet's connect rate).
     */
    public List<Simulator> startSimulators(int agents, int count) {
        String controllers = members.stream().map(Member::grpcAddress).collect(Collectors.joining(","));
        int rate = Math.max(1, settings.connectRate() / count);
        List<Simulator> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int share = agents / count + (i < agents % count ? 1 : 0);
            Path report = settings.dataDir().resolve("simulator-" + i + ".report.json");
            List<String> arguments = new ArrayList<>(List.of("simulate",
                    "--controller", controllers,
                    "--agents", Integer.toString(share),
                    "--seed", Integer.toString(i + 1),
                    "--host-id-prefix", "sim" + i,
                    "--agents-per-channel", Integer.toString(settings.agentsPerChannel()),
                    "--heartbeat", settings.heartbeat().toMillis() + "ms",
                    "--connect-rate", Integer.toString(rate),
                    "--task-delay", settings.taskDelay().toMillis() + "ms",
                    "--report-file", report.toString()));
            settings.failSelector().ifPresent(selector -> arguments.addAll(List.of("--fail-selector", selector)));
            ChildProcess process = start("simulator-" + i, settings.simulatorJvmFlags(), arguments);
            Simulator simulator = new Simulator(i, process, share, report);
            simulators.add(simulator);
            started.add(simulator);
        }
        return started;
    }

    /**
     * Stops every simulator (SIGTERM: each writes its execution report and closes its streams)
     * and returns their reports.
     *
     * @throws IllegalStateException when a simulator wrote no report
     */
    public List<ExecutionReport> stopSimulators() throws InterruptedException {
        List<ExecutionReport> reports = new ArrayList<>();
        for (Simulator simulator : simulators) {
            simulator.process().stop(SIMULATOR_GRACE);
        }
        for (Simulator simulator : simulators) {
            try {
                reports.add(ExecutionReport.read(simulator.reportFile()));
            } catch (UncheckedIOException e) {
                throw new IllegalStateException(simulator.process().name() + " wrote no execution report ("
                        + e.getMessage() + "); see " + simulator.process().log(), e);
            }
        }
        simulators.clear();
        return reports;
    }

    /** {@code kill -9} of one member; returns when the process is gone. */
    public void kill(Member member) throws InterruptedException {
        LOG.info("killing {} (pid {}) with SIGKILL", member.name(), member.process().pid());
        member.process().kill();
    }

    /** {@code kill -STOP} of a member or simulator: the process stays, silent, until {@link #resume}. */
    public void pause(ChildProcess child) throws InterruptedException {
        signal(child, "STOP");
    }

    /** {@code kill -CONT} of a process {@link #pause}d. */
    public void resume(ChildProcess child) throws InterruptedException {
        signal(child, "CONT");
    }

    private static void signal(ChildProcess child, String signal) throws InterruptedException {
        LOG.info("sending SIG{} to {} (pid {})", signal, child.name(), child.pid());
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).redirectErrorStream(true).start();
            String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + child.name() + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run kill -" + signal + ": " + e.getMessage(), e);
        }
    }

    /**
     * Throws with the child's log when a member or simulator has exited by itself.
     *
     * @param waitingFor what the caller was waiting for, for the message
     */
    public void checkAlive(String waitingFor, List<Member> expectedAlive) {
        for (Member member : expectedAlive) {
            failIfExited(member.process(), waitingFor);
        }
        for (Simulator simulator : simulators) {
            failIfExited(simulator.process(), waitingFor);
        }
    }

    private static void failIfExited(ChildProcess child, String waitingFor) {
        Optional<Integer> exit = child.exitCode();
        if (exit.isPresent()) {
            throw new IllegalStateException(child.name() + " exited with code " + exit.get() + " while waiting for "
                    + waitingFor + "; see " + child.log() + child.lastLogLine().map(l -> " (last line: " + l + ")").orElse(""));
        }
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** Members whose process is alive. */
    public List<Member> liveMembers() {
        return members.stream().filter(m -> m.process().isAlive()).toList();
    }

    public List<Simulator> simulators() {
        return List.copyOf(simulators);
    }

    public FleetDatabase database() {
        return database;
    }

    public FleetSettings settings() {
        return settings;
    }

    private ChildProcess start(String name, List<String> jvmFlags, List<String> arguments) {
        List<String> withParent = new ArrayList<>(arguments);
        withParent.add("--parent-pid");
        withParent.add(Long.toString(self));
        return ChildProcess.start(name, java.command(jvmFlags, withParent), settings.logs().resolve(name + ".log"));
    }

    /** Stops simulators, then members last to first, then the guard and the database. */
    @Override
    public void close() throws InterruptedException {
        try {
            for (Simulator simulator : simulators) {
                simulator.process().stop(SIMULATOR_GRACE);
            }
            for (int i = members.size() - 1; i >= 0; i--) {
                members.get(i).process().stop(MEMBER_GRACE);
            }
            if (guard != null) {
                guard.stop(GUARD_GRACE);
            }
        } finally {
            database.close();
        }
    }
}
