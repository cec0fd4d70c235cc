package io.muster.controller.dispatch;

import static org.awaitility.Awaitility.await;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.store.DatabaseUrl;
import io.muster.controller.task.CreatedTask;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Bench (not part of {@code mvn verify}): time to deliver one exec task to N simulated hosts and
 * have every result in PostgreSQL, with per-host latency (task committed -> that host's terminal
 * result committed, both on the database clock) as p50/p99.
 *
 * <pre>
 * mvn -B -pl controller test -Dtest=TaskDeliveryBench -Dmuster.bench=true \
 *     [-Dmuster.bench.hosts=1000,10000] [-Dmuster.bench.members=1] [-Dmuster.bench.taskDelayMs=50]
 * </pre>
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "muster.bench", matches = "true")
class TaskDeliveryBench {

    @Test
    void deliverOneExecTaskToNHosts() throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("muster.bench.hosts", "1000,10000").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
        int memberCount = Integer.getInteger("muster.bench.members", 1);
        Duration taskDelay = Duration.ofMillis(Long.getLong("muster.bench.taskDelayMs", 50));
        StringBuilder report = new StringBuilder();
        for (int hosts : sizes) {
            report.append(run(hosts, memberCount, taskDelay)).append('\n');
        }
        System.out.println("\n=== task delivery bench (" + memberCount + " member(s), simulated run time "
                + taskDelay.toMillis() + " ms, " + Runtime.getRuntime().availableProcessors() + " cores) ===\n" + report);
    }

    private static String run(int hosts, int memberCount, Duration taskDelay) throws Exception {
        Path dir = Files.createTempDirectory("muster-bench");
        try (Members members = new Members(dir, memberCount);
             FleetSimulator simulator = FleetSimulator.start(new SimulatorConfig(members.grpcAddresses(), hosts, 7, 500,
                     Duration.ofSeconds(30), 5000, taskDelay, "bench-"))) {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200))
                    .until(() -> simulator.connectedCount() == hosts && members.targetable(hosts));
            Controller accepting = members.members.get(0);
            TaskRequest request = new TaskRequest(new TaskTarget.BySelector(Selector.parse("hostname~*")),
                    TaskKind.EXEC, new JsonObject().put("command", List.of("uptime")), 60, false);
            long started = System.nanoTime();
            CreatedTask created = accepting.tasks().create(request).toCompletionStage().toCompletableFuture().get();
            long accepted = System.nanoTime();
            UUID taskId = created.taskId();
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() -> accepting.tasks()
                    .progress(taskId).toCompletionStage().toCompletableFuture().get().orElseThrow().state().terminal());
            long done = System.nanoTime();
            Histogram perHost = perHostLatency(members, taskId);
            return String.format("N=%,d: accepted (task + runs committed) in %d ms; all results in PostgreSQL after %d ms;"
                            + " per host p50 %d ms, p99 %d ms, max %d ms (%d runs)",
                    hosts, (accepted - started) / 1_000_000, (done - started) / 1_000_000,
                    perHost.getValueAtPercentile(50), perHost.getValueAtPercentile(99), perHost.getMaxValue(),
                    perHost.getTotalCount());
        }
    }

    private static Histogram perHostLatency(Members members, UUID taskId) throws Exception {
        Histogram histogram = new Histogram(3_600_000, 3);
        DatabaseUrl url = DatabaseUrl.parse(members.database.url());
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             PreparedStatement query = connection.prepareStatement("SELECT (extract(epoch FROM r.recorded_at - t.created_at)"
                     + " * 1000)::bigint, r.state FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.task_id = ?")) {
            query.setObject(1, taskId);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    if (!"succeeded".equals(rows.getString(2))) {
                        throw new AssertionError("a run ended " + rows.getString(2));
                    }
                    histogram.recordValue(Math.max(0, rows.getLong(1)));
                }
            }
        }
        return histogram;
    }
}
