package io.muster.agent.task.container;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Splits the engine's multiplexed log stream (containers without a TTY) into stdout and stderr.
 * Each frame is an 8-byte header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes,
 * big-endian payload length — followed by the payload.
 */
final class LogStreamDemultiplexer {

    private LogStreamDemultiplexer() {
    }

    /** Copies frames until the stream ends; returns the number of payload bytes copied. */
    static long copy(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        byte[] header = new byte[8];
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        while (readHeader(in, header)) {
            int type = header[0];
            long length = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                    | (header[7] & 0xff);
            if (type < 0 || type > 2 || header[1] != 0 || header[2] != 0 || header[3] != 0) {
                throw new IOException("log stream out of step: bad frame header");
            }
            OutputStream target = type == 2 ? stderr : stdout;
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new EOFException("log stream ended inside a frame");
                }
                target.write(buffer, 0, n);
                left -= n;
            }
            target.flush();
            total += length;
        }
        return total;
    }

    /** Reads a whole header; false at a clean end of stream between frames. */
    private static boolean readHeader(InputStream in, byte[] header) throws IOException {
        int read = 0;
        while (read < header.length) {
            int n = in.read(header, read, header.length - read);
            if (n < 0) {
                if (read == 0) {
                    return false;
                }
                throw new EOFException("log stream ended inside a frame header");
            }
            read += n;
        }
        return true;
    }
}
