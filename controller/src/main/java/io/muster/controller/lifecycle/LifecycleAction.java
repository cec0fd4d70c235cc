package io.muster.controller.lifecycle;

import java.util.Locale;
import java.util.Optional;

/** What an operator asks of a host through {@code POST /api/v1/hosts/{id}/lifecycle}. */
public enum LifecycleAction {
    CORDON,
    UNCORDON,
    DRAIN,
    MAINTENANCE,
    REBOOT,
    UPGRADE_AGENT,
    DECOMMISSION;

    /** Name in the API and in task specs: lower case, "upgrade-agent". */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<LifecycleAction> fromWireName(String name) {
        for (LifecycleAction action : values()) {
            if (action.wireName().equals(name)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
