package io.muster.agent.inventory;

import io.muster.proto.v1.Inventory;

/**
 * Supplies the host's current inventory snapshot.
 *
 * <p>Threading: may be called from any thread; implementations are thread-safe. {@link #current()}
 * is cheap after the first call (it returns the latest snapshot, it does not re-read the host).
 */
@FunctionalInterface
public interface InventorySource {

    /** The latest snapshot, with its digest set. */
    Inventory current();
}
