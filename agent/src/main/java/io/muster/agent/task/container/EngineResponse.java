package io.muster.agent.task.container;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * An engine answer whose body is still on the wire, for streams (logs, load and pull progress).
 * The body is already de-chunked. Closing it closes the connection, which is also how a reader
 * that must stop early (cancel, timeout) ends the stream.
 *
 * <p>Threading: read on one thread; {@link #close()} may come from any thread.
 */
public final class EngineResponse implements Closeable {

    private final int status;
    private final Map<String, String> headers;
    private final InputStream body;
    private final Closeable onClose;

    EngineResponse(int status, Map<String, String> headers, InputStream body, Closeable onClose) {
        this.status = status;
        this.headers = Map.copyOf(headers);
        this.body = body;
        this.onClose = onClose;
    }

    public int status() {
        return status;
    }

    /** Header value by lower-case name, or null. */
    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    public InputStream body() {
        return body;
    }

    @Override
    public void close() throws IOException {
        onClose.close();
    }
}
