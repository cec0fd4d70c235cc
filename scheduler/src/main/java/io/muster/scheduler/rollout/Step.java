package io.muster.scheduler.rollout;

import java.time.Instant;
import java.util.List;

/** What the owner of a rollout does next. Every step is recorded before it is acted on. */
public sealed interface Step {

    /** Start runs on these planned hosts (all of {@code wave}, or the free slots of the window). */
    record Start(int wave, List<Integer> positions) implements Step {
        public Start {
            positions = List.copyOf(positions);
        }
    }

    /** Run the health check on these hosts (their runs succeeded long enough ago). */
    record CheckHealth(List<Integer> positions) implements Step {
        public CheckHealth {
            positions = List.copyOf(positions);
        }
    }

    /** Run the onFailure task on the hosts the halted rollout changed. */
    record Revert(List<Integer> positions) implements Step {
        public Revert {
            positions = List.copyOf(positions);
        }
    }

    /** The canary finished: wait for a person to resume. */
    record AwaitApproval(String reason) implements Step {
    }

    /** The failure budget is exceeded (or the canary failed): start nothing more. */
    record Halt(String reason) implements Step {
    }

    /** Every host is done within the budget. */
    record Succeed() implements Step {
    }

    /** Nothing to do before {@code until} (null: until a run or a person changes something). */
    record Wait(Instant until) implements Step {
    }
}
