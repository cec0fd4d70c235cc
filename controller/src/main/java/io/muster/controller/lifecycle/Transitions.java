package io.muster.controller.lifecycle;

import static io.muster.controller.lifecycle.Lifecycle.CORDONED;
import static io.muster.controller.lifecycle.Lifecycle.DECOMMISSIONED;
import static io.muster.controller.lifecycle.Lifecycle.DRAINING;
import static io.muster.controller.lifecycle.Lifecycle.MAINTENANCE;
import static io.muster.controller.lifecycle.Lifecycle.READY;

import java.util.Optional;

/**
 * The lifecycle state machine as a pure function: which action is legal in which state, and where
 * it leads. No I/O; the service applies the answer under a row lock.
 *
 * <ul>
 *   <li>cordon: ready -> cordoned. uncordon: cordoned or maintenance -> ready.</li>
 *   <li>maintenance: ready or cordoned -> maintenance (the operator vouches the host is empty).</li>
 *   <li>drain: ready or cordoned -> draining, then maintenance once every managed container has
 *       stopped, or back to cordoned when stopping failed.</li>
 *   <li>reboot and upgrade-agent: from ready, cordoned or maintenance; the state does not change.</li>
 *   <li>decommission: from ready (cordoned while the work runs), cordoned or maintenance; the host
 *       is decommissioned once its containers are gone, else it stays where the work left it.</li>
 *   <li>draining accepts nothing until its drain ends; decommissioned is final.</li>
 * </ul>
 */
public final class Transitions {

    private Transitions() {
    }

    /** The step {@code action} takes from {@code from}, or empty when it is illegal there. */
    public static Optional<Transition> of(Lifecycle from, LifecycleAction action) {
        if (from == DRAINING || from == DECOMMISSIONED) {
            return Optional.empty();
        }
        return Optional.ofNullable(switch (action) {
            case CORDON -> from == READY ? Transition.immediate(from, action, CORDONED) : null;
            case UNCORDON -> from == CORDONED || from == MAINTENANCE ? Transition.immediate(from, action, READY) : null;
            case MAINTENANCE -> from == READY || from == CORDONED ? Transition.immediate(from, action, MAINTENANCE) : null;
            case DRAIN -> from == READY || from == CORDONED
                    ? Transition.work(from, action, DRAINING, MAINTENANCE, CORDONED) : null;
            case REBOOT, UPGRADE_AGENT -> Transition.work(from, action, from, from, from);
            case DECOMMISSION -> {
                Lifecycle during = from == READY ? CORDONED : from;
                yield Transition.work(from, action, during, DECOMMISSIONED, during);
            }
        });
    }
}
