package io.muster.controller.lifecycle;

import static io.muster.controller.lifecycle.Lifecycle.CORDONED;
import static io.muster.controller.lifecycle.Lifecycle.DECOMMISSIONED;
import static io.muster.controller.lifecycle.Lifecycle.DRAINING;
import static io.muster.controller.lifecycle.Lifecycle.MAINTENANCE;
import static io.muster.controller.lifecycle.Lifecycle.READY;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransitionsTest {

    /** Every (state, action) pair: expected "during/success/failure" or "illegal". */
    @Test
    void table_everyStateAndAction_exhaustively() {
        List<String> actual = new ArrayList<>();
        for (Lifecycle from : Lifecycle.values()) {
            for (LifecycleAction action : LifecycleAction.values()) {
                actual.add(from.wireName() + " " + action.wireName() + " -> " + Transitions.of(from, action)
                        .map(t -> t.during().wireName() + (t.runsWork() ? " work " + t.onSuccess().wireName() + "/"
                                + t.onFailure().wireName() : ""))
                        .orElse("illegal"));
            }
        }
        assertThat(actual).containsExactly(
                "ready cordon -> cordoned",
                "ready uncordon -> illegal",
                "ready drain -> draining work maintenance/cordoned",
                "ready maintenance -> maintenance",
                "ready reboot -> ready work ready/ready",
                "ready upgrade-agent -> ready work ready/ready",
                "ready decommission -> cordoned work decommissioned/cordoned",
                "cordoned cordon -> illegal",
                "cordoned uncordon -> ready",
                "cordoned drain -> draining work maintenance/cordoned",
                "cordoned maintenance -> maintenance",
                "cordoned reboot -> cordoned work cordoned/cordoned",
                "cordoned upgrade-agent -> cordoned work cordoned/cordoned",
                "cordoned decommission -> cordoned work decommissioned/cordoned",
                "draining cordon -> illegal",
                "draining uncordon -> illegal",
                "draining drain -> illegal",
                "draining maintenance -> illegal",
                "draining reboot -> illegal",
                "draining upgrade-agent -> illegal",
                "draining decommission -> illegal",
                "maintenance cordon -> illegal",
                "maintenance uncordon -> ready",
                "maintenance drain -> illegal",
                "maintenance maintenance -> illegal",
                "maintenance reboot -> maintenance work maintenance/maintenance",
                "maintenance upgrade-agent -> maintenance work maintenance/maintenance",
                "maintenance decommission -> maintenance work decommissioned/maintenance",
                "decommissioned cordon -> illegal",
                "decommissioned uncordon -> illegal",
                "decommissioned drain -> illegal",
                "decommissioned maintenance -> illegal",
                "decommissioned reboot -> illegal",
                "decommissioned upgrade-agent -> illegal",
                "decommissioned decommission -> illegal");
    }

    @Test
    void transitions_keepTheirOrigin() {
        assertThat(Transitions.of(CORDONED, LifecycleAction.DRAIN).orElseThrow().from()).isEqualTo(CORDONED);
        assertThat(Transitions.of(READY, LifecycleAction.CORDON).orElseThrow().runsWork()).isFalse();
        assertThat(Transitions.of(MAINTENANCE, LifecycleAction.DECOMMISSION).orElseThrow().onSuccess()).isEqualTo(DECOMMISSIONED);
        assertThat(Transitions.of(DRAINING, LifecycleAction.UNCORDON)).isEmpty();
    }

    @Test
    void names_roundTrip() {
        for (LifecycleAction action : LifecycleAction.values()) {
            assertThat(LifecycleAction.fromWireName(action.wireName())).contains(action);
        }
        for (Lifecycle lifecycle : Lifecycle.values()) {
            assertThat(Lifecycle.fromWireName(lifecycle.wireName())).contains(lifecycle);
        }
        assertThat(LifecycleAction.fromWireName("upgrade_agent")).isEmpty();
    }
}
