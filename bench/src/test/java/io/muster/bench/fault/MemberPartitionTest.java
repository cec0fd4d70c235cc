package io.muster.bench.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MemberPartitionTest {

    @Test
    void parse_keepsTheProcesssConnectionsToThePeersPorts_notListenersNorOthers() {
        // Ports in hex: 0x1F90 = 8080, 0x9C41 = 40001, 0x9C42 = 40002, 0x1628 = 5672.
        String tcp6 = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000000000000 100 0 0 10 0
                   1: 0000000000000000FFFF00000100007F:9C41 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0000000000000000 20 4 30 10 -1
                   2: 0000000000000000FFFF00000100007F:9C42 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 20 4 30 10 -1
                   3: 0000000000000000FFFF00000100007F:9C43 0000000000000000FFFF00000100007F:1628 01 00000000:00000000 00:00000000 00000000     0        0 102 1 0000000000000000 20 4 30 10 -1
                """;
        String tcp = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:9C44 0100007F:1F90 02 00000001:00000000 01:00000064 00000000     0        0 103 1 0000000000000000 100 0 0 10 -1
                """;
        Set<Long> sockets = Set.of(100L, 101L, 102L, 103L);
        assertThat(MemberPartition.parse(tcp6, sockets, Set.of(8080)))
                .containsExactly(new MemberPartition.Connection(40001, 8080));
        assertThat(MemberPartition.parse(tcp, sockets, Set.of(8080)))
                .as("a connection still being opened (SYN_SENT) is cut too")
                .containsExactly(new MemberPartition.Connection(40004, 8080));
    }

    @Test
    void tableName_isThisProcesssAndUnique() throws Exception {
        try (MemberPartition one = new MemberPartition(Duration.ofMinutes(1));
             MemberPartition two = new MemberPartition(Duration.ofMinutes(1))) {
            assertThat(one.table()).startsWith("muster_bench_split_" + ProcessHandle.current().pid() + "_");
            assertThat(one.table()).isNotEqualTo(two.table());
        }
    }

    /**
     * This JVM plays the victim: its connection to a "peer" port goes silent while split, a new
     * connection to that port cannot be opened, and after healing the data held back arrives and
     * the table is gone.
     */
    @Test
    void split_dropsTheVictimsConnectionAndNewOnes_healDeletesTheTable() throws Exception {
        try {
            MemberPartition.checkAvailable();
        } catch (IOException e) {
            String why = "nftables is not usable here (needs root and nft): " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why, e);
            }
            Assumptions.abort(why);
        }
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket victimPort = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Socket victim = new Socket(InetAddress.getLoopbackAddress(), peer.getLocalPort());
             Socket accepted = peer.accept();
             MemberPartition partition = new MemberPartition(Duration.ofMinutes(1))) {
            accepted.setSoTimeout(1_000);
            List<MemberPartition.Connection> cut = partition.split(ProcessHandle.current().pid(), victimPort.getLocalPort(),
                    List.of(peer.getLocalPort()));
            assertThat(cut).contains(new MemberPartition.Connection(victim.getLocalPort(), peer.getLocalPort()));
            assertThat(tables()).contains(partition.table());

            victim.getOutputStream().write('x');
            InputStream in = accepted.getInputStream();
            assertThatThrownBy(in::read).as("the victim's bytes are dropped").isInstanceOf(SocketTimeoutException.class);
            try (Socket fresh = new Socket()) {
                assertThatThrownBy(() -> fresh.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        peer.getLocalPort()), 1_000)).as("no new connection to a peer").isInstanceOf(SocketTimeoutException.class);
            }

            partition.heal();
            assertThat(tables()).doesNotContain(partition.table());
            accepted.setSoTimeout(30_000);
            assertThat(in.read()).as("TCP retransmits what was dropped once the rules are gone").isEqualTo('x');
        }
    }

    private static String tables() throws Exception {
        Process nft = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        String out = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        nft.waitFor();
        return out;
    }
}
