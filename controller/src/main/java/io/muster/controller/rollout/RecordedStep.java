package io.muster.controller.rollout;

import java.util.List;
import java.util.UUID;

/**
 * A step written to {@code rollout_steps}: its task (created with this id after the record, or by
 * the next owner if this one died first) and the hosts it runs on.
 */
public record RecordedStep(int step, StepKind kind, Integer wave, UUID taskId, List<String> hostIds) {

    public enum StepKind {
        RUN("run"), HEALTH("health"), REVERT("revert");

        private final String wireName;

        StepKind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static StepKind fromWire(String name) {
            for (StepKind kind : values()) {
                if (kind.wireName.equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown step kind " + name);
        }
    }
}
