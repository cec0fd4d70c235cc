package io.muster.controller.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A network partition between controller members made with nftables: every TCP packet to or
 * from the members' Hazelcast ports is dropped on its way out (all loopback traffic passes the
 * output hook once), so neither member hears the other while agents, HTTP clients and
 * PostgreSQL still reach both. Dropped, not rejected: a real split looks like silence, not a
 * refused connection.
 *
 * <p>The rules live in a table of their own, named per instance, removed by {@link #heal} (also
 * the test's {@code @AfterEach}). The ports are set elements with a timeout, so even a test JVM killed before its
 * cleanup leaves no rule that still drops anything after {@link #SAFETY_EXPIRY}.
 */
final class HazelcastPartition {

    /** Longer than any split a test holds; the elements expire by themselves after it. */
    static final Duration SAFETY_EXPIRY = Duration.ofMinutes(3);

    private final String table = "muster_split_" + UUID.randomUUID().toString().substring(0, 8);
    private boolean present;

    /**
     * Starts dropping the traffic of these Hazelcast ports. Fails with the reason when nft cannot
     * (not root, no nftables).
     */
    void split(List<Integer> hazelcastPorts) throws IOException, InterruptedException {
        String elements = hazelcastPorts.stream()
                .map(port -> port + " timeout " + SAFETY_EXPIRY.toSeconds() + "s")
                .collect(Collectors.joining(", "));
        present = true;
        nft("table inet " + table + " {\n"
                + "  set ports { type inet_service; flags timeout; elements = { " + elements + " }; }\n"
                + "  chain out { type filter hook output priority 0; policy accept;\n"
                + "    tcp dport @ports drop\n"
                + "    tcp sport @ports drop\n"
                + "  }\n"
                + "}\n");
    }

    /** Removes the rules: the members can reach each other again. */
    void heal() throws IOException, InterruptedException {
        if (present) {
            nft("delete table inet " + table + "\n");
            present = false;
        }
    }

    private static void nft(String script) throws IOException, InterruptedException {
        Process nft = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
        nft.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        nft.getOutputStream().close();
        String output = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!nft.waitFor(10, TimeUnit.SECONDS) || nft.exitValue() != 0) {
            throw new IOException("nft failed: " + output.strip());
        }
    }
}
