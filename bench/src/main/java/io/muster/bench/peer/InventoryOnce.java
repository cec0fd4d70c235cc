package io.muster.bench.peer;

import io.muster.agent.Agent;
import io.muster.agent.inventory.InventoryCollector;
import io.muster.proto.v1.Inventory;

/**
 * The agent's full OSHI inventory collection, once, as a process of its own (so {@code /usr/bin/time}
 * can measure its wall time and peak RSS next to {@code facter}'s). Prints one line: the facts
 * and the size of the collected inventory.
 */
public final class InventoryOnce {

    private InventoryOnce() {
    }

    public static void main(String[] args) {
        Inventory inventory = new InventoryCollector(Agent.VERSION).refresh();
        System.out.println("inventory: " + inventory.getSerializedSize() + " bytes");
    }
}
