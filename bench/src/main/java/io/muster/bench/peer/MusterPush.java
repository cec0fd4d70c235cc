package io.muster.bench.peer;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.task.config.ConfigExecutor;
import io.muster.bench.fleet.BenchFleet;
import io.muster.bench.fleet.Member;
import io.muster.bench.probe.ClusterReading;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.scenario.TaskRuns;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Muster's side of the comparison: real agents ({@link Agent}, with the real config executor) in
 * this JVM, one per loopback address: agent i reaches the controller through 127.0.0.(i+2), the
 * address Ansible's host i has. Each agent has its own data dir and host id, and its config
 * executor is rooted in its own destination directory ({@link RootedConfigExecutor}), so one
 * config task writing {@code /etc/motd} writes K distinct files. The time runs from sending the
 * task to the last run's result being recorded in PostgreSQL. Not thread-safe.
 */
final class MusterPush implements AutoCloseable {

    private static final Duration CONNECT_DEADLINE = Duration.ofMinutes(5);
    private static final Duration PUSH_DEADLINE = Duration.ofMinutes(5);

    /** The time of one push and how many hosts got the file right. */
    record Result(int hosts, double seconds, double postSeconds, int verified, long succeeded) {
    }

    private final BenchFleet fleet;
    private final Member member;
    private final MemberApi api;
    private final List<Agent> agents = new ArrayList<>();
    private final List<String> hostIds = new ArrayList<>();
    private final List<Path> roots = new ArrayList<>();

    private MusterPush(BenchFleet fleet, MemberApi api) {
        this.fleet = fleet;
        this.member = fleet.members().get(0);
        this.api = api;
    }

    /** Starts {@code count} agents against the fleet's first member and waits until all are connected. */
    static MusterPush start(BenchFleet fleet, MemberApi api, Path work, int count) throws Exception {
        MusterPush push = new MusterPush(fleet, api);
        try {
            push.startAgents(work, count);
            push.awaitConnected(count);
            return push;
        } catch (Exception e) {
            push.close();
            throw e;
        }
    }

    private void startAgents(Path work, int count) throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(4);
        try {
            List<Future<Agent>> started = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Path data = work.resolve("agent-" + i);
                Path root = work.resolve("hosts").resolve("h" + i);
                Files.createDirectories(data);
                // A host id of its own: otherwise every agent on this machine derives the same one from /etc/machine-id.
                String hostId = UUID.nameUUIDFromBytes(("muster-peer:" + i).getBytes(StandardCharsets.UTF_8))
                        .toString().replace("-", "");
                Files.writeString(data.resolve("host-id"), hostId + "\n", StandardCharsets.UTF_8);
                hostIds.add(hostId);
                roots.add(root);
                AgentConfig config = AgentConfig.of(List.of("127.0.0." + (i + 2) + ":" + member.grpcPort()), data);
                started.add(starters.submit(() -> new Agent(config,
                        List.of(new RootedConfigExecutor(new ConfigExecutor(), root)), null).start()));
            }
            for (Future<Agent> agent : started) {
                agents.add(agent.get());
            }
        } finally {
            starters.shutdownNow();
        }
    }

    private void awaitConnected(int count) throws InterruptedException {
        long end = System.nanoTime() + CONNECT_DEADLINE.toNanos();
        while (ClusterReading.localConnected(api, member).orElse(0L) < count) {
            fleet.checkAlive("the peer agents to connect", List.of(member));
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the " + count + " peer agents did not all connect within "
                        + CONNECT_DEADLINE.toMinutes() + " min");
            }
            Thread.sleep(200);
        }
    }

    /** One config task writing {@code source}'s content to {@link AnsiblePush#DESTINATION} on the first {@code hosts} agents. */
    Result push(int hosts, Path source) throws Exception {
        String content = Files.readString(source, StandardCharsets.UTF_8);
        JsonArray targets = new JsonArray();
        for (int i = 0; i < hosts; i++) {
            Path etc = roots.get(i).resolve("etc");
            Files.createDirectories(etc);
            Files.deleteIfExists(etc.resolve("motd"));
            targets.add(hostIds.get(i));
        }
        JsonObject request = new JsonObject()
                .put("target", new JsonObject().put("hosts", targets))
                .put("kind", "config")
                .put("spec", new JsonObject().put("resources", new JsonArray().add(new JsonObject()
                        .put("type", "file").put("path", AnsiblePush.DESTINATION).put("content", content).put("mode", "0644"))))
                .put("timeoutSeconds", 300);
        long started = System.nanoTime();
        MemberApi.CreatedTask task = api.createTask(member.httpPort(), request);
        double post = (System.nanoTime() - started) / 1e9;
        long end = started + PUSH_DEADLINE.toNanos();
        double seconds;
        long succeeded;
        try (TaskRuns runs = new TaskRuns(fleet.database())) {
            while (true) {
                TaskRuns.Counts counts = runs.counts(task.id());
                if (counts.total() > 0 && counts.terminal() >= counts.total()) {
                    seconds = (System.nanoTime() - started) / 1e9;
                    break;
                }
                if (System.nanoTime() > end) {
                    throw new IllegalStateException("the config task to " + hosts + " agents did not finish within "
                            + PUSH_DEADLINE.toMinutes() + " min: " + runs.states(task.id()));
                }
                Thread.sleep(20);
            }
            succeeded = runs.states(task.id()).getOrDefault("succeeded", 0L);
        }
        byte[] expected = Files.readAllBytes(source);
        int verified = 0;
        for (int i = 0; i < hosts; i++) {
            Path file = roots.get(i).resolve("etc").resolve("motd");
            if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), expected)) {
                verified++;
            }
        }
        return new Result(hosts, seconds, post, verified, succeeded);
    }

    @Override
    public void close() {
        for (Agent agent : agents) {
            agent.close();
        }
        agents.clear();
    }
}
