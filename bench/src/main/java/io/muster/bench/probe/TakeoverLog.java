package io.muster.bench.probe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a surviving member logged about a departed member: when it saw the member leave (its
 * failure detector's verdict) and when every partition had a live owner again. The controller
 * writes both as epoch milliseconds ({@code io.muster.controller.cluster.Ownership}), so this does
 * not depend on the log pattern. Immutable, thread-safe.
 *
 * @param seenLeftAtMillis   epoch millis the member saw the departure, or -1 if not logged
 * @param reownedAtMillis    epoch millis every partition had a live owner again, or -1 if not logged
 */
public record TakeoverLog(long seenLeftAtMillis, long reownedAtMillis) {

    /** Reads the first departure of {@code departedId} in a member's log (a missing file reads as nothing logged). */
    public static TakeoverLog read(Path log, String departedId) throws IOException {
        if (!Files.isRegularFile(log)) {
            return new TakeoverLog(-1, -1);
        }
        return parse(Files.readAllLines(log, StandardCharsets.UTF_8), departedId);
    }

    static TakeoverLog parse(List<String> lines, String departedId) {
        Pattern left = Pattern.compile("member " + Pattern.quote(departedId) + " left the cluster; seen at epochMillis=(\\d+)");
        Pattern reowned = Pattern.compile("partitions of member " + Pattern.quote(departedId) + " re-owned; at epochMillis=(\\d+)");
        long leftAt = -1;
        long reownedAt = -1;
        for (String line : lines) {
            if (leftAt < 0) {
                leftAt = first(left, line).orElse(-1);
            }
            if (reownedAt < 0) {
                reownedAt = first(reowned, line).orElse(-1);
            }
        }
        return new TakeoverLog(leftAt, reownedAt);
    }

    private static OptionalLong first(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    public OptionalLong seenLeftAt() {
        return seenLeftAtMillis < 0 ? OptionalLong.empty() : OptionalLong.of(seenLeftAtMillis);
    }

    public OptionalLong reownedAt() {
        return reownedAtMillis < 0 ? OptionalLong.empty() : OptionalLong.of(reownedAtMillis);
    }
}
