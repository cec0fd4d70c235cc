package io.muster.controller.schedule;

import io.muster.controller.auth.AuditLog;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.task.TaskService;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The schedule side of a member: the service the APIs use and the executor firing the schedules
 * this member owns. Created while the member starts; {@link #attach} once the cluster is up.
 */
public final class Schedules implements AutoCloseable {

    /** How often a member looks for due ticks (a tick fires at most this late while its owner lives). */
    public static final Duration SCAN_INTERVAL = Duration.ofSeconds(1);

    private final ScheduleExecutor executor;
    private final ScheduleService service;

    public Schedules(Vertx vertx, Pool pool, TaskService tasks, RolloutService rollouts, AuditLog audit, String memberId) {
        ScheduleRepository repository = new ScheduleRepository(pool);
        this.executor = new ScheduleExecutor(vertx, repository, tasks, rollouts, audit, memberId, Clock.systemUTC(), SCAN_INTERVAL);
        this.service = new ScheduleService(repository, Clock.systemUTC());
    }

    public ScheduleService service() {
        return service;
    }

    /** Starts firing the schedules whose id's partition {@code owns} says is this member's. */
    public void attach(Predicate<String> owns) {
        executor.start(owns);
    }

    @Override
    public void close() {
        executor.close();
    }
}
