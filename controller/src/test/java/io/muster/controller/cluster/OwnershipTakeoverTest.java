package io.muster.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.properties.ClusterProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real Hazelcast members on loopback: a member dies, the survivors record when they took over. */
class OwnershipTakeoverTest {

    private final List<HazelcastInstance> instances = new ArrayList<>();

    @AfterEach
    void stop() {
        instances.forEach(hz -> hz.getLifecycleService().terminate());
    }

    @Test
    void survivorsRecordTheDepartureAndWhenEveryPartitionHadALiveOwnerAgain() {
        String cluster = "takeover-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        List<Integer> ports = List.of(freePort(), freePort(), freePort());
        List<Ownership> ownerships = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(config(cluster, "m" + i, ports.get(i), ports));
            instances.add(hz);
            ownerships.add(new Ownership(hz));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> instances.get(0).getCluster().getMembers().size() == 3
                && ownerships.stream().allMatch(Ownership::ready));
        assertThat(ownerships.get(0).lastTakeover()).isEmpty();

        HazelcastInstance victim = instances.remove(2);
        victim.getLifecycleService().terminate();

        for (Ownership survivor : ownerships.subList(0, 2)) {
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> survivor.lastTakeover().map(t -> t.reownedAt() != null).orElse(false));
            Ownership.Takeover takeover = survivor.lastTakeover().orElseThrow();
            assertThat(takeover.departedId()).isEqualTo("m2");
            assertThat(takeover.reownedAt()).isAfterOrEqualTo(takeover.seenLeftAt());
            assertThat(survivor.ready()).isTrue();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Config config(String cluster, String memberId, int port, List<Integer> ports) {
        Config hz = new Config();
        hz.setClusterName(cluster);
        hz.setInstanceName(cluster + "-" + memberId);
        hz.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), "1");
        hz.setProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(), "3");
        hz.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "1");
        hz.setProperty(ClusterProperty.MAX_WAIT_SECONDS_BEFORE_JOIN.getName(), "2");
        hz.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
        hz.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "slf4j");
        hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        hz.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        hz.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        hz.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true);
        ports.forEach(p -> hz.getNetworkConfig().getJoin().getTcpIpConfig().addMember("127.0.0.1:" + p));
        hz.getMemberAttributeConfig().setAttribute(MemberAttributes.MEMBER_ID, memberId)
                .setAttribute(MemberAttributes.GRPC, "127.0.0.1:1")
                .setAttribute(MemberAttributes.HTTP, "127.0.0.1:1");
        return hz;
    }
}
