package io.muster.controller.rollout;

import io.muster.scheduler.rollout.RolloutState;
import io.muster.scheduler.rollout.Snapshot;
import io.muster.controller.task.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the APIs do with rollouts: accept (plan and record, then the owner executes), read,
 * pause, resume (which also approves a canary and continues a halted rollout once its budget
 * covers the failures), abort, and change the strategy's budget or window.
 *
 * <p>Guarantee: {@link #create} completes after the rollout and its whole plan are committed.
 * Transitions are single conditional updates: a transition that is not allowed from the current
 * state fails with {@link RolloutConflictException} and changes nothing. Thread-safe; never blocks.
 */
public final class RolloutService {

    /** Strategy fields a PATCH may change; the rest fixed the plan when the rollout was created. */
    public static final Set<String> CHANGEABLE = Set.of("maxFailures", "window", "pauseBetweenWavesSeconds");

    private final RolloutRepository rollouts;
    private final RolloutExecutor executor;
    private final Clock clock;
    private final RolloutRequestParser parser = new RolloutRequestParser();

    public RolloutService(RolloutRepository rollouts, RolloutExecutor executor, Clock clock) {
        this.rollouts = rollouts;
        this.executor = executor;
        this.clock = clock;
    }

    public RolloutRequestParser parser() {
        return parser;
    }

    /** @return the new rollout's id and its plan size; fails with {@link InvalidRolloutException} */
    public Future<JsonObject> create(RolloutRequest request) {
        return create(UUID.randomUUID(), request);
    }

    /**
     * As {@link #create(RolloutRequest)} with an id the caller recorded first (a schedule's
     * firing): a second create with the same id fails on the primary key and writes nothing.
     */
    public Future<JsonObject> create(UUID id, RolloutRequest request) {
        return rollouts.create(id, request).map(plan -> {
            executor.poke(id);
            return new JsonObject().put("id", id.toString()).put("total", plan.size());
        });
    }

    /** The full view (counts, waves, budget, tasks), or empty. */
    public Future<Optional<JsonObject>> find(UUID id) {
        return rollouts.find(id).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture(Optional.empty());
            }
            RolloutRecord record = found.get();
            return snapshot(record).compose(snapshot -> rollouts.steps(id)
                    .map(steps -> Optional.of(RolloutViews.full(record, snapshot, steps))));
        });
    }

    public Future<Page<JsonObject>> list(int limit, String cursor) {
        return rollouts.list(limit, cursor).map(page -> new Page<>(page.items().stream().map(RolloutViews::summary).toList(),
                page.next()));
    }

    public Future<JsonObject> pause(UUID id) {
        return move(id, "pause", RolloutState::pause, false);
    }

    public Future<JsonObject> abort(UUID id) {
        return move(id, "abort", RolloutState::abort, false);
    }

    /**
     * Resumes a paused rollout, approves a waiting canary, or continues a halted rollout whose
     * failures the (raised) budget now covers.
     */
    public Future<JsonObject> resume(UUID id) {
        return rollouts.find(id).compose(found -> {
            RolloutRecord record = found.orElseThrow(() -> notFound(id));
            if (record.state() != RolloutState.HALTED) {
                return move(id, "resume", RolloutState::resume, record.state() == RolloutState.WAITING_APPROVAL);
            }
            return snapshot(record).compose(snapshot -> {
                Snapshot.Budget budget = snapshot.budget();
                if (budget.exceeded()) {
                    return Future.failedFuture(new RolloutConflictException("rollout " + id + " has " + budget.used()
                            + " failed hosts and its budget allows " + budget.allowed()
                            + ": raise strategy.maxFailures (PATCH /api/v1/rollouts/" + id + ") before resuming"));
                }
                return transition(id, List.of(RolloutState.HALTED), "resume", false);
            });
        });
    }

    /**
     * Changes {@link #CHANGEABLE} strategy fields (a JSON merge of {@code patch}).
     *
     * @return the new full view; fails with {@link InvalidRolloutException} naming a field that
     *     cannot change or is invalid, {@link RolloutConflictException} when the rollout is over
     */
    public Future<JsonObject> changeStrategy(UUID id, JsonObject patch) {
        for (String field : patch.fieldNames()) {
            if (!CHANGEABLE.contains(field)) {
                return Future.failedFuture(new InvalidRolloutException("strategy." + field, RolloutRequestParser.STRATEGY_FIELDS
                        .contains(field) ? "'" + field + "' fixed the plan when the rollout was created; only "
                        + String.join(", ", CHANGEABLE.stream().sorted().toList()) + " can change"
                        : "unknown strategy field '" + field + "'"));
            }
        }
        return rollouts.find(id).compose(found -> {
            RolloutRecord record = found.orElseThrow(() -> notFound(id));
            JsonObject merged = record.strategy().copy().mergeIn(patch);
            if (patch.containsKey("window") && record.strategy().containsKey("waves")) {
                return Future.failedFuture(new InvalidRolloutException("strategy.window", "this rollout runs in waves; "
                        + "its window cannot be set"));
            }
            JsonObject normalized = RolloutRequestParser.normalized(merged);
            RolloutRequestParser.strategy(normalized, -1);
            return rollouts.replaceStrategy(id, normalized).compose(updated -> updated.isEmpty()
                    ? Future.failedFuture(new RolloutConflictException("rollout " + id + " is " + record.state().wireName()
                            + "; its strategy can no longer change"))
                    : find(id).map(Optional::orElseThrow));
        });
    }

    private Future<JsonObject> move(UUID id, String action, java.util.function.Function<RolloutState, Optional<RolloutState>> rule,
                                    boolean approve) {
        return rollouts.find(id).compose(found -> {
            RolloutRecord record = found.orElseThrow(() -> notFound(id));
            if (rule.apply(record.state()).isEmpty()) {
                return Future.failedFuture(new RolloutConflictException("cannot " + action + " rollout " + id
                        + ": it is " + record.state().wireName()));
            }
            return transition(id, List.of(record.state()), action, approve);
        });
    }

    // Conditional on the state only: the owner bumps the revision with every step, and a person's
    // transition wins over a step being planned (that step's revision check then fails).
    private Future<JsonObject> transition(UUID id, List<RolloutState> from, String action, boolean approve) {
        RolloutState to = switch (action) {
            case "pause" -> RolloutState.PAUSED;
            case "abort" -> RolloutState.ABORTED;
            default -> RolloutState.RUNNING;
        };
        String reason = action.equals("abort") ? "aborted by request" : null;
        return rollouts.transition(id, from, -1, to, reason, approve).compose(moved -> {
            if (moved.isEmpty()) {
                return Future.failedFuture(new RolloutConflictException("rollout " + id
                        + " changed at the same time; read it and try again"));
            }
            if (to == RolloutState.RUNNING) {
                executor.poke(id);
            }
            return find(id).map(Optional::orElseThrow);
        });
    }

    private Future<Snapshot> snapshot(RolloutRecord record) {
        return rollouts.slots(record.id(), record.healthCheck() != null).map(slots -> new Snapshot(record.plannerStrategy(),
                record.state(), record.approved(), false, slots, clock.instant()));
    }

    private static RolloutNotFoundException notFound(UUID id) {
        return new RolloutNotFoundException("no rollout with id " + id);
    }
}
