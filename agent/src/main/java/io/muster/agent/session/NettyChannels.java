package io.muster.agent.session;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@link ChannelSource} that creates one Netty channel per controller address on first use and keeps
 * it. All channels run on the given event loop group and deliver callbacks on the given executor
 * (never on the event loop, so session handlers may touch the journal). With a TLS context the
 * channels are mTLS (the enrolled agent's certificate, trusting the cluster CA); without, plaintext.
 *
 * <p>Thread-safe. {@link #close()} shuts the channels down; the event loop group and executor
 * belong to the caller.
 */
public final class NettyChannels implements ChannelSource, AutoCloseable {

    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(30);

    private final EventLoopGroup eventLoop;
    private final Executor executor;
    private final Duration keepAlive;
    private final SslContext tls;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>(4);
    private volatile boolean closed;

    public NettyChannels(EventLoopGroup eventLoop, Executor executor, Duration keepAlive) {
        this(eventLoop, executor, keepAlive, null);
    }

    /** @param tls client TLS context, or null for plaintext */
    public NettyChannels(EventLoopGroup eventLoop, Executor executor, Duration keepAlive, SslContext tls) {
        this.tls = tls;
        this.eventLoop = eventLoop;
        this.executor = executor;
        this.keepAlive = keepAlive == null ? DEFAULT_KEEPALIVE : keepAlive;
    }

    @Override
    public Channel channel(String address) {
        if (closed) {
            throw new IllegalStateException("channels are closed");
        }
        return channels.computeIfAbsent(address, this::open);
    }

    private ManagedChannel open(String address) {
        NettyChannelBuilder builder = NettyChannelBuilder.forTarget(address);
        if (tls == null) {
            builder.usePlaintext();
        } else {
            builder.sslContext(tls);
        }
        return builder
                .eventLoopGroup(eventLoop)
                .channelType(NioSocketChannel.class)
                .executor(executor)
                .keepAliveTime(keepAlive.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(Math.max(10_000, keepAlive.toMillis() / 3), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(false)
                .build();
    }

    /** Starts a graceful shutdown of every channel without waiting (see {@link #close()}). */
    public void shutdown() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdown);
    }

    @Override
    public void close() {
        // Graceful first so that a half-closed stream can finish; then whatever is left is cut.
        shutdown();
        for (ManagedChannel channel : channels.values()) {
            try {
                if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                    channel.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
        channels.clear();
    }
}
