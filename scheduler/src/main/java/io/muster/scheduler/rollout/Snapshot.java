package io.muster.scheduler.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the planner reads: the rollout's recorded state, every planned host with its progress, and
 * the time as a value.
 *
 * @param approved     a person approved the canary (resume while waiting_approval)
 * @param revertWanted the rollout has an onFailure task that has not been started yet
 * @param hosts        every planned host, in position order
 */
public record Snapshot(Strategy strategy, RolloutState state, boolean approved, boolean revertWanted,
                       List<HostSlot> hosts, Instant now) {

    public Snapshot {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        hosts = List.copyOf(hosts);
    }

    /** Failures counted against the budget, and the budget under the current strategy. */
    public Budget budget() {
        int failed = (int) hosts.stream().filter(h -> h.progress() == HostProgress.FAILED).count();
        return new Budget(failed, strategy.maxFailures().floorOf(hosts.size()));
    }

    /** @param used failed hosts so far; @param allowed failures the budget allows */
    public record Budget(int used, int allowed) {
        public boolean exceeded() {
            return used > allowed;
        }
    }
}
