package io.muster.scheduler.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The next step of a rollout from its snapshot. Pure and deterministic: the same snapshot gives
 * the same step, so a member that takes a rollout over continues exactly where the recorded
 * state says.
 *
 * <p>Guarantees the owner relies on:
 * <ul>
 *   <li>a host is started only while it is {@link HostProgress#PLANNED}, so never twice;</li>
 *   <li>nothing is started while the failures exceed the budget, so a rollout overshoots its
 *       budget by at most one wave (waves) or one window (window) of hosts that were already in
 *       flight;</li>
 *   <li>a wave starts only when every earlier wave is done (runs and health checks);</li>
 *   <li>at most the window is in flight.</li>
 * </ul>
 */
public final class Planner {

    private Planner() {
    }

    public static Step next(Snapshot snapshot) {
        return switch (snapshot.state()) {
            case RUNNING -> running(snapshot);
            case HALTED -> halted(snapshot);
            default -> new Step.Wait(null);
        };
    }

    private static Step running(Snapshot s) {
        Snapshot.Budget budget = s.budget();
        if (budget.exceeded()) {
            return new Step.Halt("failure budget exceeded: " + budget.used() + " hosts failed, "
                    + budget.allowed() + " allowed (maxFailures " + s.strategy().maxFailures() + ")");
        }
        List<Integer> due = healthDue(s);
        if (!due.isEmpty()) {
            return new Step.CheckHealth(due);
        }
        List<HostSlot> planned = new ArrayList<>();
        int inFlight = 0;
        for (HostSlot host : s.hosts()) {
            if (host.progress() == HostProgress.PLANNED) {
                planned.add(host);
            } else if (host.progress().inFlight()) {
                inFlight++;
            }
        }
        if (planned.isEmpty()) {
            return inFlight == 0 ? new Step.Succeed() : waitForHealth(s);
        }
        int nextWave = planned.get(0).wave();
        Canary canary = s.strategy().canary();
        if (canary != null && nextWave > 0 && !anyStartedAfterCanary(s)) {
            Step gate = canaryGate(s, canary);
            if (gate != null) {
                return gate;
            }
        }
        boolean canaryWave = canary != null && nextWave == 0;
        if (s.strategy().waves() == null && !canaryWave) {
            int window = s.strategy().window().atLeastOneOf(s.hosts().size());
            int free = window - inFlight;
            if (free <= 0) {
                return waitForHealth(s);
            }
            return new Step.Start(nextWave, planned.stream().limit(free).map(HostSlot::position).toList());
        }
        for (HostSlot host : s.hosts()) {
            if (host.wave() < nextWave && host.progress().inFlight()) {
                return waitForHealth(s);
            }
        }
        int pause = s.strategy().pauseBetweenWavesSeconds();
        if (pause > 0 && nextWave > 0) {
            Instant previousDone = lastFinished(s, nextWave);
            if (previousDone != null && s.now().isBefore(previousDone.plusSeconds(pause))) {
                return new Step.Wait(previousDone.plusSeconds(pause));
            }
        }
        return new Step.Start(nextWave, planned.stream().filter(h -> h.wave() == nextWave).map(HostSlot::position).toList());
    }

    // The canary (wave 0) is done when we get here only if none of it is planned or in flight.
    private static Step canaryGate(Snapshot s, Canary canary) {
        int failed = 0;
        int size = 0;
        for (HostSlot host : s.hosts()) {
            if (host.wave() != 0) {
                continue;
            }
            size++;
            if (host.progress().inFlight()) {
                return waitForHealth(s);
            }
            if (host.progress() == HostProgress.FAILED) {
                failed++;
            }
        }
        if (canary.approval() == Canary.Approval.MANUAL) {
            return s.approved() ? null : new Step.AwaitApproval("canary of " + size + " host(s) finished ("
                    + failed + " failed); resume to continue");
        }
        if (failed > 0) {
            return new Step.Halt("canary failed on " + failed + " of " + size + " host(s)");
        }
        Instant done = lastFinished(s, 1);
        if (done != null && s.now().isBefore(done.plusSeconds(canary.waitSeconds()))) {
            return new Step.Wait(done.plusSeconds(canary.waitSeconds()));
        }
        return null;
    }

    private static boolean anyStartedAfterCanary(Snapshot s) {
        return s.hosts().stream().anyMatch(h -> h.wave() > 0 && h.progress().started());
    }

    private static Step halted(Snapshot s) {
        List<Integer> due = healthDue(s);
        if (!due.isEmpty()) {
            return new Step.CheckHealth(due);
        }
        if (!s.revertWanted() || s.hosts().stream().anyMatch(h -> h.progress().inFlight())) {
            return waitForHealth(s);
        }
        List<Integer> changed = s.hosts().stream().filter(h -> h.progress().started()).map(HostSlot::position).toList();
        return changed.isEmpty() ? new Step.Wait(null) : new Step.Revert(changed);
    }

    private static List<Integer> healthDue(Snapshot s) {
        if (!s.strategy().hasHealthCheck()) {
            return List.of();
        }
        List<Integer> due = new ArrayList<>();
        for (HostSlot host : s.hosts()) {
            if (host.progress() == HostProgress.AWAITING_HEALTH
                    && !s.now().isBefore(host.since().plusSeconds(s.strategy().healthCheckSeconds()))) {
                due.add(host.position());
            }
        }
        return due;
    }

    private static Step waitForHealth(Snapshot s) {
        Instant earliest = null;
        if (s.strategy().hasHealthCheck()) {
            for (HostSlot host : s.hosts()) {
                if (host.progress() == HostProgress.AWAITING_HEALTH) {
                    Instant at = host.since().plusSeconds(s.strategy().healthCheckSeconds());
                    earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
                }
            }
        }
        return new Step.Wait(earliest);
    }

    // When the last host of the waves before {@code wave} finished.
    private static Instant lastFinished(Snapshot s, int wave) {
        Instant last = null;
        for (HostSlot host : s.hosts()) {
            if (host.wave() < wave && host.since() != null && (last == null || host.since().isAfter(last))) {
                last = host.since();
            }
        }
        return last;
    }
}
