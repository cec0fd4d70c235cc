package io.muster.bench.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network partition between one controller member (the victim) and the others, made with
 * nftables: the victim's Hazelcast traffic to and from the other members is dropped, while the
 * others keep the connection they have between them, and agents, HTTP clients and PostgreSQL
 * still reach every member. Dropped, not rejected: a real split looks like silence.
 *
 * <p>Unlike the two-member controller test ({@code chaos.HazelcastPartition}, which drops every
 * packet of both Hazelcast ports), one member against two cannot be cut by ports alone: a
 * member's outgoing connections to a peer leave from an ephemeral port, and the packets of the
 * victim's and of the third member's connections to that peer look alike. So the rules are:
 * <ul>
 *   <li>every packet to or from the victim's Hazelcast port (connections the others opened to it);</li>
 *   <li>every packet of the connections the victim itself opened to a peer's Hazelcast port,
 *       each matched by its pair of ports (read from {@code /proc/<victim>/net/tcp*}, keeping the
 *       sockets the victim's file descriptors name);</li>
 *   <li>every new connection (a SYN without ACK) to a peer's Hazelcast port: the victim cannot
 *       open a fresh one, and the two others keep the one they already have.</li>
 * </ul>
 * The table is made with the first and third rule before the victim's connections are read, so
 * no connection can be opened between the reading and the rules.
 *
 * <p>The table's name is unique to the bench process ({@code muster_bench_split_<pid>_<random>}).
 * {@link #heal} (and {@link #close}) deletes it; a JVM shutdown hook deletes it too should the
 * bench be stopped while split; and every set element carries a timeout, so even a bench killed
 * with {@code kill -9} leaves only an empty table behind, never a rule that still drops packets.
 * Needs root and {@code nft}. Not thread-safe.
 */
public final class MemberPartition implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemberPartition.class);
    private static final Duration NFT_DEADLINE = Duration.ofSeconds(10);

    /** A TCP connection of the victim to a peer: its own (ephemeral) port and the peer's port. */
    public record Connection(int localPort, int remotePort) {
    }

    private final String table = "muster_bench_split_" + ProcessHandle.current().pid() + "_"
            + UUID.randomUUID().toString().substring(0, 8);
    private final Duration expiry;
    private final Thread cleanup = new Thread(this::deleteQuietly, "member-partition-cleanup");
    private boolean present;

    /** @param expiry how long the rules may drop packets at most, whatever happens to the bench: longer than the split */
    public MemberPartition(Duration expiry) {
        this.expiry = expiry;
    }

    public String table() {
        return table;
    }

    /**
     * Fails with nft's reason when this process cannot make rules (not root, no nftables): asked
     * before the scenario starts, not half-way through it.
     */
    public static void checkAvailable() throws IOException, InterruptedException {
        nft("list tables\n");
    }

    /**
     * Starts dropping the Hazelcast traffic between the victim and its peers.
     *
     * @param victimPid the victim member's process (its sockets are read from /proc)
     * @param victimPort the victim's Hazelcast port
     * @param peerPorts the other members' Hazelcast ports
     * @return the victim's own connections to the peers that were cut (by their ports)
     */
    public List<Connection> split(long victimPid, int victimPort, List<Integer> peerPorts) throws IOException, InterruptedException {
        if (present) {
            throw new IllegalStateException("already split: " + table);
        }
        // Registered before the table exists: a bench stopped between the two still deletes it.
        Runtime.getRuntime().addShutdownHook(cleanup);
        present = true;
        String timeout = " timeout " + expiry.toSeconds() + "s";
        try {
            create(timeout, victimPort, peerPorts);
        } catch (IOException | RuntimeException e) {
            // nft applies a script whole or not at all: no table was made.
            present = false;
            Runtime.getRuntime().removeShutdownHook(cleanup);
            throw e;
        }
        List<Connection> cut = connectionsTo(victimPid, Set.copyOf(peerPorts));
        if (!cut.isEmpty()) {
            nft("add element inet " + table + " connections { "
                    + cut.stream().map(c -> c.localPort() + " . " + c.remotePort() + timeout).collect(Collectors.joining(", "))
                    + " }\n");
        }
        LOG.info("split: nft table inet {} drops the Hazelcast traffic of port {} and of {} connections to {}", table,
                victimPort, cut.size(), peerPorts);
        return cut;
    }

    private void create(String timeout, int victimPort, List<Integer> peerPorts) throws IOException, InterruptedException {
        nft("table inet " + table + " {\n"
                + "  set victim { type inet_service; flags timeout; elements = { " + victimPort + timeout + " }; }\n"
                + "  set peers { type inet_service; flags timeout; elements = { "
                + peerPorts.stream().map(port -> port + timeout).collect(Collectors.joining(", ")) + " }; }\n"
                + "  set connections { type inet_service . inet_service; flags timeout; }\n"
                + "  chain out { type filter hook output priority 0; policy accept;\n"
                + "    tcp dport @victim drop\n"
                + "    tcp sport @victim drop\n"
                + "    tcp flags & (syn | ack) == syn tcp dport @peers drop\n"
                + "    tcp sport . tcp dport @connections drop\n"
                + "    tcp dport . tcp sport @connections drop\n"
                + "  }\n"
                + "}\n");
    }

    /** Deletes the table: the members can reach each other again. Does nothing when not split. */
    public void heal() throws IOException, InterruptedException {
        if (!present) {
            return;
        }
        nft("delete table inet " + table + "\n");
        present = false;
        LOG.info("healed: nft table inet {} deleted", table);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it finds the table gone, which is fine.
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        heal();
    }

    private void deleteQuietly() {
        if (!present) {
            return;
        }
        try {
            nft("delete table inet " + table + "\n");
        } catch (IOException e) {
            // Gone already (healed meanwhile) or nft unavailable: the element timeouts end the drop in any case.
            System.err.println("muster bench: could not delete nft table inet " + table + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The TCP connections of process {@code pid} whose remote port is one of {@code remotePorts}. */
    static List<Connection> connectionsTo(long pid, Set<Integer> remotePorts) throws IOException {
        Set<Long> sockets = socketInodes(Path.of("/proc", Long.toString(pid), "fd"));
        List<Connection> connections = new ArrayList<>();
        // Java's sockets are IPv6 ones (IPv4 addresses mapped) unless java.net.preferIPv4Stack: read both tables.
        for (String file : List.of("tcp", "tcp6")) {
            Path table = Path.of("/proc", Long.toString(pid), "net", file);
            if (Files.exists(table)) {
                connections.addAll(parse(Files.readString(table, StandardCharsets.US_ASCII), sockets, remotePorts));
            }
        }
        return connections;
    }

    /** Inodes of the sockets open in a process ({@code /proc/<pid>/fd} links read {@code socket:[inode]}). */
    private static Set<Long> socketInodes(Path fds) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException closed) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                }
            }
        }
        return inodes;
    }

    /**
     * The connections of a {@code /proc/net/tcp} or {@code tcp6} text that belong to one of
     * {@code sockets} (by inode) and lead to one of {@code remotePorts}; listening sockets are
     * skipped. Columns: sl, local address:port, remote address:port (hex), state, queues, timer,
     * retransmits, uid, timeout, inode.
     */
    static List<Connection> parse(String procNetTcp, Set<Long> sockets, Set<Integer> remotePorts) {
        List<Connection> connections = new ArrayList<>();
        for (String line : procNetTcp.split("\n")) {
            String[] column = line.trim().split("\\s+");
            if (column.length < 10 || !column[0].endsWith(":") || "0A".equals(column[3])) {
                continue;
            }
            long inode = Long.parseLong(column[9]);
            int localPort = port(column[1]);
            int remotePort = port(column[2]);
            if (sockets.contains(inode) && remotePorts.contains(remotePort)) {
                connections.add(new Connection(localPort, remotePort));
            }
        }
        return connections;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
    }

    private static void nft(String script) throws IOException, InterruptedException {
        Process nft = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        nft.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        nft.getOutputStream().close();
        String output = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!nft.waitFor(NFT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            nft.destroyForcibly();
            throw new IOException("nft did not finish within " + NFT_DEADLINE.toSeconds() + " s");
        }
        if (nft.exitValue() != 0) {
            throw new IOException("nft failed: " + output.strip());
        }
    }
}
