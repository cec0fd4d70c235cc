package io.muster.agent.journal;

import java.io.IOException;
import java.util.List;

/**
 * Where the {@link Journal}'s records are kept: an append-only sequence of opaque records.
 *
 * <p>Threading: the journal calls a store from one thread at a time (it holds its own lock), so an
 * implementation need not be thread-safe. Guarantees: after {@code append(record, true)} returns,
 * the record survives a crash of the process and of the machine; a record appended without force
 * survives a crash of the process. {@link #replace} is atomic: after a crash the store holds
 * either the old or the new records, never a mix.
 */
public interface JournalStore extends AutoCloseable {

    /** Every intact record in append order; a torn record at the end (crash mid-write) is dropped. */
    List<byte[]> load() throws IOException;

    void append(byte[] record, boolean force) throws IOException;

    /** Replaces all records with {@code records} atomically (compaction). */
    void replace(List<byte[]> records) throws IOException;

    /** Bytes currently used, to decide when to compact. */
    long size();

    @Override
    void close() throws IOException;
}
