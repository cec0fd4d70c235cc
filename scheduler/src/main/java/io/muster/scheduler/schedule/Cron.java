package io.muster.scheduler.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a schedule fires: a standard 5-field cron expression (minute hour day-of-month month
 * day-of-week, evaluated in a time zone by cron-utils), or {@code @every <n>s|m|h|d}: every period
 * from an anchor (the schedule's creation, whole seconds). Pure: "now" is always an argument.
 * Immutable and thread-safe.
 */
public final class Cron {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Pattern EVERY = Pattern.compile("@every\\s+(\\d+)\\s*([smhd])", Pattern.CASE_INSENSITIVE);

    private final String text;
    private final ExecutionTime cron;
    private final Duration every;
    private final ZoneId zone;
    private final Instant anchor;

    private Cron(String text, ExecutionTime cron, Duration every, ZoneId zone, Instant anchor) {
        this.text = text;
        this.cron = cron;
        this.every = every;
        this.zone = zone;
        this.anchor = anchor;
    }

    /**
     * @param anchor where {@code @every} periods start (ignored for cron expressions)
     * @throws IllegalArgumentException with a sentence saying what is wrong with the expression
     */
    public static Cron parse(String text, ZoneId zone, Instant anchor) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a cron expression is required, e.g. \"*/30 * * * *\" or \"@every 10m\"");
        }
        String trimmed = text.trim();
        Matcher every = EVERY.matcher(trimmed);
        if (every.matches()) {
            long amount = Long.parseLong(every.group(1));
            Duration period = switch (every.group(2).toLowerCase(Locale.ROOT)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (period.isZero()) {
                throw new IllegalArgumentException("@every needs a period of at least one second");
            }
            return new Cron(trimmed, null, period, zone, anchor.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        if (trimmed.startsWith("@")) {
            throw new IllegalArgumentException("'" + trimmed + "' is not supported: use 5 cron fields or @every <n>s|m|h|d");
        }
        if (trimmed.split("\\s+").length != 5) {
            throw new IllegalArgumentException("'" + trimmed + "' must have 5 fields: minute hour day-of-month month day-of-week");
        }
        try {
            return new Cron(trimmed, ExecutionTime.forCron(UNIX.parse(trimmed).validate()), null, zone, anchor);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a valid cron expression: " + e.getMessage());
        }
    }

    /** The latest tick at or before {@code now}, if any (a tick is never before the anchor for @every). */
    public Optional<Instant> latestAtOrBefore(Instant now) {
        if (every != null) {
            if (now.isBefore(anchor.plus(every))) {
                return Optional.empty();
            }
            long periods = Duration.between(anchor, now).toMillis() / every.toMillis();
            return Optional.of(anchor.plus(every.multipliedBy(periods)));
        }
        ZonedDateTime at = now.atZone(zone);
        // cron-utils' lastExecution is strictly before its argument.
        if (cron.isMatch(at.withNano(0)) && at.getSecond() == 0) {
            return Optional.of(at.withNano(0).toInstant());
        }
        return cron.lastExecution(at).map(ZonedDateTime::toInstant);
    }

    /** The first tick strictly after {@code after}. */
    public Optional<Instant> nextAfter(Instant after) {
        if (every != null) {
            if (after.isBefore(anchor.plus(every))) {
                return Optional.of(anchor.plus(every));
            }
            return latestAtOrBefore(after).map(t -> t.plus(every));
        }
        return cron.nextExecution(after.atZone(zone)).map(ZonedDateTime::toInstant);
    }

    /** The next {@code count} ticks after {@code after}. */
    public List<Instant> next(Instant after, int count) {
        List<Instant> ticks = new ArrayList<>(count);
        Instant from = after;
        for (int i = 0; i < count; i++) {
            Optional<Instant> next = nextAfter(from);
            if (next.isEmpty()) {
                break;
            }
            ticks.add(next.get());
            from = next.get();
        }
        return ticks;
    }

    @Override
    public String toString() {
        return text;
    }
}
