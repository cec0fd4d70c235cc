package io.muster.controller.history;

import java.time.Instant;

/** One fact of one host that changed: its value before and after (JSON text; null = absent). */
public record InventoryChange(long id, String hostId, String key, Object oldValue, Object newValue, Instant at) {
}
