package io.muster.cli.duration;

import java.time.Duration;
import picocli.CommandLine;

/** Lets picocli options take {@link Durations} ("10s"); a bad value is a usage error. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
