package io.muster.cli.address;

import picocli.CommandLine;

/** Validates a {@code HOST:PORT} option value and hands it on in its normal written form. */
public final class HostPortConverter implements CommandLine.ITypeConverter<String> {

    @Override
    public String convert(String value) {
        try {
            return HostPort.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
