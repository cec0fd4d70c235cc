package io.muster.agent.task;

import io.muster.agent.AgentConfig;
import io.muster.agent.enrollment.AgentCredentials;
import io.muster.agent.enrollment.HostProver;
import io.muster.agent.task.config.ConfigExecutor;
import io.muster.agent.task.container.ContainerExecutor;
import io.muster.agent.task.container.DockerEngineClient;
import io.muster.agent.task.container.ManagedContainers;
import io.muster.agent.task.lifecycle.AgentRestart;
import io.muster.agent.task.lifecycle.ContainerStatusCache;
import io.muster.agent.task.lifecycle.LifecycleExecutor;
import io.muster.agent.upgrade.BuildDownload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors a real host runs besides {@code exec}, assembled from the agent's configuration:
 * {@code config}, {@code lifecycle}, and {@code container} plus the heartbeat's container report
 * when the engine socket exists. Built once when the agent starts; {@link #close()} releases the
 * engine's threads. Not thread-safe to build; the executors themselves are.
 */
public final class StandardExecutors implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandardExecutors.class);

    private final List<TaskExecutor> executors;
    private final ContainerStatusCache containers;
    private final ContainerExecutor containerExecutor;
    private final LifecycleExecutor lifecycle;

    private StandardExecutors(List<TaskExecutor> executors, ContainerStatusCache containers,
            ContainerExecutor containerExecutor, LifecycleExecutor lifecycle) {
        this.executors = List.copyOf(executors);
        this.containers = containers;
        this.containerExecutor = containerExecutor;
        this.lifecycle = lifecycle;
    }

    /**
     * @param version this agent's version (what an upgrade compares against)
     * @param restart how this process restarts into another build; null when nothing supervises
     *                it (upgrade-agent then fails without changing anything)
     */
    public static StandardExecutors from(AgentConfig config, String version, AgentRestart restart) {
        List<TaskExecutor> executors = new ArrayList<>();
        executors.add(new ConfigExecutor());
        Path socket = DockerEngineClient.resolveSocket(config.containerSocket());
        DockerEngineClient engine = null;
        ContainerExecutor container = null;
        ContainerStatusCache containers = null;
        // With a download grant the agent proves it is the host the grant is for (no key: no proof, --insecure).
        HostProver prover = new AgentCredentials(config.dataDir()).prover();
        if (Files.exists(socket)) {
            engine = DockerEngineClient.forSocket(socket);
            container = new ContainerExecutor(engine, prover);
            executors.add(container);
            containers = new ContainerStatusCache(new ManagedContainers(engine), ContainerStatusCache.DEFAULT_REFRESH);
            LOG.info("container engine socket {}: container tasks enabled", socket);
        } else {
            LOG.info("no container engine socket at {} (set --container-socket): container tasks will fail on this host",
                    socket);
        }
        LifecycleExecutor lifecycle = new LifecycleExecutor(config.dataDir(),
                engine == null ? null : new ManagedContainers(engine), config.rebootCommand(), config.bootIdFile(),
                version, restart, new BuildDownload(prover));
        executors.add(lifecycle);
        return new StandardExecutors(executors, containers, container, lifecycle);
    }

    public List<TaskExecutor> executors() {
        return executors;
    }

    /** What the heartbeat reports of the managed containers; null when there is no engine. */
    public ContainerStatusCache containers() {
        return containers;
    }

    @Override
    public void close() {
        lifecycle.close();
        if (containers != null) {
            containers.close();
        }
        if (containerExecutor != null) {
            containerExecutor.close();
        }
    }
}
