package io.muster.controller;

import io.muster.testdb.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connect admission on a real member (loopback gRPC, PostgreSQL) with the real fleet simulator: a
 * connect storm larger than the admission limit is partly refused "member busy" at once, and the
 * refused agents back off with jitter and get in, instead of waiting out a Welcome deadline.
 */
class ConnectAdmissionTest {

    private static final int AGENTS = 200;
    private static final int LIMIT = 5;
    private static final Duration HEARTBEAT = Duration.ofMillis(500);

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller member;
    private FleetSimulator fleet;

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.stop();
        }
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void connectStorm_beyondTheLimit_refusedBusy_thenEveryAgentConnects() {
        database = TestDatabase.create();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("m0"), List.of(), 0,
                "127.0.0.1", "admission-" + System.nanoTime(), Duration.ofSeconds(2), HEARTBEAT)
                .withMaxConnectsInFlight(LIMIT));
        await().atMost(Duration.ofSeconds(60)).until(() -> member.ownership().settled());

        // A connect rate this high starts every agent at once: 200 Hellos against a limit of 5.
        fleet = FleetSimulator.start(new SimulatorConfig(List.of("127.0.0.1:" + member.grpcPort()), AGENTS, 11, 100,
                HEARTBEAT, 1_000_000, null, "storm-"));

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> fleet.connectedCount() == AGENTS && member.sessions().size() == AGENTS);

        assertThat(busyRefusals()).as("Hellos refused busy").isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> connectsInFlight() == 0);
        member.hosts().flush().toCompletionStage().toCompletableFuture().join();
        String hosts = AgentControllerTest.http(member, "/api/v1/hosts?limit=1000");
        assertThat(hosts.split("\"connectedTo\":\"" + member.memberId() + "\"", -1)).hasSize(AGENTS + 1);
        System.out.printf("%d agents connected through a connect limit of %d; %.0f Hellos refused busy%n",
                AGENTS, LIMIT, busyRefusals());
    }

    private double busyRefusals() {
        Counter counter = member.meterRegistry().find("muster.sessions.refused").tag("reason", "busy").counter();
        return counter == null ? 0 : counter.count();
    }

    private double connectsInFlight() {
        Gauge gauge = member.meterRegistry().find("muster.connects.in.flight").gauge();
        return gauge == null ? -1 : gauge.value();
    }
}
