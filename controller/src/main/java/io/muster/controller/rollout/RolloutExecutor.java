package io.muster.controller.rollout;

import io.muster.controller.auth.AuditLog;
import io.muster.controller.cluster.OwnedScan;
import io.muster.controller.rollout.RecordedStep.StepKind;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskService;
import io.muster.scheduler.rollout.Planner;
import io.muster.scheduler.rollout.RolloutState;
import io.muster.scheduler.rollout.Snapshot;
import io.muster.scheduler.rollout.Step;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes the rollouts this member owns (the owner of a rollout is the member owning its id's
 * Hazelcast partition). When poked (a rollout was created or resumed, or runs of it finished:
 * {@link RolloutWakeup}) and every {@code interval} for each active rollout it owns, it reads the
 * recorded state, asks the {@link Planner} for the next step, records the step and only then
 * creates its task. A member that takes a rollout over (its owner died) finds it on its next
 * scan: it first creates the tasks of steps recorded but not created, then plans from the same
 * recorded state, so no finished wave repeats and no host is started twice (a host is started by
 * a conditional update, once).
 *
 * <p>Threading: all work is chained futures on the Vert.x context; one tick per rollout at a
 * time on this member. A stale tick (the rollout was paused, aborted or changed meanwhile) fails
 * its revision check and writes nothing.
 */
