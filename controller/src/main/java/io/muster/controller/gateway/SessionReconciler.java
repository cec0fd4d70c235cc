package io.muster.controller.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.controller.cluster.Ownership;
import io.muster.controller.cluster.SessionDirectory;
import io.muster.controller.cluster.SessionEntry;
import io.muster.controller.cluster.SessionRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-entropy for the sessions map: the map is soft state, written only when a session starts
 * and ends, and a split-brain merge can lose those writes for good (Hazelcast's default
 * PutIfAbsentMergePolicy keeps the larger side's entries and drops the merging member's; a
 * departure purge run late removes the entries of a member that is back). So each member
 * periodically, and soon after a merge or a membership change, compares the map with the streams
 * it actually holds and repairs the difference:
 * <ul>
 *   <li>a session it holds of a host it owns, whose entry is missing or names someone else: claimed
 *       again through the usual claim ({@link SessionRules#mayClaim} on the key's owner);</li>
 *   <li>a session of a host it no longer owns: handed over to the owner, as after any migration
 *       ({@link AgentGatewayService#recheckOwnership}); the owner claims it when the agent arrives;</li>
 *   <li>an entry naming it for a host it holds no session of: removed, if still exactly that entry.</li>
 * </ul>
 * A pass reads the entries of its own hosts in chunks and writes only where they disagree; counted
 * in muster_sessions_repaired_total (by action) and logged once per pass that repaired something.
 *
 * <p>Runs on its own thread: a pass may wait on Hazelcast (bounded by a timeout), which must delay
 * neither the liveness sweeps nor any event loop. Thread-safe: {@link #requestPass} may be called
 * from any thread, Hazelcast event threads included.
 */
public final class SessionReconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionReconciler.class);
    /** Hosts read per call: one invocation per partition owner, small enough to never stall a partition thread. */
    static final int CHUNK = 500;
    /** Longest a pass waits for the map; a pass that times out (e.g. during a split) is simply retried next period. */
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** After a merge or membership change, partitions move and merged entries land for a moment: pass after that. */
    private static final Duration AFTER_CHANGE = Duration.ofSeconds(2);

    private final AgentGatewayService gateway;
    private final SessionDirectory directory;
    private final Ownership ownership;
    private final Counter reclaimed;
    private final Counter removed;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean passPending = new AtomicBoolean();

    public SessionReconciler(AgentGatewayService gateway, SessionDirectory directory, Ownership ownership,
                             MeterRegistry meters) {
        this.gateway = gateway;
        this.directory = directory;
        this.ownership = ownership;
        this.reclaimed = Counter.builder("muster.sessions.repaired").tag("action", "claimed")
                .description("sessions-map entries this member re-wrote or removed to match the streams it holds")
                .register(meters);
        this.removed = Counter.builder("muster.sessions.repaired").tag("action", "removed")
                .description("sessions-map entries this member re-wrote or removed to match the streams it holds")
                .register(meters);
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "muster-sessions-" + gateway.memberId());
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        long every = gateway.settings().reconcileEvery().toMillis();
        executor.scheduleWithFixedDelay(() -> runPass("periodic"), every, every, TimeUnit.MILLISECONDS);
    }

    /** A merge or membership change: pass again shortly (one pass for a burst of events). */
    public void requestPass(String why) {
        if (passPending.compareAndSet(false, true)) {
            try {
                executor.schedule(() -> {
                    passPending.set(false);
                    runPass(why);
                }, AFTER_CHANGE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("session reconciler stopped; pass after {} dropped", why);
            }
        }
    }

    private void runPass(String why) {
        try {
            reconcile(why);
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            // One failed pass (the cluster splitting or this member leaving) must not stop the next ones.
            LOG.debug("session reconcile pass ({}) failed: {}", why, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One pass; returns the number of entries repaired. Blocking; runs on the reconciler's thread
     * (tests call it directly).
     */
    int reconcile(String why) throws InterruptedException, ExecutionException, TimeoutException {
        if (!gateway.assertsSessions()) {
            return 0;
        }
        // Held hosts this member does not own go to their owner; their entries are the owner's to write.
        gateway.recheckOwnership("ownership-moved");
        SessionRegistry registry = gateway.sessions();
        List<AgentStream> owned = new ArrayList<>();
        for (AgentStream stream : registry.streams()) {
            // Streams still being welcomed have their first claim in flight: leave them to it.
            if (stream.isOpen() && stream.entry() != null && ownership.isLocal(stream.hostId())) {
                owned.add(stream);
            }
        }
        int claimed = 0;
        for (int from = 0; from < owned.size(); from += CHUNK) {
            claimed += reclaim(registry, owned.subList(from, Math.min(owned.size(), from + CHUNK)));
        }
        int orphans = removeOrphans(registry);
        if (claimed + orphans > 0) {
            reclaimed.increment(claimed);
            removed.increment(orphans);
            LOG.info("sessions map repaired ({}): {} entries of sessions held here re-claimed, {} entries of sessions"
                    + " no longer held here removed; {} sessions held", why, claimed, orphans, registry.size());
        }
        return claimed + orphans;
    }

    private int reclaim(SessionRegistry registry, List<AgentStream> chunk)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> hostIds = chunk.stream().map(AgentStream::hostId).toList();
        Map<String, SessionEntry> current = directory.entries(hostIds).toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        for (AgentStream stream : chunk) {
            String hostId = stream.hostId();
            SessionEntry held = stream.entry();
            if (!SessionRules.needsReclaim(current.get(hostId), held)) {
                continue;
            }
            writes.add(directory.claim(hostId, held).toCompletableFuture().thenCompose(done -> {
                if (done && registry.get(hostId) != stream) {
                    // The session ended while the claim was on its way: its own release may have run
                    // first, so take back the entry just written rather than leave one naming nothing.
                    return directory.removeOrphan(hostId, held).thenApply(x -> false).toCompletableFuture();
                }
                return CompletableFuture.completedFuture(done);
            }));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        int done = 0;
        for (CompletableFuture<Boolean> write : writes) {
            if (write.join()) {
                done++;
            }
        }
        return done;
    }

    private int removeOrphans(SessionRegistry registry)
            throws InterruptedException, ExecutionException, TimeoutException {
        String self = gateway.memberId();
        List<CompletableFuture<Boolean>> removals = new ArrayList<>();
        // Read before the registry is consulted: a session accepted after the read writes an entry
        // with a newer connectedSince, which the exact-match removal below never touches.
        for (Map.Entry<String, SessionEntry> entry : directory.entriesOf(self).entrySet()) {
            String hostId = entry.getKey();
            // A session that ended a moment ago may lose its own release to this removal; it then
            // records no offline, and the stale-host sweep marks the host later if nobody has it.
            if (SessionRules.isOrphaned(self, entry.getValue(), registry.get(hostId) != null)) {
                removals.add(directory.removeOrphan(hostId, entry.getValue()).toCompletableFuture());
            }
        }
        CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        int done = 0;
        for (CompletableFuture<Boolean> removal : removals) {
            if (removal.join()) {
                done++;
            }
        }
        return done;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
