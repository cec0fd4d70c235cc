package io.muster.bench.ceiling;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The machine's raw gRPC streaming rate: client-to-server messages per second over loopback
 * through a service that does nothing but count them (grpc-netty server and client in this JVM,
 * bidirectional streams, manual flow control on both sides: the server requests one message for
 * each it takes, keeping {@link #WINDOW} outstanding, the client writes only while the stream is
 * ready). Both ends run callbacks on the transport threads (direct executor): the raw limit, no
 * hand-off to an application pool. Messages are the size of an agent heartbeat. Not thread-safe;
 * one measurement at a time.
 */
public final class GrpcCeiling {

    /** A heartbeat-sized message (an AgentMessage with a Heartbeat is a few dozen bytes). */
    static final int MESSAGE_BYTES = 64;

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> STREAM = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("muster.bench.Empty/Stream")
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    /**
     * Messages the server asks for ahead: it requests one more per message it takes, so this many
     * are outstanding. With one, each message would wait for a round trip between the transport
     * and the application thread, and the figure would measure that latency, not the rate.
     */
    static final int WINDOW = 64;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(30);

    /** The measured rate. */
    public record Result(double messagesPerSecond, long messages, double seconds, int streams) {
    }

    private final LongAdder received = new LongAdder();

    /**
     * Streams for {@code duration} (after a warm-up of a quarter of it) and returns the rate the
     * server received.
     */
    public Result measure(Duration duration, int streams) throws IOException, InterruptedException {
        ServerServiceDefinition service = ServerServiceDefinition.builder("muster.bench.Empty")
                .addMethod(STREAM, ServerCalls.asyncBidiStreamingCall(this::serve))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service).directExecutor().build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                .directExecutor().build();
        AtomicBoolean running = new AtomicBoolean(true);
        List<ClientCallStreamObserver<byte[]>> calls = new ArrayList<>();
        try {
            byte[] message = new byte[MESSAGE_BYTES];
            for (int i = 0; i < streams; i++) {
                ClientResponseObserver<byte[], byte[]> observer = new ClientResponseObserver<>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
                        calls.add(requestStream);
                        requestStream.setOnReadyHandler(() -> {
                            while (running.get() && requestStream.isReady()) {
                                requestStream.onNext(message);
                            }
                        });
                    }

                    @Override
                    public void onNext(byte[] value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                };
                ClientCalls.asyncBidiStreamingCall(channel.newCall(STREAM, CallOptions.DEFAULT), observer);
            }
            // Connecting may take seconds on a busy machine; the clock starts once messages flow.
            long connectDeadline = System.nanoTime() + CONNECT_DEADLINE.toNanos();
            while (received.sum() == 0) {
                if (System.nanoTime() > connectDeadline) {
                    throw new IOException("no message reached the empty service within " + CONNECT_DEADLINE.toSeconds() + " s");
                }
                Thread.sleep(10);
            }
            Thread.sleep(duration.toMillis() / 4);
            long start = received.sum();
            long started = System.nanoTime();
            Thread.sleep(duration.toMillis());
            long count = received.sum() - start;
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Result(count / seconds, count, seconds, streams);
        } finally {
            running.set(false);
            for (ClientCallStreamObserver<byte[]> call : calls) {
                call.cancel("measurement over", null);
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private StreamObserver<byte[]> serve(StreamObserver<byte[]> responses) {
        ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) responses;
        call.disableAutoRequest();
        call.request(WINDOW);
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                received.increment();
                call.request(1);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                call.onCompleted();
            }
        };
    }
}
