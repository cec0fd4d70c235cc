package io.muster.controller.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client written frame by frame over TLS, as an attacker's would be: it opens as many
 * streams as it likes without waiting for the server's stream limit (grpc-java's own client
 * queues streams beyond it, so it cannot show the server refusing them). It acknowledges the
 * server's SETTINGS (Netty applies its own limit once acknowledged) and records every RST_STREAM.
 */
final class RawHttp2Connection implements AutoCloseable {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int FLAG_ACK = 0x1;
    private static final int FLAG_END_HEADERS = 0x4;
    /** HTTP/2 error code REFUSED_STREAM (RFC 9113, section 7). */
    static final int REFUSED_STREAM = 0x7;

    private final SSLSocket socket;
    private final OutputStream out;
    private final Http2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final Map<Integer, Integer> resets = new ConcurrentHashMap<>();
    private volatile boolean settingsAcknowledged;
    private int nextStream = 1;

    /** Connects with {@code context} (its key manager decides whether a client certificate goes along). */
    RawHttp2Connection(SSLContext context, int port) throws IOException {
        socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        out = socket.getOutputStream();
        write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
        Thread reader = new Thread(this::read, "raw-http2-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** True once this client acknowledged the server's SETTINGS (so the server's limits apply). */
    boolean settingsAcknowledged() {
        return settingsAcknowledged;
    }

    /** Opens a gRPC call to {@code fullMethodName} (headers only, no message); returns its stream id. */
    synchronized int openCall(String fullMethodName) throws IOException {
        int stream = nextStream;
        nextStream += 2;
        Http2Headers headers = new DefaultHttp2Headers()
                .method("POST").scheme("https").path("/" + fullMethodName).authority("127.0.0.1")
                .set("content-type", "application/grpc").set("te", "trailers");
        ByteBuf block = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, block);
            byte[] bytes = new byte[block.readableBytes()];
            block.readBytes(bytes);
            frame(HEADERS, FLAG_END_HEADERS, stream, bytes);
        } catch (io.netty.handler.codec.http2.Http2Exception e) {
            throw new IOException(e);
        } finally {
            block.release();
        }
        return stream;
    }

    /** The error code of each stream the server reset so far. */
    Map<Integer, Integer> resets() {
        return Map.copyOf(resets);
    }

    private synchronized void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] header = {
                (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags,
                (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
        out.write(header);
        out.write(payload);
        out.flush();
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == SETTINGS && (flags & FLAG_ACK) == 0) {
                    frame(SETTINGS, FLAG_ACK, 0, new byte[0]);
                    settingsAcknowledged = true;
                } else if (type == RST_STREAM) {
                    resets.put(stream, ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16)
                            | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff));
                }
            }
        } catch (IOException closed) {
            // The connection ended (the test closed it, or the server did): nothing more to record.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
