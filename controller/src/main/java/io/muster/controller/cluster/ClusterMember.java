package io.muster.controller.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.properties.ClusterProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This controller's embedded Hazelcast member: TCP-IP join over the configured member list,
 * failure detection in seconds, the member attributes other members and the API read
 * ({@link MemberAttributes}). No CP subsystem is used.
 *
 * <p>The member port is treated as reachable by strangers (open-source Hazelcast has no
 * authentication): it listens on the advertised address only, deserializes only {@link WireClasses},
 * runs no Jet jobs, and what members send each other are ids the receiver checks in PostgreSQL.
 *
 * <p>{@link #start} blocks until the member has joined (or formed) the cluster. The instance is
 * safe to use from any thread.
 */
public final class ClusterMember implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);

    /** Name of the sessions map (host id -> {@link SessionEntry}). */
    public static final String SESSIONS_MAP = "muster.sessions";

    private final HazelcastInstance instance;
    private final String memberId;

    private ClusterMember(HazelcastInstance instance, String memberId) {
        this.instance = instance;
        this.memberId = memberId;
    }

    /**
     * Starts the member and joins the cluster.
     *
     * @param config       cluster name, join list, port, advertised host and failure detection
     * @param memberId     this member's id (published as an attribute)
     * @param grpcAddress  "host:port" redirected agents connect to
     * @param httpAddress  "host:port" of this member's HTTP API
     */
    public static ClusterMember start(ClusterSettings config, String memberId, String grpcAddress,
                                      String httpAddress) {
        Objects.requireNonNull(memberId, "memberId");
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(
                hazelcastConfig(config, memberId, grpcAddress, httpAddress));
        return new ClusterMember(hz, memberId);
    }

    static Config hazelcastConfig(ClusterSettings config, String memberId, String grpcAddress,
                                  String httpAddress) {
        Config hz = new Config();
        hz.setClusterName(config.clusterName());
        hz.setInstanceName("muster-" + memberId);
        long detectionSeconds = Math.max(2, (config.failureDetection().toMillis() + 999) / 1000);
        hz.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), "1");
        hz.setProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(), Long.toString(detectionSeconds));
        // A lone first member should not sit out Hazelcast's default 5 s join wait.
        hz.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "1");
        hz.setProperty(ClusterProperty.MAX_WAIT_SECONDS_BEFORE_JOIN.getName(), "2");
        hz.setProperty(ClusterProperty.PARTITION_MIGRATION_INTERVAL.getName(), "0");
        hz.setProperty(ClusterProperty.GRACEFUL_SHUTDOWN_MAX_WAIT.getName(), "30");
        hz.setProperty(ClusterProperty.MERGE_FIRST_RUN_DELAY_SECONDS.getName(), "10");
        hz.setProperty(ClusterProperty.MERGE_NEXT_RUN_DELAY_SECONDS.getName(), "10");
        hz.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "slf4j");
        hz.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
        // The Controller owns the shutdown order (hand the agents over first), not Hazelcast's hook.
        hz.setProperty(ClusterProperty.SHUTDOWNHOOK_ENABLED.getName(), "false");

        // Nothing but our own messages is ever deserialized from a peer (see WireClasses), and no
        // peer may ship code or jobs: the Hazelcast network is not trusted.
        hz.getSerializationConfig().setJavaSerializationFilterConfig(WireClasses.filter());
        hz.getJetConfig().setEnabled(false);

        int port = config.port() == 0 ? freePort() : config.port();
        NetworkConfig network = hz.getNetworkConfig();
        bindToAdvertised(hz, network, config.advertiseHost());
        network.setPort(port).setPortAutoIncrement(true).setPortCount(100);
        network.setPublicAddress(config.advertiseHost() + ":" + port);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        List<String> members = new ArrayList<>(config.join());
        members.add(config.advertiseHost() + ":" + port);
        join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2).setMembers(members);

        hz.getMemberAttributeConfig()
                .setAttribute(MemberAttributes.MEMBER_ID, memberId)
                .setAttribute(MemberAttributes.GRPC, grpcAddress)
                .setAttribute(MemberAttributes.HTTP, httpAddress);
        hz.getSerializationConfig().getCompactSerializationConfig().addSerializer(new SessionEntrySerializer());
        hz.getMapConfig(SESSIONS_MAP).setBackupCount(1);
        return hz;
    }

    /**
     * Listens on the advertised address only, not on every interface: the member port then stays off
     * networks the cluster does not use (a public interface, a container bridge). When the advertised
     * address is not one of this machine's (a NAT'd public address) the member listens on all
     * interfaces and says so: the firewall rule in docs/security.md is then the only guard.
     */
    private static void bindToAdvertised(Config hz, NetworkConfig network, String advertiseHost) {
        InetAddress address;
        try {
            address = InetAddress.getByName(advertiseHost);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--advertise " + advertiseHost + " does not resolve", e);
        }
        if (!isLocal(address)) {
            LOG.warn("the advertised address {} is not on this machine: Hazelcast listens on every interface; "
                    + "allow its port only from the other members' addresses", advertiseHost);
            return;
        }
        hz.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(address.getHostAddress()));
    }

    private static boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the Hazelcast member", e);
        }
    }

    public HazelcastInstance instance() {
        return instance;
    }

    public String memberId() {
        return memberId;
    }

    /** The Hazelcast member port actually bound. */
    public int port() {
        return instance.getCluster().getLocalMember().getAddress().getPort();
    }

    public Member localMember() {
        return instance.getCluster().getLocalMember();
    }

    public boolean isRunning() {
        return instance.getLifecycleService().isRunning();
    }

    /**
     * Leaves the cluster gracefully: blocks while this member's partitions migrate to the others
     * (bounded by Hazelcast's graceful shutdown limit).
     */
    public void shutdownGracefully() {
        if (isRunning()) {
            instance.getLifecycleService().shutdown();
        }
    }

    /** Leaves abruptly, as if the process had been killed: no migration, no goodbye. */
    public void terminate() {
        instance.getLifecycleService().terminate();
    }

    @Override
    public void close() {
        shutdownGracefully();
    }
}
