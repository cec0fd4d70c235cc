package io.muster.agent.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link JournalStore} in memory: the fleet simulator runs tens of thousands of agents in one JVM
 * with the same journal logic but without a file each. Survives nothing beyond the process; a new
 * {@link Journal} on the same instance sees what the previous one wrote (used to simulate an agent
 * restart in memory).
 */
public final class MemoryJournalStore implements JournalStore {

    private List<byte[]> records;
    private long size;

    @Override
    public synchronized List<byte[]> load() {
        return records == null ? List.of() : List.copyOf(records);
    }

    @Override
    public synchronized void append(byte[] record, boolean force) {
        if (records == null) {
            records = new ArrayList<>(4);
        }
        records.add(record);
        size += record.length + 8L;
    }

    @Override
    public synchronized void replace(List<byte[]> replacement) {
        records = replacement.isEmpty() ? null : new ArrayList<>(replacement);
        size = replacement.stream().mapToLong(r -> r.length + 8L).sum();
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public void close() {
        // Nothing to release: the records stay for a later Journal on the same store.
    }
}
