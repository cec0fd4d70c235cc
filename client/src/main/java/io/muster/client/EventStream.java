package io.muster.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A server-sent event stream, read as it arrives: {@link #hasNext()} blocks until the next event
 * or the end of the stream. Close it to hang up (a try-with-resources block). Not thread-safe.
 */
public final class EventStream implements Iterator<ServerEvent>, AutoCloseable {

    private final InputStream body;
    private final BufferedReader reader;
    private final String url;
    private ServerEvent next;
    private boolean ended;

    EventStream(InputStream body, String url) {
        this.body = body;
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        this.url = url;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            next = read();
            ended = next == null;
        }
        return next != null;
    }

    @Override
    public ServerEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ServerEvent event = next;
        next = null;
        return event;
    }

    /** The next event with data, or null at the end; comments and blocks without data are skipped. */
    private ServerEvent read() {
        String id = null;
        String event = "message";
        StringBuilder data = new StringBuilder();
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        return new ServerEvent(id, event, data.toString());
                    }
                    id = null;
                    event = "message";
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).strip());
                }
            }
            return null;
        } catch (IOException e) {
            throw new MusterException("the event stream from " + url + " broke: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        ended = true;
        try {
            body.close();
        } catch (IOException e) {
            // Hanging up: nothing more to read either way.
        }
    }
}
