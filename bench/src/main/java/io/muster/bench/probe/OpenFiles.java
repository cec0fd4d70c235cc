package io.muster.bench.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A process's open file descriptors (files, sockets, pipes): the entries of {@code /proc/<pid>/fd},
 * what a leaked connection or stream grows. Linux only. Thread-safe.
 */
public final class OpenFiles {

    private OpenFiles() {
    }

    /** Open file descriptors; empty when the process is gone. */
    public static OptionalLong count(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return OptionalLong.of(fds.count());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
