package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.sealing.SealingKey;
import io.muster.testdb.TestDatabase;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster CA is created once: members starting together on an empty database (and, closer to
 * the race, many loads at once on one) all end with the same CA, and every member's gateway
 * certificate is signed by it.
 */
class CaBootstrapTest {

    @TempDir
    Path temp;

    @Test
    void membersStartingTogetherOnAFreshDatabase_shareOneCa() throws Exception {
        int count = 3;
        List<Controller> members = new ArrayList<>();
        ExecutorService starters = Executors.newFixedThreadPool(count);
        try (TestDatabase database = TestDatabase.create()) {
            CyclicBarrier together = new CyclicBarrier(count);
            List<CompletableFuture<Controller>> starts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // Separate Hazelcast clusters: the CA is agreed through PostgreSQL alone.
                ControllerConfig config = new ControllerConfig(database.url(), 0, 0, temp.resolve("m" + i), List.of(), 0,
                        "127.0.0.1", "ca-" + i + "-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1))
                        .withInsecure(false);
                starts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return Controller.start(config);
                }, starters));
            }
            try {
                for (CompletableFuture<Controller> start : starts) {
                    members.add(start.get(120, TimeUnit.SECONDS));
                }
                X509Certificate ca = members.get(0).security().ca().certificate();
                for (Controller member : members) {
                    assertThat(member.security().ca().certificate()).isEqualTo(ca);
                    assertThat(member.security().ca().privateKey()).isEqualTo(members.get(0).security().ca().privateKey());
                    X509Certificate gateway = member.security().gatewayTls().orElseThrow().certificate();
                    gateway.verify(ca.getPublicKey());
                    assertThat(gateway.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
                }
                assertThat(count(database, "SELECT count(*) FROM ca")).isEqualTo(1);
                assertThat(count(database, "SELECT count(*) FROM certificates WHERE kind = 'server'")).isEqualTo(count);
            } finally {
                for (CompletableFuture<Controller> start : starts) {
                    start.thenAccept(member -> {
                        if (!members.contains(member)) {
                            member.close();
                        }
                    });
                }
                members.forEach(Controller::close);
            }
        } finally {
            starters.shutdownNow();
        }
    }

    @Test
    void manyLoadsRacingOnAnEmptyCaTable_allReturnTheOneStoredCa() {
        Vertx vertx = Vertx.vertx();
        try (TestDatabase database = TestDatabase.create()) {
            Database db = Await.result(Database.open(vertx, database.url()));
            SealingKey key = SealingKey.loadOrCreate(temp.resolve("secrets.key"));
            try {
                List<CaStore> stores = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    stores.add(new CaStore(db.pool(), key));
                }
                List<Future<CertificateAuthority>> loads = new ArrayList<>();
                for (CaStore store : stores) {
                    loads.add(store.loadOrCreate("race", Clock.systemUTC(), new SecureRandom()));
                }
                Await.result(Future.all(loads));
                X509Certificate first = loads.get(0).result().certificate();
                assertThat(loads).allSatisfy(load -> assertThat(load.result().certificate()).isEqualTo(first));
                assertThat(count(database, "SELECT count(*) FROM ca")).isEqualTo(1);
                // A later start reads the same CA back.
                assertThat(Await.result(new CaStore(db.pool(), key).loadOrCreate("later", Clock.systemUTC(), new SecureRandom()))
                        .certificate()).isEqualTo(first);
            } finally {
                Await.result(db.close());
            }
        } finally {
            Await.result(vertx.close());
        }
    }

    private static long count(TestDatabase database, String sql) {
        Vertx vertx = Vertx.vertx();
        try {
            Database db = Await.result(Database.open(vertx, database.url()));
            try {
                return Await.result(db.pool().query(sql).execute()).iterator().next().getLong(0);
            } finally {
                Await.result(db.close());
            }
        } finally {
            Await.result(vertx.close());
        }
    }
}
