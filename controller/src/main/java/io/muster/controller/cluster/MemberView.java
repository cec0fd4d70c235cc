package io.muster.controller.cluster;

/**
 * One controller member as the API shows it.
 *
 * @param id              stable member id
 * @param address         Hazelcast member address host:port
 * @param grpc            agent gateway / FleetControl address host:port
 * @param http            HTTP API address host:port
 * @param partitions      Hazelcast partitions the member owns
 * @param connectedAgents agent sessions the member holds
 * @param local           true for the member answering the request
 */
public record MemberView(String id, String address, String grpc, String http, int partitions, long connectedAgents, boolean local) {
}
