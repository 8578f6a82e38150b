package org.mqworkbook.dispatch.routing;

import java.util.Objects;

/**
 * The value of a message header or of a headers-exchange binding argument: a string, a whole number, a
 * floating-point number, a boolean, or <em>void</em> (no value). AMQP 0-9-1 headers are typed field
 * values, and RabbitMQ's headers exchange compares them by value: a header {@code size=9} (a number)
 * does not match an argument {@code size="9"} (a string).
 *
 * <p>Equality for routing is {@link #sameValueAs}, RabbitMQ's: its matcher compares values with Erlang's
 * {@code ==}, which compares numbers arithmetically, so the integer 9 equals the float 9.0, while a
 * number never equals a string and {@code true} never equals {@code "true"}. A void argument matches
 * on the header's presence alone, whatever its value ({@link HeadersBinding}).
 *
 * <p>What AMQP also has and the workbook leaves out: decimals, timestamps, byte arrays, nested tables and
 * arrays. They are rare in bindings (an operator binds on a format, a region, a priority), and each needs
 * an equality rule of its own (RabbitMQ compares a timestamp as its integer, so a timestamp equals the
 * number of the same seconds, which is more surprising than useful to teach).
 *
 * <p>Instances are immutable and thread-safe.
 */
public sealed interface HeaderValue {
    /** The void value: a binding argument with it matches any header of that name. */
    HeaderValue VOID = new NoValue();

    /** A string value, compared exactly (case included). */
    record Text(String value) implements HeaderValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A whole number (AMQP's signed and unsigned integers of every width fit a {@code long}). */
    record Integral(long value) implements HeaderValue {
    }

    /** A floating-point number (AMQP's float and double). */
    record Floating(double value) implements HeaderValue {
    }

    /** A boolean. */
    record Bool(boolean value) implements HeaderValue {
    }

    /** No value (AMQP's field type {@code V}); use {@link #VOID}. */
    record NoValue() implements HeaderValue {
    }

    /** A string value. */
    static HeaderValue of(String value) {
        return new Text(value);
    }

    /** A whole-number value. */
    static HeaderValue of(long value) {
        return new Integral(value);
    }

    /** A floating-point value. */
    static HeaderValue of(double value) {
        return new Floating(value);
    }

    /** A boolean value. */
    static HeaderValue of(boolean value) {
        return new Bool(value);
    }

    /**
     * The header value for a plain Java value, as an AMQP client library maps them: {@code String},
     * {@code Byte}/{@code Short}/{@code Integer}/{@code Long}, {@code Float}/{@code Double},
     * {@code Boolean}, and {@code null} for void.
     *
     * @throws IllegalArgumentException for any other type, naming it
     */
    static HeaderValue from(Object value) {
        if (value == null) {
            return VOID;
        }
        if (value instanceof HeaderValue header) {
            return header;
        }
        if (value instanceof String text) {
            return new Text(text);
        }
        if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
            return new Integral(((Number) value).longValue());
        }
        if (value instanceof Float || value instanceof Double) {
            return new Floating(((Number) value).doubleValue());
        }
        if (value instanceof Boolean bool) {
            return new Bool(bool);
        }
        throw new IllegalArgumentException("a header value must be a string, a whole or floating-point number, a "
            + "boolean or null (void), not a " + value.getClass().getName() + " (" + value + ")");
    }

    /**
     * Whether this value and {@code other} are the same value for routing, as RabbitMQ's headers exchange
     * decides it: numbers by arithmetic value across {@link Integral} and {@link Floating} (9 equals 9.0);
     * otherwise the same kind and an equal value. Void equals void.
     */
    default boolean sameValueAs(HeaderValue other) {
        Objects.requireNonNull(other, "other");
        if (this instanceof Integral a && other instanceof Floating b) {
            return sameNumber(a.value(), b.value());
        }
        if (this instanceof Floating a && other instanceof Integral b) {
            return sameNumber(b.value(), a.value());
        }
        if (this instanceof Floating a && other instanceof Floating b) {
            return a.value() == b.value(); // not equals(): 0.0 and -0.0 are the same number, as in Erlang
        }
        return equals(other);
    }

    /** Whether a whole number and a double are the same number, without rounding the long into a double. */
    private static boolean sameNumber(long whole, double floating) {
        return floating == Math.rint(floating) && floating >= -0x1p63 && floating < 0x1p63 && (long) floating == whole;
    }
}
