package io.muster.agent.task.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP framing of the client against a scripted unix-socket peer (engine quirks without an engine). */
class DockerEngineClientTest {

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private Thread peer;
    private final java.util.concurrent.CountDownLatch requestRead = new java.util.concurrent.CountDownLatch(1);

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (peer != null) {
            peer.join(5000);
        }
    }

    /** Answers one connection with {@code response} (null: read the request, then stay silent). */
    private DockerEngineClient answering(String response) throws Exception {
        Path socket = dir.resolve("engine.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        peer = new Thread(() -> {
            try (SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(8192));
                requestRead.countDown();
                if (response == null) {
                    c.read(ByteBuffer.allocate(1)); // until the client gives up and closes
                    return;
                }
                c.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1)));
            } catch (Exception e) {
                // The peer ends when the test closes the server.
            }
        });
        peer.start();
        return new DockerEngineClient(socket, Duration.ofSeconds(2), Duration.ofMillis(500));
    }

    @Test
    void chunkedBody_withExtensionsAndTrailers_isDecoded() throws Exception {
        DockerEngineClient client = answering("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6;note=x\r\n{\"Id\":\r\n5\r\n\"abc\"\r\n1\r\n}\r\n0\r\nX-Trailer: y\r\n\r\n");

        DockerEngineClient.JsonReply reply = client.call(EngineRequest.get("/containers/x/json"), AbortSignal.NEVER);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().getStructValue().getFieldsOrThrow("Id").getStringValue()).isEqualTo("abc");
    }

    @Test
    void errorAnswer_carriesTheEnginesMessageVerbatim() throws Exception {
        String body = "{\"cause\":\"image not known\",\"message\":\"no such image: x: image not known\",\"response\":404}";
        DockerEngineClient client = answering("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body);

        assertThatThrownBy(() -> client.call(EngineRequest.post("/containers/create"), AbortSignal.NEVER))
                .isInstanceOfSatisfying(EngineException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.notFound()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("no such image: x: image not known");
                });
    }

    @Test
    void silentEngine_hitsTheReadTimeout() throws Exception {
        DockerEngineClient client = answering(null);

        assertThatThrownBy(() -> client.call(EngineRequest.get("/_ping"), AbortSignal.NEVER))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("did not answer GET /_ping in time");
    }

    @Test
    void abort_endsABlockedRead_andSaysWhy() throws Exception {
        DockerEngineClient client = answering(null);
        AbortSignal abort = new AbortSignal();
        EngineRequest forever = EngineRequest.get("/containers/x/logs").withReadTimeout(Duration.ZERO);
        Thread canceller = new Thread(() -> {
            try {
                requestRead.await(5, java.util.concurrent.TimeUnit.SECONDS);
                abort.abort(AbortSignal.Reason.CANCELLED);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        canceller.start();

        assertThatThrownBy(() -> client.call(forever, abort))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("stopped (cancelled)");
        canceller.join(5000);
    }

    @Test
    void logStream_isSplitIntoStdoutAndStderr() throws Exception {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.writeBytes(new byte[] {1, 0, 0, 0, 0, 0, 0, 4});
        frames.writeBytes("out\n".getBytes(StandardCharsets.UTF_8));
        frames.writeBytes(new byte[] {2, 0, 0, 0, 0, 0, 0, 4});
        frames.writeBytes("err\n".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        long bytes = LogStreamDemultiplexer.copy(new java.io.ByteArrayInputStream(frames.toByteArray()), out, err);

        assertThat(bytes).isEqualTo(8);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("out\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("err\n");
        assertThatThrownBy(() -> LogStreamDemultiplexer.copy(new java.io.ByteArrayInputStream(new byte[] {1, 0, 0, 0, 0, 0, 0, 9, 'x'}),
                out, err)).hasMessageContaining("ended inside a frame");
    }

    @Test
    void wholeNumbers_goToTheEngineAsIntegers() {
        com.google.protobuf.Struct body = com.google.protobuf.Struct.newBuilder()
                .putFields("NanoCpus", CreateRequestBuilder.number(5e8))
                .putFields("Ratio", CreateRequestBuilder.number(0.25))
                .putFields("Name", CreateRequestBuilder.string("a\"b"))
                .build();

        assertThat(EngineJson.print(body)).isEqualTo("{\"NanoCpus\":500000000,\"Ratio\":0.25,\"Name\":\"a\\\"b\"}");
    }
}
