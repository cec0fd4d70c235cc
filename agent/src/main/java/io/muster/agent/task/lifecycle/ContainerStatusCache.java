package io.muster.agent.task.lifecycle;

import io.muster.agent.session.ContainerReporter;
import io.muster.agent.task.container.EngineException;
import io.muster.agent.task.container.ManagedContainers;
import io.muster.proto.v1.ContainerStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed containers for heartbeats: refreshed from the engine every {@code every} on one
 * daemon thread of its own, so the session's timer thread only reads the cached list and never
 * waits on the engine. While the engine cannot be reached the last good list is kept (and a
 * warning logged once per outage).
 */
public final class ContainerStatusCache implements ContainerReporter, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerStatusCache.class);
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

    private final ManagedContainers containers;
    private final ScheduledExecutorService refresher;
    private volatile List<ContainerStatus> latest = List.of();
    private boolean failing;

    public ContainerStatusCache(ManagedContainers containers, Duration every) {
        this.containers = containers;
        this.refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "muster-containers");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public List<ContainerStatus> managedContainers() {
        return latest;
    }

    /** Reads the engine now (also what the timer does). */
    public void refresh() {
        try {
            latest = List.copyOf(containers.list());
            if (failing) {
                LOG.info("container engine reachable again");
            }
            failing = false;
        } catch (EngineException | RuntimeException e) {
            if (!failing) {
                LOG.warn("cannot list the managed containers: {}", e.getMessage());
            }
            failing = true;
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
