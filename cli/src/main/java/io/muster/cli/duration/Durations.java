package io.muster.cli.duration;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line: a positive whole number and a unit,
 * {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}. Pure and thread-safe.
 */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message that quotes the text and shows the form
     */
    public static Duration parse(String text) {
        Matcher matcher = FORM.matcher(text == null ? "" : text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a duration like 500ms, 10s, 2m or 1h, got '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        if (amount == 0) {
            throw new IllegalArgumentException("a duration must be more than zero, got '" + text + "'");
        }
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The shortest exact form {@link #parse} accepts: 90 s is "90s", 2 min is "2m". */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
