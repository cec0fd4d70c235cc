package io.muster.controller.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time given as a query parameter: an ISO-8601 instant ({@code 2026-12-01T00:00:00Z})
 * or an age before now ({@code 7d}, {@code 12h}, {@code 30m}, {@code 45s}); anything else is a 400.
 */
public final class TimeParameter {

    private static final Pattern AGE = Pattern.compile("(\\d{1,6})([smhd])");

    private TimeParameter() {
    }

    /**
     * The instant, or null when {@code text} is null or blank.
     *
     * @param name the parameter's name, for the problem's detail
     * @throws ProblemException 400 invalid-time naming the parameter
     */
    public static Instant parse(String name, String text, Clock clock) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Matcher age = AGE.matcher(text.strip());
        if (age.matches()) {
            long n = Long.parseLong(age.group(1));
            Duration ago = switch (age.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(ago);
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new ProblemException(Problem.badRequest("invalid-time", "'" + name + "' must be an ISO-8601 instant "
                    + "(2026-12-01T00:00:00Z) or an age like 7d, 12h, 30m; got '" + text + "'"));
        }
    }
}
