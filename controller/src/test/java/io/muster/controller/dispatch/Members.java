package io.muster.controller.dispatch;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.task.RunSweeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Controller members on loopback sharing one test database and a cluster name of their own. */
public final class Members implements AutoCloseable {

    public static final Duration HEARTBEAT = Duration.ofSeconds(1);

    public final TestDatabase database = TestDatabase.create();
    public final List<Controller> members = new ArrayList<>();
    private final String clusterName = "dispatch-" + UUID.randomUUID();
    private final Path dataDir;

    public Members(Path dataDir, int count) {
        this.dataDir = dataDir;
        for (int i = 0; i < count; i++) {
            add();
        }
    }

    public Controller add() {
        List<String> join = members.stream().map(m -> "127.0.0.1:" + m.hazelcastPort()).collect(Collectors.toList());
        Controller member = Controller.start(new ControllerConfig(database.url(), 0, 0,
                dataDir.resolve("m" + members.size()), join, 0, "127.0.0.1", clusterName, Duration.ofSeconds(2),
                HEARTBEAT), RunSweeper.Settings.DEFAULTS);
        members.add(member);
        // Partitions keep moving for a while after a join: a test that spreads agents over the
        // members starts from a settled cluster, or a new member may not own anything yet.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> members.stream().allMatch(m -> m.ownership().settled()));
        return member;
    }

    public List<String> grpcAddresses() {
        return members.stream().map(m -> "127.0.0.1:" + m.grpcPort()).collect(Collectors.toList());
    }

    public int sessions() {
        return members.stream().mapToInt(m -> m.sessions().size()).sum();
    }

    /**
     * Whether exactly {@code hosts} agents hold sessions and every one has its host row with the
     * facts of its first inventory: a session is up before its row is written (batched), the facts
     * come after the Welcome, and a task or rollout selects rows by facts ({@code hostname~*}).
     */
    public boolean targetable(int hosts) {
        return sessions() == hosts && database.count("SELECT count(*) FROM hosts WHERE facts ->> 'hostname' IS NOT NULL") == hosts;
    }

    @Override
    public void close() {
        for (Controller member : members) {
            member.close();
        }
        database.close();
    }
}
