package io.muster.proto.inventory;

import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;

/**
 * Applies an {@link InventoryDelta} to the snapshot it was computed against: the one definition of
 * a delta's meaning, shared by the agent (which checks its diffs round-trip) and the controller
 * (which stores the result), so the two ends cannot drift apart. Pure; the only hand-written
 * code in this module, kept because it is part of the contract rather than of either end.
 */
public final class InventoryDeltas {

    private InventoryDeltas() {
    }

    /**
     * Sections present in the delta replace the snapshot's section as a whole; absent sections are
     * kept. Facts in set_facts are added or replaced, facts in removed_facts are dropped; the
     * result carries the delta's digest. The caller checks that {@code base} has the delta's
     * base_digest.
     */
    public static Inventory apply(Inventory base, InventoryDelta delta) {
        Inventory.Builder next = base.toBuilder();
        if (delta.hasCpu()) {
            next.setCpu(delta.getCpu());
        }
        if (delta.hasMemory()) {
            next.setMemory(delta.getMemory());
        }
        if (delta.hasDisks()) {
            next.clearDisks().addAllDisks(delta.getDisks().getItemsList());
        }
        if (delta.hasFilesystems()) {
            next.clearFilesystems().addAllFilesystems(delta.getFilesystems().getItemsList());
        }
        if (delta.hasNics()) {
            next.clearNics().addAllNics(delta.getNics().getItemsList());
        }
        if (delta.hasOs()) {
            next.setOs(delta.getOs());
        }
        if (delta.hasHardware()) {
            next.setHardware(delta.getHardware());
        }
        if (!delta.getAgentVersion().isEmpty()) {
            next.setAgentVersion(delta.getAgentVersion());
        }
        next.putAllFacts(delta.getSetFactsMap());
        for (String removed : delta.getRemovedFactsList()) {
            next.removeFacts(removed);
        }
        return next.setDigest(delta.getDigest()).build();
    }
}
