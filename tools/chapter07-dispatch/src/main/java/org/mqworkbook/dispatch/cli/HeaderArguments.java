package org.mqworkbook.dispatch.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mqworkbook.dispatch.routing.HeaderValue;
import picocli.CommandLine;

/**
 * {@code --header name=value} options, typed as RabbitMQ's headers are: {@code 9} is a whole number,
 * {@code 9.5} a floating-point number, {@code true}/{@code false} a boolean, {@code name=} with nothing
 * after it the void value (it matches any value of a header that is present), anything else text; to send
 * a number as text, put it in single quotes that reach the program: {@code --header "name='9'"} in a
 * shell. Stateless.
 */
final class HeaderArguments {
    private HeaderArguments() {
    }

    /**
     * The headers of {@code --header} options, in order.
     *
     * @throws CommandLine.ParameterException (a usage error) for an option without {@code =} or a name given twice
     */
    static Map<String, HeaderValue> parse(CommandLine command, List<String> options) {
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        for (String option : options == null ? List.<String>of() : options) {
            int equals = option.indexOf('=');
            if (equals <= 0) {
                throw new CommandLine.ParameterException(command, "'" + option + "' is not a header: use "
                    + "--header name=value");
            }
            String name = option.substring(0, equals);
            if (headers.put(name, value(option.substring(equals + 1))) != null) {
                throw new CommandLine.ParameterException(command, "header '" + name + "' is given twice");
            }
        }
        return headers;
    }

    private static HeaderValue value(String text) {
        if (text.isEmpty()) {
            return new HeaderValue.NoValue();
        }
        if (text.length() >= 2 && text.startsWith("'") && text.endsWith("'")) {
            return new HeaderValue.Text(text.substring(1, text.length() - 1));
        }
        if (text.equals("true") || text.equals("false")) {
            return new HeaderValue.Bool(Boolean.parseBoolean(text));
        }
        try {
            return new HeaderValue.Integral(Long.parseLong(text));
        } catch (NumberFormatException notWhole) {
            try {
                double number = Double.parseDouble(text);
                if (!Double.isNaN(number) && !Double.isInfinite(number) && text.matches("[-+]?[0-9.eE+-]+")) {
                    return new HeaderValue.Floating(number);
                }
            } catch (NumberFormatException notNumber) {
                // text, below
            }
        }
        return new HeaderValue.Text(text);
    }
}
