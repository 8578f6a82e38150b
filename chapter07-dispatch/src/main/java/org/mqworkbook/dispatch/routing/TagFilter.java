package org.mqworkbook.dispatch.routing;

import java.util.LinkedHashSet;
import java.util.Set;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * A RocketMQ subscription expression of the tag kind (exercise 7.5): {@code "TagA || TagB"} accepts
 * messages tagged {@code TagA} or {@code TagB}; {@code "*"} accepts every message. The broker evaluates
 * it before delivery, so a consumer never receives, and the network never carries, what it did not ask
 * for.
 *
 * <p>A message without a tag (a {@code null} or empty tag) is accepted only by {@code "*"}. That is what
 * RocketMQ ends up doing, in two steps: the broker compares tag hash codes stored in the consume queue
 * (cheap, but two tags can share a hash code, and a tagless message is stored with code 0), so the
 * client's {@code PullAPIWrapper} checks the tag string again and drops messages whose
 * {@code getTags()} is {@code null} unless the subscription is {@code "*"}. The workbook compares the
 * strings on the broker directly, so one check gives the final answer.
 *
 * <p>Parsing is stricter than RocketMQ's {@code FilterAPI}: RocketMQ treats a {@code null} or empty
 * expression as {@code "*"} and silently skips empty alternatives ({@code "TagA ||"}), so a typo
 * subscribes to more than was meant. Here those are errors. Whitespace around a tag is ignored, as in
 * RocketMQ.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TagFilter {
    /** The expression that accepts every message, tagged or not. */
    public static final String ALL = "*";

    private final String expression;
    /** The accepted tags; empty means {@link #ALL}. */
    private final Set<String> tags;

    private TagFilter(String expression, Set<String> tags) {
        this.expression = expression;
        this.tags = Set.copyOf(tags);
    }

    /**
     * Parses a subscription expression: {@code "*"} alone, or one or more tags separated by {@code ||}.
     * A tag is any text without whitespace or {@code |}; whitespace around tags and around the whole
     * expression is ignored.
     *
     * @throws IllegalArgumentException for a {@code null}, empty or blank expression, an empty
     *                                  alternative ({@code "TagA ||"}, {@code "TagA |||| TagB"}), a single
     *                                  {@code |}, a tag with whitespace inside, or {@code *} mixed with
     *                                  tags; the message names the expression
     */
    public static TagFilter parse(String expression) {
        // BEGIN EXERCISE 7.5
        throw new ExerciseNotDone("7.5");
        // END EXERCISE 7.5
    }

    /** Whether a message tagged {@code tag} ({@code null} or empty: untagged) is delivered. */
    public boolean accepts(String tag) {
        // BEGIN EXERCISE 7.5
        throw new ExerciseNotDone("7.5");
        // END EXERCISE 7.5
    }

    /**
     * Checks a producer's tag: the same rule as a tag in an expression (non-empty, no whitespace, no
     * {@code |}, not {@code *}), and at most 255 characters, so that every tag can be subscribed to.
     *
     * @throws IllegalArgumentException naming the tag if it breaks the rule
     */
    public static void requireLegalTag(String tag) {
        if (tag.isEmpty() || tag.length() > 255 || tag.equals(ALL) || tag.contains("|")
            || tag.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("illegal tag '" + tag + "': use 1 to 255 characters without "
                + "whitespace or '|', and not '*'");
        }
    }

    /** The expression as it was written. */
    public String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return "TagFilter[" + expression + "]";
    }
}
