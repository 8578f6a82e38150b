package org.mqworkbook.dispatch.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration the way people type one: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601
 * ({@code PT1.5S}) for anything else. Immutable.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        Matcher m = SHORT.matcher(value.trim());
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "h":
                    return Duration.ofHours(amount);
                default:
                    return Duration.ofMinutes(amount);
            }
        }
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not a duration: write 500ms, 10s, 2m, 1h or PT1.5S");
        }
    }

    /** Prints a duration back in the short form when it has one, for messages. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        return millis / 1000 + "s";
    }
}
