package io.muster.agent.task.container;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Decodes an HTTP/1.1 chunked body (RFC 9112 section 7.1); trailers are read and dropped. */
final class ChunkedInputStream extends InputStream {

    private final InputStream in;
    private long remaining;
    private boolean done;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (done) {
            return -1;
        }
        if (remaining == 0) {
            remaining = nextChunkSize();
            if (remaining == 0) {
                skipTrailers();
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("connection closed inside a chunk");
        }
        remaining -= n;
        if (remaining == 0) {
            expectLineEnd();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private long nextChunkSize() throws IOException {
        String line = HttpLines.readLine(in);
        if (line == null) {
            throw new EOFException("connection closed before the next chunk");
        }
        int ext = line.indexOf(';');
        String hex = (ext >= 0 ? line.substring(0, ext) : line).trim();
        try {
            long size = Long.parseLong(hex, 16);
            if (size < 0) {
                throw new NumberFormatException(hex);
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size line from engine: '" + line + "'");
        }
    }

    private void expectLineEnd() throws IOException {
        String line = HttpLines.readLine(in);
        if (line == null || !line.isEmpty()) {
            throw new IOException("chunk not followed by CRLF");
        }
    }

    private void skipTrailers() throws IOException {
        String line;
        do {
            line = HttpLines.readLine(in);
        } while (line != null && !line.isEmpty());
    }
}
