package io.muster.agent.inventory;

import io.muster.proto.v1.DiskList;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.FilesystemList;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;
import io.muster.proto.v1.NicList;
import java.util.Map;
import java.util.Objects;

/**
 * Differences between two inventory snapshots as an {@link InventoryDelta} (only the sections that
 * changed, facts set and removed). Pure; the inverse is the contract's
 * {@link io.muster.proto.inventory.InventoryDeltas#apply}, and
 * {@code InventoryDeltas.apply(old, diff(old, new))} equals {@code new}.
 */
public final class InventoryDiff {

    private InventoryDiff() {
    }

    /**
     * The delta that turns {@code base} into {@code next}. Both must carry their digests
     * ({@link InventoryDigest#seal}). An empty delta (only digests) when nothing changed.
     */
    public static InventoryDelta diff(Inventory base, Inventory next) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(next, "next");
        InventoryDelta.Builder delta = InventoryDelta.newBuilder()
                .setBaseDigest(base.getDigest())
                .setDigest(next.getDigest());
        if (!base.getCpu().equals(next.getCpu())) {
            delta.setCpu(next.getCpu());
        }
        if (!base.getMemory().equals(next.getMemory())) {
            delta.setMemory(next.getMemory());
        }
        if (!base.getDisksList().equals(next.getDisksList())) {
            delta.setDisks(DiskList.newBuilder().addAllItems(next.getDisksList()));
        }
        if (!base.getFilesystemsList().equals(next.getFilesystemsList())) {
            delta.setFilesystems(FilesystemList.newBuilder().addAllItems(next.getFilesystemsList()));
        }
        if (!base.getNicsList().equals(next.getNicsList())) {
            delta.setNics(NicList.newBuilder().addAllItems(next.getNicsList()));
        }
        if (!base.getOs().equals(next.getOs())) {
            delta.setOs(next.getOs());
        }
        if (!base.getHardware().equals(next.getHardware())) {
            delta.setHardware(next.getHardware());
        }
        if (!base.getAgentVersion().equals(next.getAgentVersion())) {
            delta.setAgentVersion(next.getAgentVersion());
        }
        Map<String, Fact> oldFacts = base.getFactsMap();
        next.getFactsMap().entrySet().stream()
                .filter(e -> !e.getValue().equals(oldFacts.get(e.getKey())))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> delta.putSetFacts(e.getKey(), e.getValue()));
        oldFacts.keySet().stream()
                .filter(name -> !next.getFactsMap().containsKey(name))
                .sorted()
                .forEach(delta::addRemovedFacts);
        return delta.build();
    }

    /** True when the delta carries no change at all. */
    public static boolean isEmpty(InventoryDelta delta) {
        return delta.getBaseDigest().equals(delta.getDigest());
    }

}
