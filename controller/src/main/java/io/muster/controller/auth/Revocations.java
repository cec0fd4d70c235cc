package io.muster.controller.auth;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoked hosts: durable in PostgreSQL, answered from memory. {@link #isRevoked} never does I/O:
 * the set is loaded at start, refreshed every {@link #REFRESH} and grown at once on every member
 * through a Hazelcast topic when any member revokes a host (each member confirms what it hears
 * there in PostgreSQL before acting). There is no un-revoke, so the set only
 * grows. Listeners (the gateway closing the host's live session) run on every member.
 *
 * <p>Thread-safe; no method blocks.
 */
public final class Revocations {

    private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
    public static final Duration REFRESH = Duration.ofSeconds(5);
    static final String TOPIC = "muster-revoked-hosts";

    private final Vertx vertx;
    private final Pool pool;
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final ITopic<Object> topic;
    private long timer = -1;

    /** @param hazelcast carries revocations to the other members at once (and theirs to this one) */
    public Revocations(Vertx vertx, Pool pool, HazelcastInstance hazelcast) {
        this.vertx = vertx;
        this.pool = pool;
        this.topic = hazelcast.getTopic(TOPIC);
    }

    /**
     * Loads the set, starts the periodic refresh and listens to the other members. A host id
     * heard on the topic is only a hint: it is acted on once PostgreSQL confirms the revocation,
     * since anyone who reaches the Hazelcast port can publish (a forged one would cut a host off).
     */
    public Future<Void> start() {
        topic.addMessageListener(message -> {
            if (message.getMessageObject() instanceof String hostId && !revoked.contains(hostId)) {
                confirm(hostId);
            }
        });
        timer = vertx.setPeriodic(REFRESH.toMillis(), t -> refresh().onFailure(e ->
                LOG.warn("could not refresh the revoked hosts: {}", e.toString())));
        return refresh();
    }

    private void confirm(String hostId) {
        alreadyRevoked(hostId).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                learn(hostId);
            } else if (ar.succeeded()) {
                LOG.warn("ignored a revocation of host {} heard on the cluster: PostgreSQL has none", hostId);
            } else {
                // The periodic refresh picks it up if it is real.
                LOG.warn("could not confirm a revocation of host {}: {}", hostId, ar.cause().toString());
            }
        });
    }

    /** Called for every host revoked anywhere in the cluster, on a Hazelcast or Vert.x thread. */
    public void onRevoked(Consumer<String> listener) {
        listeners.add(listener);
    }

    public boolean isRevoked(String hostId) {
        return revoked.contains(hostId);
    }

    /**
     * Revokes a known host. Completes with false when no such host exists; true once the
     * revocation is committed (also when it was already revoked).
     */
    public Future<Boolean> revoke(String hostId, String actor) {
        return pool.preparedQuery("""
                        WITH known AS (SELECT id FROM hosts WHERE id = $1)
                        INSERT INTO revoked_hosts (host_id, actor) SELECT id, $2 FROM known
                        ON CONFLICT (host_id) DO NOTHING
                        RETURNING host_id""")
                .execute(Tuple.of(hostId, actor))
                .compose(rows -> rows.size() == 1 ? Future.succeededFuture(true) : alreadyRevoked(hostId))
                .onSuccess(done -> {
                    if (done) {
                        learn(hostId);
                        topic.publishAsync(hostId);
                    }
                });
    }

    private Future<Boolean> alreadyRevoked(String hostId) {
        return pool.preparedQuery("SELECT 1 FROM revoked_hosts WHERE host_id = $1").execute(Tuple.of(hostId))
                .map(rows -> rows.size() == 1);
    }

    private void learn(String hostId) {
        revoked.add(hostId);
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(hostId);
            } catch (RuntimeException e) {
                LOG.warn("revocation listener failed for host {}", hostId, e);
            }
        }
    }

    private Future<Void> refresh() {
        return pool.query("SELECT host_id FROM revoked_hosts").execute().map(rows -> {
            for (Row row : rows) {
                String hostId = row.getString("host_id");
                if (!revoked.contains(hostId)) {
                    learn(hostId);
                }
            }
            return null;
        });
    }

    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
