package org.mqworkbook.dispatch.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An Amazon SNS-style subscription filter policy on a message's attributes: for every attribute name in
 * the policy (AND across names) at least one of its conditions must hold (OR within a name). Given code:
 * it shows a third way to choose messages, beside RabbitMQ's headers exchange (exercise 7.4) and
 * RocketMQ's tags (exercise 7.5). Immutable and thread safe.
 *
 * <pre>
 *  policy                                           message attributes                        match
 *  color: ["red", {prefix: "bl"}]                   color=blue, size=12                       yes
 *  size:  [{numeric: [">", 0, "<=", 10]}]           color=blue, size=12                       no (AND)
 *  store: [{exists: false}]                         color=red                                 yes
 *  color: [{anything-but: ["red"]}]                 (no color)                                no
 * </pre>
 *
 * <p>Where it differs from the headers exchange: conditions are typed by the attribute's type (a string
 * condition never matches a {@code Number} attribute, {@code 9} never equals {@code "9"}); a condition
 * about a name the message lacks fails, except {@code exists: false}, and so does {@code anything-but}
 * (SNS requires the attribute); a {@code String.Array} attribute matches if any of its elements does.
 * Numbers are compared as numbers ({@code 5} equals {@code 5.0}), within SNS's range of ±10⁹.
 *
 * <p>Bounded, as SNS bounds it: at most {@link #MAX_NAMES} names and {@link #MAX_COMBINATIONS} for the
 * product of each name's condition count, so that matching one message costs a few hundred comparisons
 * whatever a subscriber wrote. The JSON form SNS reads is left out: the conditions are built in Java.
 */
public final class FilterPolicy {
    /** SNS allows 5 attribute names per policy. */
    public static final int MAX_NAMES = 5;
    /** SNS's limit on the product of the numbers of conditions of every name. */
    public static final int MAX_COMBINATIONS = 150;
    /** SNS's numbers lie within ±10⁹. */
    public static final double MAX_MAGNITUDE = 1e9;

    /** A message attribute: SNS's {@code String}, {@code Number} and {@code String.Array} types. */
    public sealed interface Attribute {
        /** A string attribute. */
        record Text(String value) implements Attribute {
            /** Checks the value. */
            public Text {
                Objects.requireNonNull(value, "value");
            }
        }

        /** A number attribute, within ±{@link #MAX_MAGNITUDE}. */
        record Number(double value) implements Attribute {
            /** Checks the range. */
            public Number {
                checkNumber(value);
            }
        }

        /** A list of strings: matches a condition if any element does. */
        record TextArray(List<String> values) implements Attribute {
            /** Copies the list. */
            public TextArray {
                values = List.copyOf(values);
            }
        }
    }

    /** One condition on one attribute. */
    public sealed interface Condition {
        /** The attribute is the string {@code value}. */
        record Exact(String value) implements Condition {
        }

        /** The attribute is the number {@code value}. */
        record ExactNumber(double value) implements Condition {
        }

        /** The attribute is a string starting with {@code prefix}. */
        record Prefix(String prefix) implements Condition {
        }

        /** The attribute is a string ending with {@code suffix}. */
        record Suffix(String suffix) implements Condition {
        }

        /** The attribute is a string equal to {@code value} ignoring case. */
        record EqualsIgnoreCase(String value) implements Condition {
        }

        /** The attribute is present and none of {@code strings} nor of {@code numbers}. */
        record AnythingBut(Set<String> strings, Set<Double> numbers) implements Condition {
            /** Copies the sets. */
            public AnythingBut {
                strings = Set.copyOf(strings);
                numbers = Set.copyOf(numbers);
            }
        }

        /** The attribute is present and does not start with {@code prefix}. */
        record AnythingButPrefix(String prefix) implements Condition {
        }

        /** The attribute is a number within the range (a missing bound is open). */
        record NumericRange(Double lower, boolean lowerInclusive, Double upper, boolean upperInclusive)
            implements Condition {
            /** Checks the bounds. */
            public NumericRange {
                if (lower == null && upper == null) {
                    throw new IllegalArgumentException("a numeric range needs at least one bound");
                }
                if (lower != null) {
                    checkNumber(lower);
                }
                if (upper != null) {
                    checkNumber(upper);
                }
                if (lower != null && upper != null && lower > upper) {
                    throw new IllegalArgumentException("numeric range from " + lower + " to " + upper
                        + " is empty: its lower bound is above its upper bound");
                }
            }
        }

        /** The attribute is present ({@code true}) or absent ({@code false}). */
        record Exists(boolean present) implements Condition {
        }
    }

    private final Map<String, List<Condition>> conditions;

    private FilterPolicy(Map<String, List<Condition>> conditions) {
        this.conditions = conditions;
    }

    /**
     * A policy: each attribute name with its conditions, at least one each.
     *
     * @throws IllegalArgumentException over {@link #MAX_NAMES} names, a name without conditions, or more
     *                                  than {@link #MAX_COMBINATIONS} combinations
     */
    public static FilterPolicy of(Map<String, List<Condition>> conditions) {
        if (conditions.isEmpty() || conditions.size() > MAX_NAMES) {
            throw new IllegalArgumentException("a filter policy names 1 to " + MAX_NAMES + " attributes, not "
                + conditions.size());
        }
        Map<String, List<Condition>> copy = new LinkedHashMap<>();
        long combinations = 1;
        for (Map.Entry<String, List<Condition>> entry : conditions.entrySet()) {
            if (entry.getValue().isEmpty()) {
                throw new IllegalArgumentException("attribute '" + entry.getKey() + "' has no condition: it could "
                    + "never match; leave it out instead");
            }
            combinations *= entry.getValue().size();
            copy.put(entry.getKey(), List.copyOf(new ArrayList<>(entry.getValue())));
        }
        if (combinations > MAX_COMBINATIONS) {
            throw new IllegalArgumentException("the policy has " + combinations + " combinations of conditions, "
                + "more than " + MAX_COMBINATIONS + " (the product of each attribute's number of conditions)");
        }
        return new FilterPolicy(Map.copyOf(copy));
    }

    /** Whether a message with these attributes passes the policy. */
    public boolean matches(Map<String, Attribute> attributes) {
        for (Map.Entry<String, List<Condition>> entry : conditions.entrySet()) {
            Attribute attribute = attributes.get(entry.getKey());
            boolean any = false;
            for (Condition condition : entry.getValue()) {
                if (holds(condition, attribute)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false; // AND across names
            }
        }
        return true;
    }

    private static boolean holds(Condition condition, Attribute attribute) {
        if (condition instanceof Condition.Exists exists) {
            return exists.present() == (attribute != null);
        }
        if (attribute == null) {
            return false; // every other condition needs the attribute, anything-but too
        }
        if (attribute instanceof Attribute.TextArray array) {
            for (String element : array.values()) {
                if (holds(condition, new Attribute.Text(element))) {
                    return true;
                }
            }
            return false;
        }
        if (attribute instanceof Attribute.Number number) {
            double value = number.value();
            if (condition instanceof Condition.ExactNumber exact) {
                return exact.value() == value; // as numbers: 5 equals 5.0, and 0 equals -0
            }
            if (condition instanceof Condition.NumericRange range) {
                boolean aboveLower = range.lower() == null
                    || (range.lowerInclusive() ? value >= range.lower() : value > range.lower());
                boolean belowUpper = range.upper() == null
                    || (range.upperInclusive() ? value <= range.upper() : value < range.upper());
                return aboveLower && belowUpper;
            }
            if (condition instanceof Condition.AnythingBut but) {
                return but.numbers().stream().noneMatch(excluded -> excluded == value);
            }
            return false; // string conditions never match a number
        }
        String text = ((Attribute.Text) attribute).value();
        if (condition instanceof Condition.Exact exact) {
            return exact.value().equals(text);
        }
        if (condition instanceof Condition.Prefix prefix) {
            return text.startsWith(prefix.prefix());
        }
        if (condition instanceof Condition.Suffix suffix) {
            return text.endsWith(suffix.suffix());
        }
        if (condition instanceof Condition.EqualsIgnoreCase same) {
            return same.value().toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT));
        }
        if (condition instanceof Condition.AnythingBut but) {
            return !but.strings().contains(text);
        }
        if (condition instanceof Condition.AnythingButPrefix but) {
            return !text.startsWith(but.prefix());
        }
        return false; // numeric conditions never match a string
    }

    private static void checkNumber(double value) {
        if (Double.isNaN(value) || Math.abs(value) > MAX_MAGNITUDE) {
            throw new IllegalArgumentException("SNS numbers lie within ±" + (long) MAX_MAGNITUDE + ", not " + value);
        }
    }

    @Override
    public String toString() {
        return "FilterPolicy" + conditions;
    }
}
