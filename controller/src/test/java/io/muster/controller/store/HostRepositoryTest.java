package io.muster.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.testdb.TestDatabase;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;
import io.muster.proto.v1.Memory;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostRepositoryTest {

    private static Vertx vertx;
    private static TestDatabase testDatabase;
    private static Database database;

    private SimpleMeterRegistry registry;
    private HostRepository hosts;

    @BeforeAll
    static void openDatabase() {
        vertx = Vertx.vertx();
        testDatabase = TestDatabase.create();
        database = Await.result(Database.open(vertx, testDatabase.url()));
    }

    @AfterAll
    static void closeDatabase() {
        Await.result(database.close());
        Await.result(vertx.close());
        testDatabase.close();
    }

    @BeforeEach
    void emptyTables() {
        testDatabase.execute("TRUNCATE hosts CASCADE");
        registry = new SimpleMeterRegistry();
        // Flushes are driven by the tests; the periodic one is far away.
        hosts = new HostRepository(database, registry, java.time.Clock.systemUTC(), Duration.ofHours(1));
    }

    @AfterEach
    void closeRepository() {
        Await.result(hosts.close());
    }

    @Test
    void connectedInsertsOnlineAndReturnsTheStoredDigest() {
        assertThat(Await.result(hosts.connected("h1", "web-1", "0.1.0", "boot-a"))).isNull();
        Await.result(hosts.saveInventory("h1", Inventories.sample("web-1", "digest-1")));

        assertThat(Await.result(hosts.connected("h1", null, "0.1.1", "boot-b"))).isEqualTo("digest-1");

        HostRecord host = Await.result(hosts.find("h1")).orElseThrow();
        assertThat(host.state()).isEqualTo("online");
        assertThat(host.hostname()).isEqualTo("web-1");
        assertThat(host.agentVersion()).isEqualTo("0.1.1");
        assertThat(host.firstSeen()).isNotNull();
        assertThat(host.lastSeen()).isNotNull();
        assertThat(host.lifecycle()).isEqualTo("ready");
    }

    @Test
    void aConnectStormIsWrittenInBatchesAndEveryCallerGetsItsDigest() {
        connectAll(500);
        List<Future<Void>> saves = new ArrayList<>();
        for (int i = 0; i < 500; i += 2) {
            saves.add(hosts.saveInventory(id(i), Inventories.sample("h" + i, "digest-" + i)));
        }
        saves.forEach(Await::result);
        List<Future<String>> calls = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            calls.add(hosts.connected(id(i), null, "0.1.0", "b"));
        }
        // The same host twice in one batch must not break the single-statement upsert.
        calls.add(hosts.connected(id(1), null, "0.1.0", "b"));

        for (int i = 0; i < 3_000; i++) {
            assertThat(Await.result(calls.get(i))).isEqualTo(i % 2 == 0 && i < 500 ? "digest-" + i : null);
        }
        assertThat(Await.result(calls.get(3_000))).isNull();
        assertThat(count("SELECT count(*) FROM hosts WHERE state = 'online'")).isEqualTo(3_000);
        // 3,501 connects in all; batches of up to 1,000 rows, so far fewer statements than calls
        // (the exact number depends on how the 20 ms windows fall).
        double statements = registry.get("muster.store.connect").timer().count();
        assertThat(statements).isGreaterThanOrEqualTo(4).isLessThan(100);
        assertThat(registry.get("muster.store.connect.rows").counter().count()).isGreaterThanOrEqualTo(3_500.0);
    }

    @Test
    void saveInventoryStoresFactsWithNativeTypesAndTheWholeSnapshot() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Await.result(hosts.saveInventory("h1", Inventories.sample("db-7", "d1")));

        HostRecord host = Await.result(hosts.find("h1")).orElseThrow();

        assertThat(host.hostname()).isEqualTo("db-7");
        assertThat(host.digest()).isEqualTo("d1");
        assertThat(host.facts().get("hostname")).isEqualTo("db-7");
        assertThat(host.facts().get("cpu.cores")).isInstanceOf(Number.class);
        assertThat(((Number) host.facts().get("cpu.cores")).longValue()).isEqualTo(32);
        assertThat(((Number) host.facts().get("mem.total_bytes")).longValue()).isEqualTo(256L << 30);
        assertThat(host.facts().get("cpu.ghz")).isEqualTo(2.0);
        assertThat(host.facts().get("virtual")).isEqualTo(false);
        assertThat(host.inventory().getJsonObject("cpu").getString("model")).isEqualTo("Xeon Gold 6338");
        assertThat(count("SELECT count(*) FROM hosts WHERE jsonb_typeof(facts->'cpu.cores') = 'number'"
                + " AND jsonb_typeof(facts->'virtual') = 'boolean'")).isEqualTo(1);
    }

    @Test
    void saveInventoryOfAnUnknownHostFailsNotFound() {
        assertThat(Await.failure(hosts.saveInventory("ghost", Inventories.sample("x", "d"))))
                .isInstanceOf(HostNotFoundException.class);
    }

    @Test
    void applyDeltaWithTheStoredBaseDigestUpdatesInventoryAndFacts() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Await.result(hosts.saveInventory("h1", Inventories.sample("web-1", "d1")));
        InventoryDelta delta = InventoryDelta.newBuilder().setBaseDigest("d1").setDigest("d2")
                .setMemory(Memory.newBuilder().setTotalBytes(512L << 30))
                .putSetFacts("mem.total_bytes", Inventories.integer(512L << 30))
                .putSetFacts("hostname", Inventories.text("web-1b"))
                .addRemovedFacts("virtual")
                .build();

        assertThat(Await.result(hosts.applyDelta("h1", delta))).isTrue();

        HostRecord host = Await.result(hosts.find("h1")).orElseThrow();
        assertThat(host.digest()).isEqualTo("d2");
        assertThat(host.hostname()).isEqualTo("web-1b");
        assertThat(((Number) host.facts().get("mem.total_bytes")).longValue()).isEqualTo(512L << 30);
        assertThat(host.facts()).doesNotContainKey("virtual").containsKey("os.family");
        assertThat(host.inventory().getJsonObject("memory").getString("totalBytes")).isEqualTo(Long.toString(512L << 30));
        assertThat(host.inventory().getJsonObject("cpu").getInteger("cores")).isEqualTo(32);
    }

    @Test
    void applyDeltaWithAnotherBaseDigestChangesNothing() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Await.result(hosts.saveInventory("h1", Inventories.sample("web-1", "d1")));
        InventoryDelta stale = InventoryDelta.newBuilder().setBaseDigest("d0").setDigest("d9")
                .putSetFacts("hostname", Inventories.text("changed")).build();

        assertThat(Await.result(hosts.applyDelta("h1", stale))).isFalse();
        assertThat(Await.result(hosts.applyDelta("unknown", stale))).isFalse();

        HostRecord host = Await.result(hosts.find("h1")).orElseThrow();
        assertThat(host.digest()).isEqualTo("d1");
        assertThat(host.hostname()).isEqualTo("web-1");
    }

    @Test
    void applyDeltaBeforeAnySnapshotAsksForOne() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        InventoryDelta delta = InventoryDelta.newBuilder().setBaseDigest("").setDigest("d1").build();

        assertThat(Await.result(hosts.applyDelta("h1", delta))).isFalse();
    }

    @Test
    void heartbeatsOfManyHostsAreFlushedInOneStatement() {
        connectAll(300);
        Instant before = Await.result(hosts.find(id(7))).orElseThrow().lastSeen();
        for (int i = 0; i < 300; i++) {
            hosts.seen(id(i));
            hosts.seen(id(i));
        }
        assertThat(hosts.lastSeenFlusher().pendingHosts()).isEqualTo(300);

        assertThat(Await.result(hosts.lastSeenFlusher().flush())).isEqualTo(300);

        assertThat(registry.get("muster.store.flush").timer().count()).isEqualTo(1);
        assertThat(registry.get("muster.store.flush.rows").counter().count()).isEqualTo(300.0);
        assertThat(hosts.lastSeenFlusher().pendingHosts()).isZero();
        assertThat(Await.result(hosts.find(id(7))).orElseThrow().lastSeen()).isAfter(before);
        assertThat(Await.result(hosts.lastSeenFlusher().flush())).isZero();
        assertThat(registry.get("muster.store.flush").timer().count()).isEqualTo(1);
    }

    @Test
    void thePeriodicFlushWritesHeartbeatsByItself() {
        Await.result(hosts.close());
        hosts = new HostRepository(database, registry, java.time.Clock.systemUTC(), Duration.ofMillis(100));
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Instant before = Await.result(hosts.find("h1")).orElseThrow().lastSeen();

        hosts.seen("h1");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Await.result(hosts.find("h1")).orElseThrow().lastSeen()).isAfter(before));
    }

    @Test
    void disconnectIsWrittenByTheFlushAndALaterConnectWinsWhateverTheOrderOfWrites() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Await.result(hosts.connected("h2", null, "0.1.0", "b"));

        hosts.disconnected("h1");
        Await.result(hosts.flush());
        assertThat(state("h1")).isEqualTo("offline");
        assertThat(state("h2")).isEqualTo("online");

        // Disconnect recorded, then the host reconnects before the flush: the older disconnect,
        // written last, must not hide the reconnect.
        hosts.disconnected("h2");
        Await.result(hosts.connected("h2", null, "0.1.0", "c"));
        Await.result(hosts.flush());
        assertThat(state("h2")).isEqualTo("online");

        // A heartbeat and then a disconnect of the same host in one batch: the latest wins.
        hosts.seen("h1");
        hosts.disconnected("h1");
        Await.result(hosts.flush());
        assertThat(state("h1")).isEqualTo("offline");
    }

    @Test
    void markStaleOfflineTakesOnlySilentOnlineHosts() {
        Await.result(hosts.connected("silent", null, "0.1.0", "b"));
        Await.result(hosts.connected("alive", null, "0.1.0", "b"));
        testDatabase.execute("UPDATE hosts SET last_seen = now() - interval '10 minutes' WHERE id = 'silent'");

        assertThat(Await.result(hosts.markStaleOffline(Duration.ofMinutes(1)))).isEqualTo(1);

        assertThat(state("silent")).isEqualTo("offline");
        assertThat(state("alive")).isEqualTo("online");
        assertThat(Await.result(hosts.markStaleOffline(Duration.ofMinutes(1)))).isZero();
    }

    @Test
    void pagingOver250HostsHasNoGapsNorDuplicates() {
        connectAll(250);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HostPage page = Await.result(hosts.list(null, 40, cursor));
            page.items().forEach(h -> seen.add(h.id()));
            cursor = page.next();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(7);
        assertThat(seen).hasSize(250).doesNotHaveDuplicates().isSorted();
        assertThat(new HashSet<>(seen)).isEqualTo(idsUpTo(250));
    }

    @Test
    void aFullLastPageHasNoNextCursor() {
        connectAll(10);

        HostPage page = Await.result(hosts.list(null, 10, null));

        assertThat(page.items()).hasSize(10);
        assertThat(page.next()).isNull();
    }

    @Test
    void badCursorsAreRefused() {
        assertThat(Await.failure(hosts.list(null, 10, "not base64 !"))).isInstanceOf(InvalidCursorException.class);
        assertThat(Await.failure(hosts.list(null, 10, "aGVsbG8"))).isInstanceOf(InvalidCursorException.class);
        assertThat(Await.failure(hosts.events("h1", 10, PageCursor.encode(PageCursor.HOSTS, "x"))))
                .isInstanceOf(InvalidCursorException.class);
        assertThat(Await.failure(hosts.list(null, 0, null))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selectorsFilterOnLabelsAndFacts() {
        for (int i = 0; i < 6; i++) {
            Await.result(hosts.connected(id(i), null, "0.1.0", "b"));
            Inventory inventory = Inventories.sample("web-" + i, "d").toBuilder()
                    .putFacts("cpu.cores", Inventories.integer(i < 3 ? 16 : 64)).build();
            Await.result(hosts.saveInventory(id(i), inventory));
            Await.result(hosts.setLabels(id(i), Map.of("role", i % 2 == 0 ? "web" : "db", "dc", "ldn1")));
        }

        assertThat(ids(Await.result(hosts.list(Selector.parse("role=web,cpu.cores>=32"), 100, null))))
                .containsExactly(id(4));
        assertThat(ids(Await.result(hosts.list(Selector.parse("role in (web,db),hostname~web-[12]*"), 100, null))))
                .isEmpty();
        assertThat(ids(Await.result(hosts.list(Selector.parse("hostname~web-?,role!=web"), 100, null))))
                .containsExactly(id(1), id(3), id(5));
        assertThat(ids(Await.result(hosts.list(Selector.parse("!gpu,dc=ldn1"), 2, null)))).containsExactly(id(0), id(1));
    }

    @Test
    void labelsAreReplacedAndUnknownHostsAreNotFound() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Await.result(hosts.setLabels("h1", Map.of("role", "web", "team", "core")));
        Await.result(hosts.setLabels("h1", Map.of("role", "db")));

        assertThat(Await.result(hosts.find("h1")).orElseThrow().labels()).isEqualTo(Map.of("role", "db"));
        assertThat(Await.failure(hosts.setLabels("ghost", Map.of()))).isInstanceOf(HostNotFoundException.class);
        assertThat(Await.result(hosts.find("ghost"))).isEmpty();
    }

    @Test
    void eventsArePagedNewestFirst() {
        Await.result(hosts.connected("h1", null, "0.1.0", "b"));
        Await.result(hosts.connected("h2", null, "0.1.0", "b"));
        for (int i = 0; i < 5; i++) {
            Await.result(hosts.addEvent("h1", "drift", "file changed " + i, new JsonObject().put("n", i), "agent"));
        }

        EventPage first = Await.result(hosts.events("h1", 3, null));
        EventPage second = Await.result(hosts.events("h1", 3, first.next()));

        assertThat(first.items()).extracting(HostEvent::message).containsExactly("file changed 4", "file changed 3", "file changed 2");
        assertThat(first.items().get(0).detail().getInteger("n")).isEqualTo(4);
        assertThat(first.items().get(0).actor()).isEqualTo("agent");
        assertThat(second.items()).extracting(HostEvent::message).containsExactly("file changed 1", "file changed 0");
        assertThat(second.next()).isNull();
        assertThat(Await.result(hosts.events("h2", 10, null)).items()).isEmpty();
        assertThat(Await.failure(hosts.events("ghost", 10, null))).isInstanceOf(HostNotFoundException.class);
        assertThat(Await.failure(hosts.addEvent("ghost", "drift", "x", null, null))).isInstanceOf(HostNotFoundException.class);
    }

    private void connectAll(int n) {
        List<Future<String>> calls = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> calls.add(hosts.connected(id(i), null, "0.1.0", "b")));
        calls.forEach(Await::result);
    }

    private String state(String id) {
        return Await.result(hosts.find(id)).orElseThrow().state();
    }

    private long count(String sql) {
        return Await.result(database.pool().query(sql).execute()).iterator().next().getLong(0);
    }

    private static String id(int i) {
        return String.format("host-%05d", i);
    }

    private static Set<String> idsUpTo(int n) {
        Set<String> ids = new HashSet<>();
        IntStream.range(0, n).forEach(i -> ids.add(id(i)));
        return ids;
    }

    private static List<String> ids(HostPage page) {
        return page.items().stream().map(HostRecord::id).toList();
    }

}
