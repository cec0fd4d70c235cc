package io.muster.controller.gateway;

import io.muster.controller.cluster.SessionDirectory;
import io.muster.controller.store.HostRepository;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's one housekeeping thread (not one timer per session): closes silent sessions,
 * re-checks ownership after partition moves (coalesced) and periodically as a safety net,
 * publishes the member's session count, removes the session entries of departed members, and,
 * on the oldest member only, marks offline the hosts nobody heard from (e.g. of a dead member,
 * that never came back).
 *
 * <p>Thread-safe: the request methods may be called from any thread (Hazelcast event threads
 * included) and only schedule work.
 */
public final class LivenessSweeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LivenessSweeper.class);
    private static final Duration RECHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration PUBLISH_EVERY = Duration.ofSeconds(2);

    private final AgentGatewayService gateway;
    private final HostRepository hosts;
    private final SessionDirectory directory;
    private final BooleanSupplier oldestMember;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean recheckPending = new AtomicBoolean();
    private volatile String recheckReason = "ownership-moved";

    /**
     * @param oldestMember whether this member is the cluster's oldest (it alone runs the
     *                     database-wide stale-host sweep)
     */
    public LivenessSweeper(AgentGatewayService gateway, HostRepository hosts, SessionDirectory directory,
                           BooleanSupplier oldestMember) {
        this.gateway = gateway;
        this.hosts = hosts;
        this.directory = directory;
        this.oldestMember = oldestMember;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "muster-liveness-" + gateway.memberId());
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        GatewaySettings settings = gateway.settings();
        long silentEvery = Math.max(50, Math.min(1000, settings.heartbeat().toMillis() / 2));
        every(silentEvery, gateway::closeSilent);
        every(RECHECK_EVERY.toMillis(), () -> gateway.recheckOwnership(recheckReason));
        every(PUBLISH_EVERY.toMillis(), () -> directory.publishLoad(gateway.memberId(), gateway.sessions().size()));
        long staleEvery = Math.max(1000, settings.heartbeat().toMillis());
        every(staleEvery, this::markStale);
    }

    /** Ownership may have changed: re-check the local sessions soon (one run for a burst of events). */
    public void requestRecheck() {
        if (recheckPending.compareAndSet(false, true)) {
            submit(() -> {
                recheckPending.set(false);
                gateway.recheckOwnership(recheckReason);
            });
        }
    }

    /** From now on redirects on ownership moves say "shutdown": this member is leaving. */
    public void leaving() {
        recheckReason = "shutdown";
    }

    /** A member left the cluster: remove its session entries (they describe streams that are gone). */
    public void memberDeparted(String memberId) {
        submit(() -> {
            directory.purgeDeparted(memberId);
            LOG.info("member {} left; its session entries were removed", memberId);
        });
    }

    private void markStale() {
        if (!oldestMember.getAsBoolean()) {
            return;
        }
        hosts.markStaleOffline(gateway.settings().staleAfter()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("stale-host sweep failed: {}", ar.cause().toString());
            } else if (ar.result() > 0) {
                LOG.info("{} hosts silent for {} marked offline", ar.result(), gateway.settings().staleAfter());
            }
        });
    }

    private void every(long periodMs, Runnable task) {
        executor.scheduleWithFixedDelay(guarded(task), periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private void submit(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("sweeper stopped; task dropped");
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // One failed round (e.g. Hazelcast leaving) must not cancel the periodic task.
                LOG.warn("liveness round failed: {}", e.toString());
            }
        };
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
