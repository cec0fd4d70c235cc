package io.muster.agent.session;

import io.muster.proto.v1.ContainerStatus;
import java.util.List;

/**
 * Optional source of the containers Muster manages on the host, reported on every heartbeat.
 *
 * <p>Threading: called on the session's timer thread once per heartbeat; it must return quickly
 * (a cached view refreshed elsewhere), never wait on the container engine.
 */
@FunctionalInterface
public interface ContainerReporter {

    List<ContainerStatus> managedContainers();
}
