package io.muster.agent.task;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * One captured output stream of a run: keeps at most {@code limit} bytes in total, remembers when
 * more were written (truncated), and hands out what was written since the last {@link #drain()}
 * so that output streams to the controller in chunks. Thread-safe: the executor writes while the
 * runner's flusher drains.
 */
final class OutputCapture extends OutputStream {

    private final long limit;
    private long kept;
    private boolean truncated;
    private ByteArrayOutputStream chunk;

    OutputCapture(long limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        int room = (int) Math.min(length, limit - kept);
        if (room < length) {
            truncated = true;
        }
        if (room > 0) {
            if (chunk == null) {
                chunk = new ByteArrayOutputStream(Math.min(room, 8192));
            }
            chunk.write(bytes, offset, room);
            kept += room;
        }
    }

    /** Bytes written since the previous drain (empty array when none). */
    synchronized byte[] drain() {
        if (chunk == null || chunk.size() == 0) {
            return new byte[0];
        }
        byte[] bytes = chunk.toByteArray();
        chunk = null;
        return bytes;
    }

    synchronized boolean hasPending() {
        return chunk != null && chunk.size() > 0;
    }

    synchronized boolean truncated() {
        return truncated;
    }
}
