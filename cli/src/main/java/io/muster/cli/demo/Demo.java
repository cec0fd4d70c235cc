package io.muster.cli.demo;

import io.muster.launch.ChildProcess;
import io.muster.cli.CommandFailure;
import io.muster.cli.duration.Durations;
import io.muster.cli.launch.JavaCommand;
import io.muster.cli.launch.StopSignal;
import io.muster.controller.store.EmbeddedDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the demo: the embedded PostgreSQL in this process, then the controller members, this
 * host's agent and optionally a simulated fleet as processes of their own; waits until they are
 * up, prints what the controller sees, runs until stopped, then stops everything in order
 * (agents, members one by one so each hands its hosts over, the database last).
 *
 * <p>Every child gets {@code --parent-pid} of this process, and a guard process stops the
 * embedded PostgreSQL should this process die without stopping it (e.g. {@code kill -9}).
 *
 * <p>Runs on the caller's thread; not reusable.
 */
final class Demo {

    static final Duration MEMBERS_READY_DEADLINE = Duration.ofMinutes(3);
    static final Duration HOST_ONLINE_DEADLINE = Duration.ofSeconds(90);
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration AGENT_GRACE = Duration.ofSeconds(20);
    static final Duration MEMBER_GRACE = Duration.ofSeconds(60);
    static final Duration GUARD_GRACE = Duration.ofSeconds(10);
    static final int SIMULATOR_CONNECT_RATE = 1000;
    /** The file the agent keeps its host id in (io.muster.agent.identity.HostIdentity). */
    static final String HOST_ID_FILE = "host-id";

    private final DemoSettings settings;
    private final StopSignal stop;
    private final PrintStream out;
    private final JavaCommand java = JavaCommand.current();
    private final MemberPolls api;
    private final List<ChildProcess> members = new ArrayList<>();
    private final Set<ChildProcess> reportedExits = new HashSet<>();
    private ChildProcess guard;
    private ChildProcess agent;
    private ChildProcess simulator;

    Demo(DemoSettings settings, StopSignal stop, PrintStream out) {
        this.settings = settings;
        this.api = new MemberPolls(settings.adminTokenFile());
        this.stop = stop;
        this.out = out;
    }

    /**
     * Runs until stopped.
     *
     * @throws CommandFailure (one line) when a part does not come up or does not stop cleanly;
     *                        everything started is stopped first
     */
    void run() throws InterruptedException {
        Ports.requireFree(settings.ports());
        out.println("Muster demo: data and logs in " + settings.dataDir());
        out.print("starting the embedded PostgreSQL... ");
        out.flush();
        EmbeddedDatabase database = EmbeddedDatabase.startWithoutFsync(settings.dataDir(), 0, "the demo's throwaway data");
        out.println("up on 127.0.0.1:" + database.port());
        boolean clean = false;
        try {
            if (!stop.stopped()) {
                startAll(database);
            }
            if (!stop.stopped() && awaitUp()) {
                settings.runFor().ifPresent(limit -> stop.limit(limit, Durations.format(limit)));
                out.println(settings.runFor().map(d -> "Running for " + Durations.format(d) + " (Ctrl-C stops it sooner).")
                        .orElse("Running until Ctrl-C."));
                out.flush();
                watchUntilStopped();
            }
            out.println("stopping (" + stop.await() + ")...");
            clean = true;
        } finally {
            boolean stoppedCleanly = stopAll();
            database.close();
            if (clean) {
                out.println(stoppedCleanly ? "stopped; the embedded PostgreSQL is shut down." : "stopped, not cleanly.");
            }
            if (clean && !stoppedCleanly) {
                throw new CommandFailure("some processes did not stop within their grace period and were killed; see "
                        + settings.logs());
            }
        }
    }

