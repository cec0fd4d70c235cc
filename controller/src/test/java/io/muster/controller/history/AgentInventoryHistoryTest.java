package io.muster.controller.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatedAgent;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.task.RunSweeper;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventory history from agents, not from test writes: a real agent (in this JVM, reading this
 * machine with OSHI) whose local facts file is rewritten while it runs, and simulated agents
 * that get a kernel upgrade and a memory change mid-run. Both reach the member as inventory
 * deltas over their sessions; the history endpoints then answer what changed, from what to what,
 * and when. Also the retention: old day partitions of the history and the vitals series are
 * dropped whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentInventoryHistoryTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String NEW_KERNEL = "6.1.0-99-amd64";

    @TempDir
    static Path temp;

    private TestDatabase database;
    private Controller member;
    private ApiClient api;
    private Agent real;
    private FleetSimulator fleet;

    @BeforeAll
    void start() {
        database = TestDatabase.create();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("m"), List.of(), 0, "127.0.0.1",
                "agent-history-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofMillis(500)), RunSweeper.Settings.DEFAULTS);
        api = TestTokens.adminClient(member);
    }

    @AfterAll
    void stop() {
        if (real != null) {
            real.close();
        }
        if (fleet != null) {
            fleet.close();
        }
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void history_shows_what_changed_on_a_real_agent_and_on_simulated_agents_with_old_new_and_when() throws Exception {
        // The real agent: its own host id (else it derives it from /etc/machine-id), a local facts
        // file, and an inventory refresh every 300 ms instead of every minute.
        Path dataDir = temp.resolve("agent");
        Files.createDirectories(dataDir.resolve(Agent.LOCAL_FACTS));
        Files.writeString(dataDir.resolve("host-id"), UUID.randomUUID().toString());
        Path site = dataDir.resolve(Agent.LOCAL_FACTS).resolve("site.facts");
        Files.writeString(site, "rack=r12\nfirmware=1.0.3\n");
        real = new Agent(new AgentConfig(List.of("127.0.0.1:" + member.grpcPort()), dataDir, Duration.ofMillis(500),
                Duration.ofSeconds(1), null, null, null, Duration.ofMillis(300))).start();
        String realHost = real.hostId();
        await().atMost(DEADLINE).until(() -> "r12".equals(facts(realHost).getString("local.rack")));
        assertThat(facts(realHost).getString("local.firmware")).isEqualTo("1.0.3");

        fleet = FleetSimulator.start(new SimulatorConfig(List.of("127.0.0.1:" + member.grpcPort()), 3, 21, 100,
                Duration.ofMillis(500), 500, Duration.ofMillis(20), "hist-"));
        SimulatedAgent upgraded = fleet.agents().get(0);
        SimulatedAgent resized = fleet.agents().get(1);
        await().atMost(DEADLINE).until(() -> fleet.agents().stream().allMatch(a -> facts(a.hostId()).getString("hostname") != null));
        String oldKernel = facts(upgraded.hostId()).getString("kernel.release");
        long oldMemory = facts(resized.hostId()).getLong("mem.total_bytes");
        assertThat(oldKernel).isNotEqualTo(NEW_KERNEL);

        Instant before = Instant.now();
        // Provisioning moves the host to another rack and an update bumps its firmware.
        Files.writeString(site, "rack=r14\nfirmware=1.1.0\n");
        upgraded.changeInventory(b -> b.setOs(b.getOs().toBuilder().setKernel(NEW_KERNEL)));
        resized.changeInventory(b -> b.setMemory(b.getMemory().toBuilder().setTotalBytes(oldMemory * 2)));
        await().atMost(DEADLINE).until(() -> "r14".equals(facts(realHost).getString("local.rack"))
                && NEW_KERNEL.equals(facts(upgraded.hostId()).getString("kernel.release"))
                && facts(resized.hostId()).getLong("mem.total_bytes") == oldMemory * 2);
        Instant after = Instant.now();

        // Per host: exactly the facts that changed, with old and new values, stamped between the changes.
        JsonArray realHistory = history(realHost, "?since=" + encode(before.toString()) + "&key=local.rack");
        assertThat(realHistory).hasSize(1);
        assertChange(realHistory.getJsonObject(0), realHost, "local.rack", "r12", "r14", before, after);
        JsonObject firmware = history(realHost, "?key=local.firmware").getJsonObject(0);
        assertChange(firmware, realHost, "local.firmware", "1.0.3", "1.1.0", before, after);

        JsonArray kernelHistory = history(upgraded.hostId(), "");
        assertThat(kernelHistory).hasSize(1);
        assertChange(kernelHistory.getJsonObject(0), upgraded.hostId(), "kernel.release", oldKernel, NEW_KERNEL, before, after);
        JsonArray memoryHistory = history(resized.hostId(), "");
        assertThat(memoryHistory).hasSize(1);
        JsonObject memory = memoryHistory.getJsonObject(0);
        assertThat(memory.getString("key")).isEqualTo("mem.total_bytes");
        assertThat(memory.getLong("old")).isEqualTo(oldMemory);
        assertThat(memory.getLong("new")).isEqualTo(oldMemory * 2);
        assertThat(history(fleet.agents().get(2).hostId(), "")).isEmpty();

        // Fleet-wide: "which hosts changed kernel since before", and the rack moves by selector.
        JsonArray kernels = changes("?key=kernel.release&since=" + encode(before.toString()));
        assertThat(kernels).hasSize(1);
        assertChange(kernels.getJsonObject(0), upgraded.hostId(), "kernel.release", oldKernel, NEW_KERNEL, before, after);
        JsonArray racks = changes("?key=local.rack&selector=" + encode("local.firmware=1.1.0"));
        assertThat(racks).hasSize(1);
        assertThat(racks.getJsonObject(0).getString("host")).isEqualTo(realHost);
        List<String> changedHosts = new ArrayList<>();
        changes("?since=" + encode(before.toString()) + "&limit=1000").forEach(c -> changedHosts.add(((JsonObject) c).getString("host")));
        assertThat(changedHosts).contains(realHost, upgraded.hostId(), resized.hostId())
                .doesNotContain(fleet.agents().get(2).hostId());
        assertThat(changes("?key=kernel.release&until=" + encode(before.toString())))
                .noneMatch(c -> upgraded.hostId().equals(((JsonObject) c).getString("host")));
    }

    @Test
    void retention_drops_whole_day_partitions_of_the_history_and_the_vitals_series() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate old = today.minusDays(20);
        LocalDate kept = today.minusDays(3);
        for (String table : List.of("inventory_changes", "host_vitals")) {
            for (LocalDate day : List.of(old, kept)) {
                database.execute("CREATE TABLE IF NOT EXISTS " + partition(table, day) + " PARTITION OF " + table
                        + " FOR VALUES FROM ('" + day + "') TO ('" + day.plusDays(1) + "')");
            }
        }
        for (LocalDate day : List.of(old, kept)) {
            database.execute("INSERT INTO inventory_changes (host_id, key, old_value, new_value, at) VALUES ('h', 'kernel.release', "
                    + "'\"a\"', '\"b\"', '" + day + "T12:00:00Z')");
            database.execute("INSERT INTO host_vitals (host_id, bucket, samples, load1_min, load1_sum, load1_max, cpu_min, cpu_sum, "
                    + "cpu_max, mem_min, mem_sum, mem_max, uptime_s) VALUES ('h', '" + day + "T12:00:00Z', 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1)");
        }

        database.execute("SELECT inventory_history_maintain(2, interval '10 days')");
        database.execute("SELECT host_vitals_maintain(2, interval '10 days')");

        for (String table : List.of("inventory_changes", "host_vitals")) {
            assertThat(exists(partition(table, old))).as(partition(table, old)).isFalse();
            assertThat(exists(partition(table, kept))).as(partition(table, kept)).isTrue();
            assertThat(exists(partition(table, today.plusDays(2)))).as("created ahead").isTrue();
        }
        assertThat(database.count("SELECT count(*) FROM inventory_changes WHERE host_id = 'h'")).isEqualTo(1);
        assertThat(database.count("SELECT count(*) FROM host_vitals WHERE host_id = 'h'")).isEqualTo(1);

        // A retention shorter than the kept day's age drops that one too; today's partition stays.
        database.execute("SELECT inventory_history_maintain(2, interval '1 day')");
        database.execute("SELECT host_vitals_maintain(2, interval '1 day')");
        assertThat(exists(partition("inventory_changes", kept))).isFalse();
        assertThat(exists(partition("host_vitals", kept))).isFalse();
        assertThat(exists(partition("inventory_changes", today))).isTrue();
        assertThat(exists(partition("host_vitals", today))).isTrue();
    }

    private static String partition(String table, LocalDate day) {
        return table + "_" + day.format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    private boolean exists(String table) {
        return database.count("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'") == 1;
    }

    private static void assertChange(JsonObject change, String host, String key, Object old, Object now, Instant from, Instant to) {
        assertThat(change.getString("host")).isEqualTo(host);
        assertThat(change.getString("key")).isEqualTo(key);
        assertThat(change.getValue("old")).isEqualTo(old);
        assertThat(change.getValue("new")).isEqualTo(now);
        // The database stamps it (its transaction's start); the server is on this machine's clock.
        assertThat(Instant.parse(change.getString("at"))).isBetween(from.minusMillis(500), to.plusMillis(500));
    }

    private JsonObject facts(String hostId) {
        ApiClient.Answer host = api.get("/api/v1/hosts/" + hostId);
        return host.status() == 200 && host.json().getJsonObject("facts") != null ? host.json().getJsonObject("facts") : new JsonObject();
    }

    private JsonArray history(String hostId, String query) {
        ApiClient.Answer answer = api.get("/api/v1/hosts/" + hostId + "/history" + query);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().getJsonArray("items");
    }

    private JsonArray changes(String query) {
        ApiClient.Answer answer = api.get("/api/v1/changes" + query);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer.json().getJsonArray("items");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
