package io.muster.bench.fault;

import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bad gRPC clients on a plaintext (h2c, {@code --insecure}) gRPC port: raw HTTP/2 streams, each on
 * a connection of its own, made with Netty's HTTP/2 frame codec so that the bytes are exactly the
 * broken ones (a gRPC client would refuse to send them). Each stream starts a call of one method
 * with gRPC's headers and carries one of the {@link Kind}s as its only DATA frame; what the member
 * answered (a gRPC status, a reset, the connection closed, or nothing within the deadline) is
 * counted per kind.
 *
 * <p>The streams are spread evenly over the attack's duration, at most {@code concurrency} waiting
 * for their answers at once. Thread-safe: {@link #attack} may run while other threads do other
 * things; it returns when every stream has its outcome.
 */
public final class MalformedGrpc {

    /** What a bad stream sends, and whether it ends the stream or the connection after it. */
    public enum Kind {
        /** A message whose protobuf does not parse (field 1 with wire type 7, which does not exist), then the end of the stream. */
        MALFORMED("malformed protobuf", frame(2, new byte[] {0x0F, 0x00}), true, false),
        /** A length prefix of 1,000 bytes followed by 10, then the end of the stream. */
        TRUNCATED("truncated message, end of stream", frame(1_000, new byte[10]), true, false),
        /** A prefix declaring 64 MiB (the member's inbound limit is about 1 MiB), then the first 16 kB. */
        OVERSIZED("oversized message", frame(64 << 20, new byte[16 * 1024]), false, false),
        /** The truncated message, then the connection closed. */
        CUT("truncated message, connection closed", frame(1_000, new byte[10]), false, true);

        private final String description;
        private final byte[] message;
        private final boolean endStream;
        private final boolean closeAfter;

        Kind(String description, byte[] message, boolean endStream, boolean closeAfter) {
            this.description = description;
            this.message = message;
            this.endStream = endStream;
            this.closeAfter = closeAfter;
        }

        public String description() {
            return description;
        }
    }

    private final String host;
    private final int port;
    private final String fullMethodName;
    private final Duration answerWithin;

    /**
     * @param fullMethodName the gRPC method the streams call ({@code service/method})
     * @param answerWithin how long a stream waits for the member's answer before it counts as unanswered
     */
    public MalformedGrpc(String host, int port, String fullMethodName, Duration answerWithin) {
        this.host = host;
        this.port = port;
        this.fullMethodName = fullMethodName;
        this.answerWithin = answerWithin;
    }

    /**
     * Sends {@code streams} bad streams, the kinds in turn, spread over {@code over}; returns how
     * many of each kind ended how ({@code "malformed protobuf: status INTERNAL": 75}) and one
     * message the member gave for each outcome.
     */
    public JsonObject attack(int streams, Duration over, int concurrency) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ExecutorService clients = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread thread = new Thread(runnable, "bench-bad-grpc");
            thread.setDaemon(true);
            return thread;
        });
        long started = System.nanoTime();
        List<Future<String[]>> outcomes = new ArrayList<>();
        try {
            Kind[] kinds = Kind.values();
            for (int i = 0; i < streams; i++) {
                long due = started + over.toNanos() * i / streams;
                long wait = (due - System.nanoTime()) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                Kind kind = kinds[i % kinds.length];
                outcomes.add(clients.submit(() -> new String[] {kind.description(), send(group, kind)}));
            }
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, String> samples = new TreeMap<>();
            for (Future<String[]> outcome : outcomes) {
                String[] answer;
                try {
                    answer = outcome.get();
                } catch (ExecutionException e) {
                    answer = new String[] {"?", "client error: " + e.getCause()};
                }
                // "status INTERNAL: <reason>": counted by kind and status, one reason kept per status.
                int reason = answer[1].indexOf(": ");
                String outcomeKey = answer[0] + ": " + (reason < 0 ? answer[1] : answer[1].substring(0, reason));
                counts.merge(outcomeKey, 1, Integer::sum);
                if (reason >= 0) {
                    samples.putIfAbsent(outcomeKey, answer[1].substring(reason + 2));
                }
            }
            return new JsonObject()
                    .put("streams", streams)
                    .put("method", fullMethodName)
                    .put("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0)
                    .put("outcomes", new JsonObject(new TreeMap<>(counts)))
                    .put("reasons", new JsonObject(new TreeMap<>(samples)));
        } finally {
            clients.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Opens an h2c connection, starts a call with gRPC's headers, writes the kind's message as the
     * only DATA frame and returns what the member answered: "status CODE: message", "stream reset,
     * code N", "connection closed", or "no answer within N s".
     */
    private String send(EventLoopGroup group, Kind kind) {
        CompletableFuture<String> answered = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) answerWithin.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Prior knowledge: a plaintext gRPC server speaks HTTP/2 from the first byte.
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                answered.complete("connection closed");
                            }
                        });
                    }
                });
        Channel connection = null;
        try {
            connection = bootstrap.connect(host, port).sync().channel();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
                    .handler(new ChannelInboundHandlerAdapter() {
                        private String status;

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object frame) {
                            if (frame instanceof Http2HeadersFrame headers) {
                                CharSequence code = headers.headers().get("grpc-status");
                                if (code != null) {
                                    CharSequence text = headers.headers().get("grpc-message");
                                    status = "status " + Status.fromCodeValue(Integer.parseInt(code.toString())).getCode().name()
                                            + ": " + (text == null ? "" : text);
                                }
                                if (headers.isEndStream()) {
                                    answered.complete(status == null ? "ended without a status" : status);
                                }
                            } else if (frame instanceof Http2ResetFrame reset) {
                                answered.complete(status != null ? status : "stream reset, code " + reset.errorCode());
                            }
                        }
                    }).open().sync().getNow();
            Http2Headers headers = new DefaultHttp2Headers()
                    .method("POST").scheme("http").authority(host + ":" + port)
                    .path("/" + fullMethodName)
                    .add("content-type", "application/grpc").add("te", "trailers");
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(kind.message), kind.endStream)).sync();
            if (kind.closeAfter) {
                connection.close().sync();
            }
            return answered.get(answerWithin.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "no answer within " + answerWithin.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            // The connection refused or reset before the stream was written: counted with its reason.
            return answered.isDone() ? answered.getNow("connection closed") : "failed: " + e;
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** gRPC's length-prefixed message: uncompressed flag, 4-byte declared length, then the bytes. */
    private static byte[] frame(int declaredLength, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(declaredLength).put(body).array();
    }
}
