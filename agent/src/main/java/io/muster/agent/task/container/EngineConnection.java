package io.muster.agent.task.container;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One connection to the engine's unix socket. The channel is non-blocking and every wait goes
 * through a selector, because a blocking {@link SocketChannel} has no read timeout.
 *
 * <p>Threading: one thread reads and writes; {@link #close()} may be called from any thread and
 * makes a blocked read or write fail with an {@link IOException}.
 */
final class EngineConnection implements Closeable {

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private volatile boolean closed;

    private EngineConnection(SocketChannel channel, Selector selector, SelectionKey key) {
        this.channel = channel;
        this.selector = selector;
        this.key = key;
    }

    static EngineConnection open(Path socket, Duration connectTimeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            selector = Selector.open();
            SelectionKey key = channel.register(selector, 0);
            EngineConnection connection = new EngineConnection(channel, selector, key);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                connection.await(SelectionKey.OP_CONNECT, connectTimeout, "connect");
                channel.finishConnect();
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
    }

    /** Reads at least one byte into {@code buffer}; returns -1 at end of stream. */
    int read(ByteBuffer buffer, Duration timeout) throws IOException {
        while (true) {
            int n = guarded(() -> channel.read(buffer));
            if (n != 0) {
                return n;
            }
            await(SelectionKey.OP_READ, timeout, "read");
        }
    }

    void writeFully(ByteBuffer buffer, Duration timeout) throws IOException {
        while (buffer.hasRemaining()) {
            int n = guarded(() -> channel.write(buffer));
            if (n == 0) {
                await(SelectionKey.OP_WRITE, timeout, "write");
            }
        }
    }

    /** A buffered stream over this connection; each read waits at most {@code timeout} (null: forever). */
    InputStream inputStream(Duration timeout) {
        return new InputStream() {
            private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();

            @Override
            public int read() throws IOException {
                if (!fill()) {
                    return -1;
                }
                return buffer.get() & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, buffer.remaining());
                buffer.get(b, off, n);
                return n;
            }

            @Override
            public int available() {
                return buffer.remaining();
            }

            @Override
            public void close() throws IOException {
                EngineConnection.this.close();
            }

            private boolean fill() throws IOException {
                if (buffer.hasRemaining()) {
                    return true;
                }
                buffer.clear();
                int n = EngineConnection.this.read(buffer, timeout);
                buffer.flip();
                return n > 0;
            }
        };
    }

    OutputStream outputStream(Duration timeout) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeFully(ByteBuffer.wrap(b, off, len), timeout);
            }
        };
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            channel.close();
        } finally {
            // Closing the selector wakes a thread blocked in select().
            selector.close();
        }
    }

    private void await(int op, Duration timeout, String what) throws IOException {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        try {
            key.interestOps(op);
            while (true) {
                long millis = 0;
                if (timeout != null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException(what + " timed out after " + timeout);
                    }
                    millis = Math.max(1, left / 1_000_000);
                }
                int ready = selector.select(millis);
                selector.selectedKeys().clear();
                if (closed) {
                    throw new ClosedChannelException();
                }
                if (ready > 0) {
                    key.interestOps(0);
                    return;
                }
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw new ClosedChannelException();
        }
    }

    private int guarded(IoCall call) throws IOException {
        try {
            return call.run();
        } catch (ClosedSelectorException e) {
            throw new ClosedChannelException();
        }
    }

    @FunctionalInterface
    private interface IoCall {
        int run() throws IOException;
    }
}
