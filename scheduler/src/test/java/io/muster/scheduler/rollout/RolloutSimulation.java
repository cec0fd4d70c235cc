package io.muster.scheduler.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Drives the planner the way a controller member does, with runs that finish in a random order:
 * every step is applied to the recorded host states, time moves forward, approvals come when
 * asked. Records what a test checks.
 */
final class RolloutSimulation {

    final Strategy strategy;
    final List<PlannedHost> plan;
    final Set<String> failing;
    final Map<String, String> dcs = new HashMap<>();
    final HostProgress[] progress;
    final Instant[] since;
    final int[] starts;
    final List<Step> steps = new ArrayList<>();
    final List<Integer> startedWaves = new ArrayList<>();
    final Map<Integer, Integer> startedPerWave = new HashMap<>();
    int maxInFlight;
    RolloutState state = RolloutState.RUNNING;
    boolean approved;
    boolean reverted;
    final boolean revertWanted;
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    String violation;

    RolloutSimulation(Strategy strategy, List<Candidate> candidates, Set<String> failing, boolean revertWanted) {
        this.strategy = strategy;
        this.plan = Plan.arrange(candidates, strategy);
        candidates.forEach(c -> dcs.put(c.hostId(), c.spreadValue()));
        this.failing = failing;
        this.revertWanted = revertWanted;
        progress = new HostProgress[plan.size()];
        since = new Instant[plan.size()];
        starts = new int[plan.size()];
        java.util.Arrays.fill(progress, HostProgress.PLANNED);
    }

    Snapshot snapshot() {
        List<HostSlot> slots = new ArrayList<>(plan.size());
        for (PlannedHost host : plan) {
            slots.add(new HostSlot(host, progress[host.position()], since[host.position()]));
        }
        return new Snapshot(strategy, state, approved, revertWanted && !reverted, slots, now);
    }

    /** Runs until the rollout cannot move without a person other than canary approval. */
    void run(Random random, int maxSteps) {
        for (int i = 0; i < maxSteps && !state.terminal(); i++) {
            Step step = Planner.next(snapshot());
            steps.add(step);
            if (step instanceof Step.Start start) {
                start(start);
            } else if (step instanceof Step.CheckHealth check) {
                check.positions().forEach(p -> progress[p] = HostProgress.CHECKING);
            } else if (step instanceof Step.Revert) {
                reverted = true;
            } else if (step instanceof Step.AwaitApproval) {
                // A person approves a while later.
                now = now.plusSeconds(5);
                approved = true;
            } else if (step instanceof Step.Halt) {
                state = RolloutState.HALTED;
            } else if (step instanceof Step.Succeed) {
                state = RolloutState.SUCCEEDED;
            } else if (step instanceof Step.Wait wait && !finishSome(random)) {
                if (wait.until() == null) {
                    return;
                }
                now = wait.until();
            }
            int inFlight = 0;
            for (HostProgress p : progress) {
                inFlight += p.inFlight() ? 1 : 0;
            }
            maxInFlight = Math.max(maxInFlight, inFlight);
        }
    }

    private void start(Step.Start start) {
        if (state != RolloutState.RUNNING) {
            violation = "started hosts while " + state;
        }
        startedWaves.add(start.wave());
        for (int p : start.positions()) {
            if (progress[p] != HostProgress.PLANNED) {
                violation = "host at " + p + " started while " + progress[p];
            }
            starts[p]++;
            progress[p] = HostProgress.RUNNING;
            startedPerWave.merge(plan.get(p).wave(), 1, Integer::sum);
        }
    }

    // Some in-flight hosts finish, in random order; returns whether any did.
    private boolean finishSome(Random random) {
        List<Integer> open = new ArrayList<>();
        for (int p = 0; p < progress.length; p++) {
            if (progress[p] == HostProgress.RUNNING || progress[p] == HostProgress.CHECKING) {
                open.add(p);
            }
        }
        if (open.isEmpty()) {
            return false;
        }
        now = now.plusSeconds(1 + random.nextInt(3));
        int finishing = 1 + random.nextInt(open.size());
        java.util.Collections.shuffle(open, random);
        for (int p : open.subList(0, finishing)) {
            boolean fails = failing.contains(plan.get(p).hostId());
            if (progress[p] == HostProgress.RUNNING) {
                progress[p] = fails ? HostProgress.FAILED
                        : strategy.hasHealthCheck() ? HostProgress.AWAITING_HEALTH : HostProgress.SUCCEEDED;
            } else {
                progress[p] = HostProgress.SUCCEEDED;
            }
            since[p] = now;
        }
        return true;
    }

    int failed() {
        int failed = 0;
        for (HostProgress p : progress) {
            failed += p == HostProgress.FAILED ? 1 : 0;
        }
        return failed;
    }
}
