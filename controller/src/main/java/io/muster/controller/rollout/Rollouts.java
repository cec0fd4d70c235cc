package io.muster.controller.rollout;

import io.muster.controller.auth.AuditLog;
import io.muster.controller.task.TaskService;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import io.vertx.pgclient.PgConnectOptions;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The rollout side of a member: the service the APIs use and the executor of the rollouts this
 * member owns, which starts with it.
 */
public final class Rollouts implements AutoCloseable {

    /**
     * How often a member looks for rollouts it owns and acts on them, whatever else wakes it: the
     * owner also acts as soon as runs of its rollouts finish ({@link RolloutWakeup}).
     */
    public static final Duration SCAN_INTERVAL = Duration.ofMillis(500);

    private final RolloutExecutor executor;
    private final RolloutService service;
    private final RolloutWakeup wakeup;

    /**
     * @param connect how the listening connection reaches PostgreSQL (the pool's server)
     * @param owns    whether a rollout id's partition is this member's (it executes those)
     */
    public Rollouts(Vertx vertx, Pool pool, PgConnectOptions connect, TaskService tasks, AuditLog audit, String memberId,
                    Predicate<String> owns) {
        RolloutRepository repository = new RolloutRepository(pool);
        this.executor = new RolloutExecutor(vertx, repository, tasks, audit, memberId, Clock.systemUTC(), SCAN_INTERVAL);
        this.service = new RolloutService(repository, executor, Clock.systemUTC());
        this.wakeup = new RolloutWakeup(vertx, pool, connect);
        executor.start(owns);
        wakeup.listen(executor::poke);
    }

    public RolloutService service() {
        return service;
    }

    /** Tasks with runs that finished in a result batch this member committed: their rollouts' owners act now. */
    public void runsFinished(Set<UUID> taskIds) {
        wakeup.finished(taskIds);
    }

    @Override
    public void close() {
        wakeup.close();
        executor.close();
    }
}
