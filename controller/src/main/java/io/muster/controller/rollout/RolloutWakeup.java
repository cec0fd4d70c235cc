package io.muster.controller.rollout;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a rollout's owner as soon as runs of the rollout finish, wherever their results were
 * written: a window's freed slot is refilled without waiting for the owner's next scan.
 *
 * <p>Results reach the member the host is connected to, not the rollout's owner. That member,
 * after its result batch committed, asks PostgreSQL to {@code NOTIFY} the ids of the rollouts the
 * batch's finished tasks belong to (one indexed query; none when the tasks are no rollout's).
 * Every member {@code LISTEN}s and pokes the rollouts it owns; a poke only makes the owner read the
 * recorded state and plan, so a notification too many costs one tick and one too few (the
 * listening connection was down, a run was ended by the sweeper) waits for the next scan.
 * PostgreSQL and not Hazelcast carries it: only members can notify, and Hazelcast traffic is
 * untrusted.
 */
final class RolloutWakeup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutWakeup.class);
    static final String CHANNEL = "muster_rollout_runs";
    private static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', rollout_id::text) FROM "
            + "(SELECT DISTINCT rollout_id FROM rollout_steps WHERE task_id = ANY($1::uuid[])) owners";
    /** Reconnect the listening connection after this long (until it comes back, the scan alone moves rollouts). */
    private static final long RECONNECT_MS = 1_000;

    private final Pool pool;
    private final PgSubscriber subscriber;

    RolloutWakeup(Vertx vertx, Pool pool, PgConnectOptions connect) {
        this.pool = pool;
        this.subscriber = PgSubscriber.subscriber(vertx, connect).reconnectPolicy(retries -> RECONNECT_MS);
    }

    /** Listens; {@code poke} gets each notified rollout id (it checks ownership itself). */
    void listen(Consumer<UUID> poke) {
        subscriber.channel(CHANNEL).handler(payload -> {
            try {
                poke.accept(UUID.fromString(payload));
            } catch (IllegalArgumentException e) {
                LOG.warn("ignoring a {} notification that is no rollout id", CHANNEL);
            }
        });
        subscriber.connect().onFailure(e -> LOG.warn("cannot listen for finished rollout runs ({}); rollouts move on the scan "
                + "until the connection comes back", e.toString()));
    }

    /** Tasks that had runs finish in a committed result batch (on the Vert.x context; never blocks). */
    void finished(Set<UUID> taskIds) {
        pool.preparedQuery(NOTIFY).execute(Tuple.of(taskIds.toArray(UUID[]::new)))
                .onFailure(e -> LOG.debug("could not notify rollout owners: {}", e.toString()));
    }

    @Override
    public void close() {
        Future<Void> closed = subscriber.close();
        closed.onFailure(e -> LOG.debug("closing the rollout listener: {}", e.toString()));
    }
}
