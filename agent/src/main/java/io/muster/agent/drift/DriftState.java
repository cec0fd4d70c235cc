package io.muster.agent.drift;

import io.muster.proto.v1.HostEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What the drift watch reported last and which of its events the controller has not acknowledged,
 * kept in {@code <dataDir>/drift/state} so that an agent restart neither reports the same drift
 * again nor loses an event the controller never recorded.
 *
 * <p>One file, written whole and moved into place atomically after every change: a header line
 * {@code <generation> <digest>} and the unacknowledged events, length-delimited. Keeping both in
 * one file means a crash can never leave a new report counted without its event (or the reverse).
 * Not thread-safe: the {@link DriftWatch} serialises its use.
 *
 * @param generation number of reports made so far (0: none)
 * @param digest     digest of the drift set last reported (the empty set's when none was)
 * @param pending    events not yet acknowledged, oldest first
 */
record DriftState(long generation, String digest, List<HostEvent> pending) {

    static final String FILE = "state";

    DriftState {
        pending = List.copyOf(pending);
    }

    static DriftState initial(String emptyDigest) {
        return new DriftState(0, emptyDigest, List.of());
    }

    /** The saved state, or {@code initial} when none was saved (or the file is unreadable, which is logged by the caller). */
    static DriftState load(Path dir, DriftState initial) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve(FILE));
        } catch (NoSuchFileException e) {
            return initial;
        }
        int newline = indexOf(bytes, (byte) '\n');
        if (newline < 0) {
            throw new IOException("drift state " + dir.resolve(FILE) + " has no header line");
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
        if (header.length != 2) {
            throw new IOException("drift state " + dir.resolve(FILE) + " has a malformed header");
        }
        long generation;
        try {
            generation = Long.parseLong(header[0]);
        } catch (NumberFormatException e) {
            throw new IOException("drift state " + dir.resolve(FILE) + " has a malformed generation", e);
        }
        List<HostEvent> events = new ArrayList<>();
        InputStream in = new ByteArrayInputStream(bytes, newline + 1, bytes.length - newline - 1);
        HostEvent event;
        while ((event = HostEvent.parseDelimitedFrom(in)) != null) {
            events.add(event);
        }
        return new DriftState(generation, header[1], events);
    }

    void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((generation + " " + digest + "\n").getBytes(StandardCharsets.US_ASCII));
        for (HostEvent event : pending) {
            event.writeDelimitedTo(out);
        }
        Path temp = dir.resolve(FILE + ".tmp");
        Files.write(temp, out.toByteArray(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        Files.move(temp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
