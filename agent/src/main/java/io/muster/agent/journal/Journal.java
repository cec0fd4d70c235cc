package io.muster.agent.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import io.muster.proto.v1.UpdateRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's memory of its runs across restarts: task updates the controller has not acknowledged,
 * runs that started, and runs that finished (so a re-delivered run id is answered with its final
 * update instead of being executed again).
 *
 * <p>Durability: a start marker and a terminal update are forced to stable storage before the call
 * returns; a streaming (RUNNING) update is written but not forced, and an acknowledgement is
 * written lazily. When opened, a run that started but never finished yields one FAILED update with
 * the reason {@value #AGENT_RESTARTED}; it is journaled before {@link #open} returns, so it is
 * produced exactly once.
 *
 * <p>The record file is compacted (live records rewritten atomically) when it grows beyond twice
 * its live size. The most recent {@value #FINISHED_KEPT} finished runs are remembered.
 *
 * <p>Thread-safe: every method is serialised on the journal.
 */
public final class Journal implements AutoCloseable {

    public static final String AGENT_RESTARTED = "agent restarted";
    static final int FINISHED_KEPT = 10_000;
    static final long MIN_COMPACT_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final byte UPDATE = 'U';
    private static final byte ACK = 'A';
    private static final byte STARTED = 'S';
    private static final byte FINISHED = 'F';

    private final JournalStore store;
    private final long minCompactBytes;
    /** Unacknowledged updates by journal position (the order they were journaled). */
    private final TreeMap<Long, TaskUpdate> pending = new TreeMap<>();
    /** Journal position of each unacknowledged update, by run id and sequence. */
    private final Map<String, Long> pendingPositions = new HashMap<>(4);
    private long position;
    /** Runs started and not finished: run id to [last sequence, started at ms]. */
    private final Map<String, long[]> started = new LinkedHashMap<>(4);
    /** Final update of finished runs, oldest first. */
    private final LinkedHashMap<String, TaskUpdate> finished = new LinkedHashMap<>(4);
    private long compactAt;
    /** Why the last write failed (e.g. the disk is full), or null while the journal is durable. */
    private String failure;
    private Consumer<String> durabilityListener = failure -> { };

    private Journal(JournalStore store, long minCompactBytes) {
        this.store = store;
        this.minCompactBytes = minCompactBytes;
        this.compactAt = minCompactBytes;
    }

    /**
     * Replays {@code store} and turns every run that was started but not finished into a FAILED
     * update with reason {@value #AGENT_RESTARTED}.
     */
    public static Journal open(JournalStore store, Clock clock) throws IOException {
        return open(store, clock, MIN_COMPACT_BYTES, InterruptedRunPolicy.DEFAULT);
    }

    /** As {@link #open(JournalStore, Clock)}, with {@code policy} deciding how interrupted runs end. */
    public static Journal open(JournalStore store, Clock clock, InterruptedRunPolicy policy) throws IOException {
        return open(store, clock, MIN_COMPACT_BYTES, policy);
    }

    static Journal open(JournalStore store, Clock clock, long minCompactBytes) throws IOException {
        return open(store, clock, minCompactBytes, InterruptedRunPolicy.DEFAULT);
    }

    static Journal open(JournalStore store, Clock clock, long minCompactBytes, InterruptedRunPolicy policy)
            throws IOException {
        Journal journal = new Journal(store, minCompactBytes);
        synchronized (journal) {
            for (byte[] record : store.load()) {
                journal.replay(record);
            }
            List<String> interrupted = new ArrayList<>(journal.started.keySet());
            for (String runId : interrupted) {
                long[] run = journal.started.get(runId);
                TaskUpdate failure = TaskUpdate.newBuilder()
                        .setRunId(runId)
                        .setSequence(run[0] + 1)
                        .setState(RunState.RUN_STATE_FAILED)
                        .setReason(AGENT_RESTARTED)
                        .setStartedAtMs(run[1])
                        .setFinishedAtMs(clock.millis())
                        .build();
                TaskUpdate concluded = policy.conclude(failure);
                if (concluded == failure) {
                    LOG.warn("run {} was executing when the agent stopped; reporting it failed", runId);
                } else {
                    LOG.info("run {} was completed by the restart: {}", runId, concluded.getState());
                }
                journal.record(concluded);
            }
            journal.compactAt = Math.max(journal.minCompactBytes, store.size() * 2);
        }
        return journal;
    }

    /**
     * Marks {@code runId} as started (forced to disk). Returns false, and records nothing, when
     * the run was started or finished before: the caller must not execute it.
     */
    public synchronized boolean begin(String runId, long startedAtMs) {
        if (started.containsKey(runId) || finished.containsKey(runId)) {
            return false;
        }
        started.put(runId, new long[] {0, startedAtMs});
        write(started(runId, 0, startedAtMs), true);
        return true;
    }

    /**
     * Whether what the journal holds is on disk. After a failed write (a full disk) the journal
     * keeps working in memory, appends nothing more (the failed append may have left a torn frame)
     * and rewrites its whole state with each later write or call of this method; the first rewrite
     * that succeeds makes it durable again. The caller must not start a run while this is false:
     * its start could not survive a crash, so a restart might run it a second time.
     */
    public synchronized boolean durable() {
        if (failure != null) {
            try {
                compact();
                recovered();
            } catch (IOException e) {
                LOG.debug("journal still not writable: {}", e.toString());
            }
        }
        return failure == null;
    }

    /**
     * Called (under the journal's lock; it must not block) with the reason when a write fails and
     * the journal goes on in memory only, and with null when it is durable again.
     */
    public synchronized void whenDurabilityChanges(Consumer<String> listener) {
        this.durabilityListener = listener;
    }

    /** Journals an update before it is sent; terminal updates are forced and finish the run. */
    public synchronized void record(TaskUpdate update) {
        apply(update);
        write(tagged(UPDATE, update.toByteArray()), isTerminal(update.getState()));
    }

    /** Forgets acknowledged updates; unknown references are ignored (duplicate acks are normal). */
    public synchronized void acknowledge(Collection<UpdateRef> refs) {
        for (UpdateRef ref : refs) {
            if (forget(key(ref.getRunId(), ref.getSequence()))) {
                write(ack(ref.getRunId(), ref.getSequence()), false);
            }
        }
    }

    /** Updates not yet acknowledged, oldest first: re-sent after every (re)connect. */
    public synchronized List<TaskUpdate> unacknowledged() {
        return List.copyOf(pending.values());
    }

    /**
     * The oldest unacknowledged update journaled after {@code afterPosition} (0: from the start),
     * or null. The session walks the journal with this instead of queueing updates itself.
     */
    public synchronized Entry nextUnacknowledged(long afterPosition) {
        Map.Entry<Long, TaskUpdate> next = pending.higherEntry(afterPosition);
        return next == null ? null : new Entry(next.getKey(), next.getValue());
    }

    /** An unacknowledged update and its position in the journal (positions only grow). */
    public record Entry(long position, TaskUpdate update) {
    }

    public synchronized int unacknowledgedCount() {
        return pending.size();
    }

    /** The terminal update of a finished run, if the run is remembered. */
    public synchronized Optional<TaskUpdate> finalUpdate(String runId) {
        return Optional.ofNullable(finished.get(runId));
    }

    /** True when the run was started here (and may be executing) or has finished. */
    public synchronized boolean known(String runId) {
        return started.containsKey(runId) || finished.containsKey(runId);
    }

    /** Highest sequence journaled for a started run, 0 when none. */
    public synchronized long lastSequence(String runId) {
        long[] run = started.get(runId);
        return run == null ? 0 : run[0];
    }

    @Override
    public synchronized void close() throws IOException {
        store.close();
    }

    private void apply(TaskUpdate update) {
        if (!isTerminal(update.getState()) && finished.containsKey(update.getRunId())) {
            return;
        }
        String key = key(update.getRunId(), update.getSequence());
        forget(key);
        pending.put(++position, update);
        pendingPositions.put(key, position);
        if (isTerminal(update.getState())) {
            started.remove(update.getRunId());
            remember(update);
        } else {
            long[] run = started.computeIfAbsent(update.getRunId(), id -> new long[] {0, update.getStartedAtMs()});
            run[0] = Math.max(run[0], update.getSequence());
        }
    }

    private void remember(TaskUpdate terminal) {
        finished.put(terminal.getRunId(), terminal);
        if (finished.size() > FINISHED_KEPT) {
            Iterator<String> oldest = finished.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private void replay(byte[] record) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(record, 1, record.length - 1))) {
            switch (record[0]) {
                case UPDATE -> apply(TaskUpdate.parseFrom(in));
                case FINISHED -> {
                    TaskUpdate terminal = TaskUpdate.parseFrom(in);
                    started.remove(terminal.getRunId());
                    remember(terminal);
                }
                case ACK -> forget(key(in.readUTF(), in.readLong()));
                case STARTED -> {
                    String runId = in.readUTF();
                    long lastSequence = in.readLong();
                    long startedAt = in.readLong();
                    if (!finished.containsKey(runId)) {
                        long[] run = started.computeIfAbsent(runId, id -> new long[] {0, startedAt});
                        run[0] = Math.max(run[0], lastSequence);
                    }
                }
                default -> LOG.warn("journal: skipping a record of unknown type {}", record[0]);
            }
        } catch (InvalidProtocolBufferException e) {
            LOG.warn("journal: skipping an unreadable update record", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // The in-memory state already holds the record, so a rewrite (compact) writes it too.
    private void write(byte[] record, boolean force) {
        try {
            if (failure != null) {
                compact();
                recovered();
                return;
            }
            store.append(record, force);
            if (store.size() > compactAt) {
                compact();
            }
        } catch (IOException e) {
            if (failure == null) {
                failure = "cannot write the task journal " + store + ": " + e.getMessage();
                LOG.error("{}; going on in memory until it can be written again", failure);
                durabilityListener.accept(failure);
            }
        }
    }

    private void recovered() {
        if (failure != null) {
            LOG.info("the task journal is written again ({} was the last failure)", failure);
            failure = null;
            durabilityListener.accept(null);
        }
    }

    private void compact() throws IOException {
        List<byte[]> live = new ArrayList<>(finished.size() + started.size() + pending.size());
        for (TaskUpdate terminal : finished.values()) {
            if (!pendingPositions.containsKey(key(terminal.getRunId(), terminal.getSequence()))) {
                live.add(tagged(FINISHED, terminal.toByteArray()));
            }
        }
        for (Map.Entry<String, long[]> run : started.entrySet()) {
            live.add(started(run.getKey(), run.getValue()[0], run.getValue()[1]));
        }
        for (TaskUpdate update : pending.values()) {
            live.add(tagged(UPDATE, update.toByteArray()));
        }
        store.replace(live);
        compactAt = Math.max(minCompactBytes, store.size() * 2);
    }

    private boolean forget(String key) {
        Long at = pendingPositions.remove(key);
        if (at == null) {
            return false;
        }
        pending.remove(at);
        return true;
    }

    private static boolean isTerminal(RunState state) {
        return state != RunState.RUN_STATE_RUNNING && state != RunState.RUN_STATE_UNSPECIFIED;
    }

    private static String key(String runId, long sequence) {
        return runId + '#' + sequence;
    }

    private static byte[] tagged(byte tag, byte[] body) {
        byte[] record = new byte[body.length + 1];
        record[0] = tag;
        System.arraycopy(body, 0, record, 1, body.length);
        return record;
    }

    private static byte[] started(String runId, long lastSequence, long startedAtMs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(runId.length() + 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(STARTED);
            out.writeUTF(runId);
            out.writeLong(lastSequence);
            out.writeLong(startedAtMs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] ack(String runId, long sequence) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(runId.length() + 12);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(ACK);
            out.writeUTF(runId);
            out.writeLong(sequence);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
