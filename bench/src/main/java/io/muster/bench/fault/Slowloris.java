package io.muster.bench.fault;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A slowloris on a member's HTTP port: {@code connections} connections each send a request line
 * and a header, never the blank line that ends the head, and one more byte every
 * {@code trickle}. A connection the member closes is opened again, so the attack keeps its
 * number of connections open for as long as it runs; how long the member let each live is what
 * it reports (the member closes a connection whose first request head is not whole within its
 * head deadline, 10 s: see docs/faults.md, Slow clients).
 *
 * <p>{@link #run} drives every connection from the calling thread (non-blocking sockets, one pass
 * per trickle) until {@link #stop}; then it closes its connections. {@link #figures} is read after
 * {@link #run} returned.
 */
public final class Slowloris implements Runnable {

    private static final byte[] HEAD = "GET /api/v1/hosts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            .getBytes(StandardCharsets.US_ASCII);
    /** One more byte of the header value: the head never ends. */
    private static final byte[] TRICKLE = {'y'};

    private final int port;
    private final int connections;
    private final Duration trickle;
    private final List<Slow> open = new ArrayList<>();
    private final List<Long> livedMillis = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private int opened;
    private int closedByMember;
    private long bytesTrickled;
    private volatile boolean stopped;

    private static final class Slow {
        final SocketChannel channel;
        final long openedAt;

        Slow(SocketChannel channel, long openedAt) {
            this.channel = channel;
            this.openedAt = openedAt;
        }
    }

    public Slowloris(int port, int connections, Duration trickle) {
        this.port = port;
        this.connections = connections;
        this.trickle = trickle;
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                long pass = System.nanoTime();
                for (int i = 0; i < open.size(); i++) {
                    Slow slow = open.get(i);
                    if (closedByPeer(slow)) {
                        closedByMember++;
                        livedMillis.add((System.nanoTime() - slow.openedAt) / 1_000_000);
                        close(slow);
                        open.remove(i--);
                    } else if (write(slow, TRICKLE)) {
                        bytesTrickled++;
                    }
                    // A failed write means the member reset it: the next pass's read sees the close and counts it.
                }
                while (open.size() < connections && !stopped) {
                    if (!openOne()) {
                        break;
                    }
                }
                long left = trickle.toMillis() - (System.nanoTime() - pass) / 1_000_000;
                // Short naps: stop() is noticed within 100 ms, not after a whole trickle interval.
                while (left > 0 && !stopped) {
                    Thread.sleep(Math.min(left, 100));
                    left = trickle.toMillis() - (System.nanoTime() - pass) / 1_000_000;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.forEach(Slowloris::close);
        }
    }

    /** What the attack did: connections opened and closed by the member, and how long the member let them live. */
    public JsonObject figures() {
        List<Long> lived = new ArrayList<>(livedMillis);
        Collections.sort(lived);
        JsonObject figures = new JsonObject()
                .put("connections", connections)
                .put("opened", opened)
                .put("closedByMember", closedByMember)
                .put("bytesTrickled", bytesTrickled)
                .put("trickleSeconds", trickle.toMillis() / 1000.0);
        if (!lived.isEmpty()) {
            figures.put("closedAfterSecondsP50", lived.get(lived.size() / 2) / 1000.0)
                    .put("closedAfterSecondsMin", lived.get(0) / 1000.0)
                    .put("closedAfterSecondsMax", lived.get(lived.size() - 1) / 1000.0);
        }
        if (!failures.isEmpty()) {
            figures.put("openFailures", failures.size()).put("firstOpenFailure", failures.get(0));
        }
        return figures;
    }

    private boolean openOne() {
        try {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            Slow slow = new Slow(channel, System.nanoTime());
            opened++;
            open.add(slow);
            write(slow, HEAD);
            return true;
        } catch (IOException e) {
            failures.add(e.toString());
            return false;
        }
    }

    /** Whether the member closed (or reset) the connection; anything it sent (an error page) is read and dropped. */
    private static boolean closedByPeer(Slow slow) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        try {
            int read;
            do {
                buffer.clear();
                read = slow.channel.read(buffer);
            } while (read > 0);
            return read < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    private static boolean write(Slow slow, byte[] bytes) {
        try {
            slow.channel.write(ByteBuffer.wrap(bytes));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void close(Slow slow) {
        try {
            slow.channel.close();
        } catch (IOException ignored) {
            // closing a socket the member already closed
        }
    }
}