    private void startAll(EmbeddedDatabase database) {
        long self = ProcessHandle.current().pid();
        guard = start("db-guard", List.of("-Xmx16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                List.of("db-guard", "--postgres-dir", database.directory().toString()), self);
        out.println("starting " + settings.members() + (settings.members() == 1 ? " controller member" : " controller members")
                + " (HTTP " + range(settings.httpPort(0)) + ", gRPC " + range(settings.grpcPort(0))
                + ", Hazelcast " + range(settings.hazelcastPort(0)) + ")...");
        for (int i = 0; i < settings.members(); i++) {
            // The demo runs without certificates (a WARN line in each member's log says so), so it
            // listens on loopback only: an unauthenticated gateway must not be reachable from the network.
            List<String> arguments = new ArrayList<>(List.of("controller",
                    "--listen", "127.0.0.1",
                    "--db-url", database.urlWithoutPassword(),
                    "--db-password-file", database.passwordFile().toString(),
                    "--http-port", Integer.toString(settings.httpPort(i)),
                    "--grpc-port", Integer.toString(settings.grpcPort(i)),
                    "--hz-port", Integer.toString(settings.hazelcastPort(i)),
                    "--join", settings.hazelcastMembers(),
                    "--data-dir", settings.memberDir(i).toString(),
                    "--insecure"));
            if (i == 0) {
                // One member makes the admin token, so that there is one.
                arguments.addAll(List.of("--admin-token-file", settings.adminTokenFile().toString()));
            }
            members.add(start("member-" + i, List.of(), arguments, self));
        }
    }

    /** Waits for members, agent (and simulator); false when told to stop meanwhile. */
    private boolean awaitUp() throws InterruptedException {
        if (!await("the controller members to be ready", MEMBERS_READY_DEADLINE, members, this::clusterFormed)) {
            return false;
        }
        long self = ProcessHandle.current().pid();
        out.println("starting the agent of this host...");
        // As a person starts it: the supervisor script, which runs the agent JVM (and upgrades it).
        agent = ChildProcess.start("agent", java.supervisedAgent(settings.dataDir().resolve("bin"), List.of(),
                List.of("--controller", settings.grpcAddresses(),
                        "--data-dir", settings.agentDir().toString(),
                        "--insecure", "--parent-pid", Long.toString(self))), settings.logs().resolve("agent.log"));
        if (settings.agents() > 0) {
            out.println("starting " + settings.agents() + " simulated agents...");
            List<String> simulate = new java.util.ArrayList<>(List.of("simulate",
                    "--controller", settings.grpcAddresses(),
                    "--agents", Integer.toString(settings.agents()),
                    "--connect-rate", Integer.toString(SIMULATOR_CONNECT_RATE)));
            settings.failSelector().ifPresent(selector -> simulate.addAll(List.of("--fail-selector", selector)));
            simulator = start("simulator", List.of(), simulate, self);
        }
        List<ChildProcess> running = running();
        JsonObject[] host = new JsonObject[1];
        if (!await("this host to be online", HOST_ONLINE_DEADLINE, running, () -> {
            host[0] = onlineHost().orElse(null);
            return host[0] != null;
        })) {
            return false;
        }
        long expected = settings.agents() + 1L;
        Duration fleetDeadline = Duration.ofSeconds(60 + 2L * settings.agents() / SIMULATOR_CONNECT_RATE);
        boolean fleetConnected = awaitQuietly(fleetDeadline, running,
                () -> api.cluster(settings.httpPort(0)).map(ClusterSummary::connectedHosts).orElse(0L) >= expected);
        if (stop.stopped()) {
            return false;
        }
        printSummary(host[0], expected, fleetConnected);
        return true;
    }

    private boolean clusterFormed() throws InterruptedException {
        for (int i = 0; i < settings.members(); i++) {
            if (!api.ready(settings.httpPort(i))) {
                return false;
            }
        }
        return api.cluster(settings.httpPort(0))
                .map(c -> c.getJsonArray("members") != null && c.getJsonArray("members").size() == settings.members())
                .orElse(false);
    }

    private Optional<JsonObject> onlineHost() throws InterruptedException {
        Path file = settings.agentDir().resolve(HOST_ID_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String hostId;
        try {
            hostId = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (hostId.isEmpty()) {
            return Optional.empty();
        }
        return api.host(settings.httpPort(0), hostId)
                .filter(h -> "online".equals(h.getString("state")) && h.getJsonObject("inventory") != null);
    }

    private void printSummary(JsonObject host, long expected, boolean fleetConnected) throws InterruptedException {
        out.println();
        out.println("The console: " + MemberPolls.base(settings.httpPort(0)) + "/  (sign in with the admin token below)");
        out.println("The API: " + MemberPolls.base(settings.httpPort(0)) + "/api/v1/hosts"
                + (settings.members() > 1 ? "  (every member serves it: ports " + range(settings.httpPort(0)) + ")" : ""));
        out.println("Admin API token: " + api.token().orElse("(not written)") + "  (also in " + settings.adminTokenFile()
                + ", mode 0600)");
        out.println("  e.g. curl -H \"Authorization: Bearer $(cat " + settings.adminTokenFile() + ")\" "
                + MemberPolls.base(settings.httpPort(0)) + "/api/v1/hosts");
        out.println("  or:  export MUSTER_URL=" + MemberPolls.base(settings.httpPort(0)) + " MUSTER_TOKEN=$(cat "
                + settings.adminTokenFile() + ")");
        out.println();
        HostSummary.lines(host).forEach(out::println);
        out.println();
        Optional<JsonObject> cluster = api.cluster(settings.httpPort(0));
        cluster.ifPresent(c -> ClusterSummary.lines(c).forEach(out::println));
        if (!fleetConnected) {
            out.println("  (" + cluster.map(ClusterSummary::connectedHosts).orElse(0L) + " of " + expected
                    + " hosts connected so far; the simulated fleet is still connecting)");
        }
        out.println();
        out.println("Logs: " + settings.logs());
    }

    /** Until stopped: reports a child that exits by itself (once), without stopping the demo. */
    private void watchUntilStopped() throws InterruptedException {
        while (stop.await(Duration.ofSeconds(1)).isEmpty()) {
            for (ChildProcess child : running()) {
                Optional<Integer> exit = child.exitCode();
                if (exit.isPresent() && reportedExits.add(child)) {
                    out.println(child.name() + " exited with code " + exit.get() + "; see " + child.log()
                            + child.lastLogLine().map(l -> " (last line: " + l + ")").orElse(""));
                    out.flush();
                }
            }
        }
    }

    /**
     * Polls {@code condition} until true (returns true), until stopped (returns false), or fails
     * when the deadline passes or a watched process exits.
     */
    private boolean await(String what, Duration deadline, List<ChildProcess> watched, Condition condition)
            throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        while (!stop.stopped()) {
            if (condition.holds()) {
                return true;
            }
            for (ChildProcess child : watched) {
                if (child.exitCode().isPresent()) {
                    throw new CommandFailure(child.name() + " exited with code " + child.exitCode().get()
                            + " while waiting for " + what + "; see " + child.log() + lastLine(child));
                }
            }
            if (Instant.now().isAfter(end)) {
                ChildProcess blame = watched.isEmpty() ? null : watched.get(watched.size() - 1);
                throw new CommandFailure("gave up waiting for " + what + " after " + Durations.format(deadline)
                        + (blame == null ? "" : "; see " + settings.logs() + " (e.g. " + blame.log().getFileName() + lastLine(blame) + ")"));
            }
            stop.await(POLL);
        }
        return false;
    }

    /** Like {@link #await} but a passed deadline is not a failure (returns false). */
    private boolean awaitQuietly(Duration deadline, List<ChildProcess> watched, Condition condition)
            throws InterruptedException {
        Instant end = Instant.now().plus(deadline);
        while (!stop.stopped() && Instant.now().isBefore(end)) {
            if (condition.holds()) {
                return true;
            }
            for (ChildProcess child : watched) {
                if (child.exitCode().isPresent()) {
                    throw new CommandFailure(child.name() + " exited with code " + child.exitCode().get()
                            + "; see " + child.log() + lastLine(child));
                }
            }
            stop.await(Duration.ofSeconds(1));
        }
        return false;
    }

    private static String lastLine(ChildProcess child) {
        return child.lastLogLine().map(l -> ": " + l).orElse("");
    }

    /** Stops the children, agents first, members last to first, then the guard; true if all exited by themselves. */
    private boolean stopAll() throws InterruptedException {
        boolean clean = true;
        clean &= stopChild(simulator, AGENT_GRACE);
        clean &= stopChild(agent, AGENT_GRACE);
        for (int i = members.size() - 1; i >= 0; i--) {
            clean &= stopChild(members.get(i), MEMBER_GRACE);
        }
        clean &= stopChild(guard, GUARD_GRACE);
        return clean;
    }

    private boolean stopChild(ChildProcess child, Duration grace) throws InterruptedException {
        if (child == null) {
            return true;
        }
        boolean wasRunning = child.isAlive();
        boolean clean = child.stop(grace);
        if (!clean) {
            out.println(child.name() + " did not stop within " + Durations.format(grace) + " and was killed; see " + child.log());
        } else if (wasRunning) {
            out.println("  " + child.name() + " stopped");
        }
        out.flush();
        return clean;
    }

    private List<ChildProcess> running() {
        List<ChildProcess> all = new ArrayList<>(members);
        if (agent != null) {
            all.add(agent);
        }
        if (simulator != null) {
            all.add(simulator);
        }
        return all;
    }

    private ChildProcess start(String name, List<String> jvmFlags, List<String> arguments, long parentPid) {
        List<String> withParent = new ArrayList<>(arguments);
        withParent.add("--parent-pid");
        withParent.add(Long.toString(parentPid));
        return ChildProcess.start(name, java.muster(jvmFlags, withParent), settings.logs().resolve(name + ".log"));
    }

    private String range(int first) {
        return settings.members() == 1 ? Integer.toString(first) : first + "-" + (first + settings.members() - 1);
    }

    /** A readiness check that may block briefly on an HTTP call. */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws InterruptedException;
    }
}
