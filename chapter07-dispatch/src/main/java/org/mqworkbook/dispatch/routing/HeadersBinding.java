package org.mqworkbook.dispatch.routing;

import java.util.Map;
import java.util.Objects;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * One binding of a headers exchange: a queue and the header values it asks for (exercise 7.4). The
 * binding argument {@code x-match} says how many must match, and whether arguments whose name starts
 * with {@code x-} take part:
 * <ul>
 *   <li>{@code all} (the default, as in RabbitMQ): every argument must match a header of the message;</li>
 *   <li>{@code any}: at least one must;</li>
 *   <li>{@code all-with-x}, {@code any-with-x} (RabbitMQ 3.10): the same, but arguments starting with
 *       {@code x-} are compared too.</li>
 * </ul>
 * With plain {@code all} and {@code any}, arguments starting with {@code x-} are instructions to the
 * broker, not values to match: RabbitMQ leaves them out of the comparison (its own test binds
 * {@code x-key-1} next to {@code x-match} with the note "bindings starting with x- get filtered out").
 * {@code x-match} itself is never compared. {@code all} with nothing to compare matches every message,
 * {@code any} with nothing to compare matches none.
 *
 * <p>An argument <em>matches</em> a header of the same name if the argument is {@link HeaderValue#VOID}
 * (presence is enough) or the two are {@link HeaderValue#sameValueAs the same value}: typed, so the
 * number 9 does not match the string "9". A header the argument does not name never matters.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param queue the queue a matching message goes to
 * @param arguments the binding arguments, {@code x-match} included
 * @param match what {@code x-match} asks for
 */
public record HeadersBinding(String queue, Map<String, HeaderValue> arguments, Match match) {
    /** The binding argument that chooses the kind of match. */
    public static final String X_MATCH = "x-match";

    /** The values of {@code x-match}, as RabbitMQ spells them. */
    public enum Match {
        ALL("all", true, false),
        ANY("any", false, false),
        ALL_WITH_X("all-with-x", true, true),
        ANY_WITH_X("any-with-x", false, true);

        private final String spelling;
        private final boolean all;
        private final boolean withX;

        Match(String spelling, boolean all, boolean withX) {
            this.spelling = spelling;
            this.all = all;
            this.withX = withX;
        }

        /** Whether every argument must match ({@code false}: one is enough). */
        public boolean all() {
            return all;
        }

        /** Whether arguments whose name starts with {@code x-} (except {@code x-match}) are compared. */
        public boolean withX() {
            return withX;
        }

        /** {@code "all-with-x"} for {@link #ALL_WITH_X}. */
        public String spelling() {
            return spelling;
        }
    }

    /** Copies the arguments, so that a caller changing its map later does not change the binding. */
    public HeadersBinding {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(match, "match");
        arguments = Map.copyOf(arguments);
    }

    /**
     * The binding of {@code queue} with {@code arguments}, whose {@code x-match} is one of
     * {@link Match}'s spellings, or absent ({@code all}).
     *
     * @throws IllegalArgumentException for any other {@code x-match}, or one that is not a string, naming it
     */
    public static HeadersBinding of(String queue, Map<String, HeaderValue> arguments) {
        HeaderValue given = arguments.get(X_MATCH);
        if (given == null) {
            return new HeadersBinding(queue, arguments, Match.ALL);
        }
        if (given instanceof HeaderValue.Text text) {
            for (Match match : Match.values()) {
                if (match.spelling().equals(text.value())) {
                    return new HeadersBinding(queue, arguments, match);
                }
            }
        }
        throw new IllegalArgumentException("x-match must be the string all, any, all-with-x or any-with-x, but the "
            + "binding of queue '" + queue + "' has x-match " + given);
    }

    /**
     * Whether a message with these {@code headers} follows this binding. Go through the arguments: skip
     * {@code x-match}, and skip the other names starting with {@code x-} unless the match is
     * {@link Match#withX() with x}. An argument matches as the class comment says (a missing header never
     * matches). With {@link Match#all() all}, an argument that does not match decides {@code false}; with
     * any, one that matches decides {@code true}.
     */
    public boolean matches(Map<String, HeaderValue> headers) {
        // BEGIN EXERCISE 7.4
        throw new ExerciseNotDone("7.4");
        // END EXERCISE 7.4
    }
}
