package io.muster.controller;

import io.muster.testdb.TestDatabase;

import io.muster.controller.cluster.ClusterView;
import io.muster.controller.cluster.MemberView;
import io.muster.controller.auth.ApiTokens;
import io.muster.controller.auth.HeldTokens;
import io.muster.controller.auth.UnauthenticatedLimit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.controller.auth.AuditLog;
import io.muster.controller.access.Role;
import io.muster.controller.access.Access;
import io.muster.controller.access.ScopeGuard;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.muster.controller.store.Inventories;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A real controller on a fresh test database with four hosts (h-0, h-1 labelled muster.io/team=payments;
 * h-2, h-3 muster.io/team=search), no agents, and API tokens made by the auth package itself: an admin, and
 * an operator scoped to muster.io/team=payments. For the tests of the tooling interfaces (FleetControl,
 * GraphQL) that put the auth package's handlers in front of them. Close it after the class.
 */
public final class InterfaceFixture implements AutoCloseable {

    public final TestDatabase testDatabase;
    public final Controller controller;
    public final Vertx vertx;
    public final Database database;
    public final ApiTokens tokens;
    public final HeldTokens heldTokens;
    public final ScopeGuard scopes;
    public final Access access;
    public final AuditLog audit;
    public final UnauthenticatedLimit unauthenticated;
    public final String adminToken;
    public final String paymentsToken;

    public InterfaceFixture(Path dataDir) {
        testDatabase = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(testDatabase.url(), 0, 0, dataDir, List.of(), 0, "127.0.0.1",
                "itf-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)));
        vertx = Vertx.vertx();
        database = Await.result(Database.open(vertx, testDatabase.url()));
        tokens = new ApiTokens(database.pool(), Clock.systemUTC(), new Random(7));
        heldTokens = new HeldTokens(vertx, tokens, Clock.systemUTC());
        scopes = new ScopeGuard(database.pool());
        access = new Access(scopes);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        audit = new AuditLog(vertx, database.pool(), Clock.systemUTC(), registry);
        unauthenticated = new UnauthenticatedLimit(registry, System::nanoTime);
        for (int i = 0; i < 4; i++) {
            String id = "h-" + i;
            Await.result(controller.hosts().connected(id, null, "0.1.0", "boot"));
            Await.result(controller.hosts().saveInventory(id, Inventories.sample("node-" + i, "digest-" + i)));
            Await.result(controller.hosts().setLabels(id, Map.of("muster.io/team", i < 2 ? "payments" : "search")));
        }
        adminToken = Await.result(tokens.create("admin", Role.ADMIN, null, null, "test")).token();
        paymentsToken = Await.result(tokens.create("payments", Role.OPERATOR, Selector.parse("muster.io/team=payments"), null, "test")).token();
    }

    /** A cluster view of this single member where no host has a session. */
    public static ClusterView aloneWithoutSessions(String memberId) {
        return new ClusterView() {
            @Override
            public Future<Map<String, String>> connectedTo(Collection<String> hostIds) {
                return Future.succeededFuture(Map.of());
            }

            @Override
            public Future<List<MemberView>> members() {
                return Future.succeededFuture(List.of(new MemberView(memberId, "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0",
                        271, 0, true)));
            }

            @Override
            public boolean ready() {
                return true;
            }
        };
    }

    @Override
    public void close() {
        heldTokens.close();
        Await.result(audit.close());
        Await.result(database.close());
        Await.result(vertx.close());
        controller.close();
        testDatabase.close();
    }
}
