package io.muster.controller.rollout;

import io.muster.controller.auth.AuditLog;
import io.muster.controller.task.TaskService;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The rollout side of a member: the service the APIs use and the executor of the rollouts this
 * member owns. Created while the member starts; {@link #attach} once the cluster is up.
 */
public final class Rollouts implements AutoCloseable {

    /** How often a member looks for rollouts it owns and acts on them. */
    public static final Duration SCAN_INTERVAL = Duration.ofMillis(500);

    private final RolloutExecutor executor;
    private final RolloutService service;

    public Rollouts(Vertx vertx, Pool pool, TaskService tasks, AuditLog audit, String memberId) {
        RolloutRepository repository = new RolloutRepository(pool);
        this.executor = new RolloutExecutor(vertx, repository, tasks, audit, memberId, Clock.systemUTC(), SCAN_INTERVAL);
        this.service = new RolloutService(repository, executor, Clock.systemUTC());
    }

    public RolloutService service() {
        return service;
    }

    /** Starts executing the rollouts whose id's partition {@code owns} says is this member's. */
    public void attach(Predicate<String> owns) {
        executor.start(owns);
    }

    @Override
    public void close() {
        executor.close();
    }
}
