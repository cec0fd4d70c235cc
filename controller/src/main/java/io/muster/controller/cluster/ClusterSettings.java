package io.muster.controller.cluster;

import java.time.Duration;
import java.util.List;

/**
 * What the Hazelcast member of a controller needs from its configuration.
 *
 * @param clusterName      members join only a cluster of this name
 * @param join             "host:port" of the other members to join (empty: form a cluster alone)
 * @param port             the member port; 0 picks a free one
 * @param advertiseHost    the address other members and agents reach this member at (the member binds to it)
 * @param failureDetection how long a silent member stays in the cluster
 */
public record ClusterSettings(String clusterName, List<String> join, int port, String advertiseHost,
                              Duration failureDetection) {

    public ClusterSettings {
        join = List.copyOf(join);
    }
}
