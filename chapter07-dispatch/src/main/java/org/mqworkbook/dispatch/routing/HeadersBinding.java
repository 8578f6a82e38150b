package org.mqworkbook.dispatch.routing;

import java.util.Map;
import java.util.Objects;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * One binding of a headers exchange: a queue and the header values it asks for (exercise 7.4). The
 * binding argument {@code x-match} says how many must match:
 * <ul>
 *   <li>{@code all} (the default, as in RabbitMQ): every other argument must be a header of the message
 *       with an equal value;</li>
 *   <li>{@code any}: at least one must.</li>
 * </ul>
 * Arguments whose name starts with {@code x-} are instructions to the broker, not values to match:
 * RabbitMQ leaves them out of the comparison (its own test binds {@code x-key-1} next to {@code x-match}
 * with the note "bindings starting with x- get filtered out"), and so does this class. RabbitMQ 3.10
 * added {@code all-with-x} and {@code any-with-x} for the rare case that wants them compared; the
 * workbook rejects those, like any other unknown {@code x-match}, when the binding is made.
 *
 * <p>Header values are strings here; RabbitMQ's are typed AMQP field values, and a binding argument
 * with no value matches on the header's presence alone.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param queue the queue a matching message goes to
 * @param arguments the binding arguments, {@code x-match} included
 * @param all whether {@code x-match} is {@code all} ({@code false}: {@code any})
 */
public record HeadersBinding(String queue, Map<String, String> arguments, boolean all) {
    /** The binding argument that chooses between {@code all} and {@code any}. */
    public static final String X_MATCH = "x-match";

    /** Copies the arguments, so that a caller changing its map later does not change the binding. */
    public HeadersBinding {
        Objects.requireNonNull(queue, "queue");
        arguments = Map.copyOf(arguments);
    }

    /**
     * The binding of {@code queue} with {@code arguments}, whose {@code x-match} is {@code all},
     * {@code any} or absent ({@code all}).
     *
     * @throws IllegalArgumentException for any other {@code x-match}, naming it
     */
    public static HeadersBinding of(String queue, Map<String, String> arguments) {
        String match = arguments.getOrDefault(X_MATCH, "all");
        return switch (match) {
            case "all" -> new HeadersBinding(queue, arguments, true);
            case "any" -> new HeadersBinding(queue, arguments, false);
            default -> throw new IllegalArgumentException("x-match must be 'all' or 'any', but the binding of queue '"
                + queue + "' has x-match '" + match + "'");
        };
    }

    /**
     * Whether a message with these {@code headers} follows this binding. Skip arguments starting with
     * {@code x-}; compare the others with the header of the same name ({@link Objects#equals}: a missing
     * header never equals a value). With {@code all}, an argument that does not match decides
     * {@code false}; with {@code any}, one that matches decides {@code true}.
     */
    public boolean matches(Map<String, String> headers) {
        // BEGIN EXERCISE 7.4
        throw new ExerciseNotDone("7.4");
        // END EXERCISE 7.4
    }
}