public final class RolloutExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutExecutor.class);
    /** Steps applied in one tick before yielding (a canary, its health checks, the next wave...). */
    private static final int MAX_STEPS_PER_TICK = 8;

    private final Vertx vertx;
    private final RolloutRepository rollouts;
    private final TaskService tasks;
    private final AuditLog audit;
    private final String memberId;
    private final Clock clock;
    private final OwnedScan scanner;
    private final Set<UUID> ticking = ConcurrentHashMap.newKeySet();
    /** Rollouts poked while their tick ran: that tick may have read the state before the news, so tick again. */
    private final Set<UUID> again = ConcurrentHashMap.newKeySet();
    private volatile Runnable changed = () -> { };

    public RolloutExecutor(Vertx vertx, RolloutRepository rollouts, TaskService tasks, AuditLog audit, String memberId,
                           Clock clock, Duration interval) {
        this.vertx = vertx;
        this.rollouts = rollouts;
        this.tasks = tasks;
        this.audit = audit;
        this.memberId = memberId;
        this.clock = clock;
        this.scanner = new OwnedScan(vertx, interval, this::pass);
    }

    /** Starts scanning; {@code owns} says whether this member owns a rollout id now. */
    public void start(Predicate<String> owns) {
        scanner.start(owns);
    }

    /** Called after each change this member made to any rollout (progress watchers listen). */
    void onChange(Runnable listener) {
        this.changed = listener;
    }

    /** Acts on a rollout now if this member owns it (after a create or a resume, when its runs finished). */
    public void poke(UUID id) {
        if (scanner.owns(id)) {
            vertx.runOnContext(v -> tick(id));
        }
    }

    private Future<?> pass() {
        return rollouts.active().onFailure(e -> LOG.warn("could not list active rollouts: {}", e.toString())).onSuccess(ids -> {
            for (UUID id : ids) {
                if (scanner.owns(id)) {
                    tick(id);
                }
            }
        });
    }

    private void tick(UUID id) {
        if (!ticking.add(id)) {
            again.add(id);
            return;
        }
        step(id, 0).onComplete(ar -> {
            ticking.remove(id);
            if (again.remove(id)) {
                vertx.runOnContext(v -> tick(id));
            }
            if (ar.failed() && ar.cause() instanceof Stale) {
                LOG.debug("rollout {} changed while planning; next scan plans again", id);
            } else if (ar.failed()) {
                LOG.warn("rollout {}: step failed, retrying on the next scan: {}", id, ar.cause().toString());
            }
        });
    }

    private Future<Void> step(UUID id, int depth) {
        return rollouts.find(id).compose(found -> {
            if (found.isEmpty() || !(found.get().state() == RolloutState.RUNNING || found.get().state() == RolloutState.HALTED)
                    || !scanner.owns(id)) {
                return Future.succeededFuture();
            }
            RolloutRecord record = found.get();
            return recover(record)
                    .compose(v -> rollouts.slots(id, record.healthCheck() != null))
                    .compose(slots -> {
                        Snapshot snapshot = new Snapshot(record.plannerStrategy(), record.state(), record.approved(),
                                record.onFailure() != null && !record.reverted(), slots, clock.instant());
                        Step next = Planner.next(snapshot);
                        if (next instanceof Step.Wait) {
                            return Future.succeededFuture(false);
                        }
                        return apply(record, next).map(true);
                    })
                    .compose(acted -> {
                        if (acted) {
                            changed.run();
                        }
                        return acted && depth < MAX_STEPS_PER_TICK ? step(id, depth + 1) : Future.succeededFuture();
                    });
        });
    }

    // Steps recorded by an owner that died before creating their task.
    private Future<Void> recover(RolloutRecord record) {
        return rollouts.unfinishedSteps(record.id()).compose(steps -> {
            Future<Void> chain = Future.succeededFuture();
            for (RecordedStep step : steps) {
                LOG.info("rollout {}: creating the task of step {} recorded before a takeover", record.id(), step.step());
                chain = chain.compose(v -> createTask(record, step));
            }
            return chain;
        });
    }

    private Future<Void> apply(RolloutRecord r, Step step) {
        if (step instanceof Step.Start start) {
            return record(r, StepKind.RUN, start.wave(), start.positions());
        }
        if (step instanceof Step.CheckHealth check) {
            return record(r, StepKind.HEALTH, null, check.positions());
        }
        if (step instanceof Step.Revert revert) {
            return record(r, StepKind.REVERT, null, revert.positions());
        }
        if (step instanceof Step.AwaitApproval await) {
            return transition(r, RolloutState.WAITING_APPROVAL, await.reason());
        }
        if (step instanceof Step.Halt halt) {
            return transition(r, RolloutState.HALTED, halt.reason());
        }
        return transition(r, RolloutState.SUCCEEDED, null);
    }

    private Future<Void> record(RolloutRecord r, StepKind kind, Integer wave, List<Integer> positions) {
        return rollouts.recordStep(r.id(), r.revision(), kind, wave, positions, memberId).compose(recorded -> {
            if (recorded.isEmpty()) {
                return Future.failedFuture(new Stale());
            }
            RecordedStep step = recorded.get();
            audit.record("member:" + memberId, "rollout owner", "rollout." + kind.wireName(), "rollout:" + r.id(), 200,
                    "step " + step.step() + (wave == null ? "" : " wave " + wave) + ": task " + step.taskId() + " on "
                            + step.hostIds().size() + " host(s)");
            return createTask(r, step);
        });
    }

    private Future<Void> createTask(RolloutRecord r, RecordedStep step) {
        Future<List<String>> hosts = step.kind() == StepKind.REVERT ? rollouts.revertHosts(r.id())
                : Future.succeededFuture(step.hostIds());
        return hosts.compose(ids -> create(r, step, ids)).recover(e -> {
            if (!(e instanceof InvalidTaskRequestException) || step.kind() == StepKind.REVERT) {
                return Future.failedFuture(e);
            }
            // A host became unready between the record and the task: it is skipped, not failed.
            return rollouts.skipUnready(r.id(), step.taskId()).compose(ready -> create(r, step, ready));
        });
    }

    private Future<Void> create(RolloutRecord r, RecordedStep step, List<String> hostIds) {
        if (hostIds.isEmpty()) {
            return rollouts.emptyStep(r.id(), step.step());
        }
        return tasks.create(step.taskId(), r.task(step.kind(), hostIds)).mapEmpty();
    }

    private Future<Void> transition(RolloutRecord r, RolloutState to, String reason) {
        return rollouts.transition(r.id(), List.of(r.state()), r.revision(), to, reason, false).compose(moved -> {
            if (moved.isEmpty()) {
                return Future.failedFuture(new Stale());
            }
            LOG.info("rollout {} {}{}", r.id(), to.wireName(), reason == null ? "" : ": " + reason);
            audit.record("member:" + memberId, "rollout owner", "rollout." + to.wireName(), "rollout:" + r.id(), 200, reason);
            return Future.succeededFuture();
        });
    }

    /** The rollout moved (person, or another owner) between the read and the write: nothing written. */
    private static final class Stale extends RuntimeException {
        Stale() {
            super("rollout changed while planning", null, false, false);
        }
    }

    @Override
    public void close() {
        scanner.close();
    }
}
