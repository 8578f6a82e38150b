package org.mqworkbook.testkit.history;

import java.util.List;
import java.util.Objects;

/**
 * What {@link DeliveryHistory#check} found: every violation of the checked guarantee and ordering, by
 * category, and the totals of the history. Instances are immutable and thread safe.
 *
 * <p>The four categories are independent, and a message can appear in more than one (a phantom that
 * was consumed twice is also duplicated):
 *
 * <ul>
 *   <li><b>lost</b>: acknowledged by the broker but never consumed. Checked for
 *       {@link Guarantee#AT_LEAST_ONCE} and {@link Guarantee#EXACTLY_ONCE}.
 *   <li><b>duplicated</b>: consumed more than once where the guarantee forbids it; for
 *       {@code AT_LEAST_ONCE}, only when no failure was recorded between the first consumption and a
 *       later one.
 *   <li><b>reordered</b>: for {@link Ordering#PER_KEY}, a message that was first consumed after a
 *       message of the same key that was sent after it.
 *   <li><b>phantom</b>: consumed but never sent, under every guarantee: a broker that invents or
 *       corrupts messages is wrong whatever it promised.
 * </ul>
 *
 * <p>Each list holds every violation found, in the order of the history. {@link #toString()} shows
 * the totals and at most {@value #EXAMPLES_SHOWN} examples of each category, so that a broken run of a
 * million messages still fits on a screen; {@link #assertOk()} throws with that summary.
 */
public final class HistoryReport {

    private static final int EXAMPLES_SHOWN = 10;

    private final Guarantee guarantee;
    private final Ordering ordering;
    private final List<String> lost;
    private final List<Duplicate> duplicated;
    private final List<Reordering> reordered;
    private final List<String> phantom;
    private final int sent;
    private final int acknowledged;
    private final int consumed;
    private final List<String> failures;

    HistoryReport(Guarantee guarantee, Ordering ordering, List<String> lost, List<Duplicate> duplicated,
        List<Reordering> reordered, List<String> phantom, int sent, int acknowledged, int consumed,
        List<String> failures) {
        this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
        this.ordering = Objects.requireNonNull(ordering, "ordering");
        this.lost = List.copyOf(lost);
        this.duplicated = List.copyOf(duplicated);
        this.reordered = List.copyOf(reordered);
        this.phantom = List.copyOf(phantom);
        this.sent = sent;
        this.acknowledged = acknowledged;
        this.consumed = consumed;
        this.failures = List.copyOf(failures);
    }

    /** The guarantee this report checked the history against. */
    public Guarantee guarantee() {
        return guarantee;
    }

    /** The ordering this report checked the history against. */
    public Ordering ordering() {
        return ordering;
    }

    /** Ids that the broker acknowledged and nobody consumed, in the order they were first recorded. */
    public List<String> lost() {
        return lost;
    }

    /** Messages consumed more often than the guarantee allows, in the order they were first recorded. */
    public List<Duplicate> duplicated() {
        return duplicated;
    }

    /** Pairs of messages of one key consumed out of send order, in the order they were detected. */
    public List<Reordering> reordered() {
        return reordered;
    }

    /** Ids that were consumed but never sent, in the order they were first recorded. */
    public List<String> phantom() {
        return phantom;
    }

    /** How many {@code sent} events were recorded; a producer's retry counts again. */
    public int sent() {
        return sent;
    }

    /** How many {@code acknowledged} events were recorded. */
    public int acknowledged() {
        return acknowledged;
    }

    /** How many {@code consumed} events were recorded; a redelivery counts again. */
    public int consumed() {
        return consumed;
    }

    /** The descriptions of the recorded failures, in recording order. */
    public List<String> failures() {
        return failures;
    }

    /** Whether the history kept the guarantee and the ordering: no violation in any category. */
    public boolean isOk() {
        return lost.isEmpty() && duplicated.isEmpty() && reordered.isEmpty() && phantom.isEmpty();
    }

    /**
     * Does nothing if the history kept its promises, otherwise fails the test with this report.
     *
     * @throws AssertionError whose message starts with, for example,
     *     {@code Delivery history violates AT_LEAST_ONCE with PER_KEY order:} and goes on with
     *     {@link #toString()}
     */
    public void assertOk() {
        if (!isOk()) {
            throw new AssertionError(
                "Delivery history violates " + guarantee + " with " + ordering + " order:\n" + this);
        }
    }

    /**
     * A summary of several lines: the totals, then each category with its number of violations and at
     * most {@value #EXAMPLES_SHOWN} examples, then the recorded failures.
     */
    @Override
    public String toString() {
        StringBuilder summary = new StringBuilder();
        summary.append("events: sent ").append(sent)
            .append(", acknowledged ").append(acknowledged)
            .append(", consumed ").append(consumed)
            .append(", failures ").append(failures.size()).append('\n');
        if (guarantee.forbidsLoss()) {
            appendCategory(summary, "lost (acknowledged, never consumed)", lost);
        } else {
            summary.append("lost: not checked, ").append(guarantee).append(" allows loss\n");
        }
        String duplicateRule = guarantee.allowsDuplicateAfterFailure()
            ? "duplicated (consumed again with no failure since the first consumption)"
            : "duplicated (consumed more than once)";
        appendCategory(summary, duplicateRule, duplicated);
        if (ordering == Ordering.PER_KEY) {
            appendCategory(summary, "reordered (consumed out of send order within a key)", reordered);
        } else {
            summary.append("reordered: not checked, ").append(ordering).append(" order\n");
        }
        appendCategory(summary, "phantom (consumed, never sent)", phantom);
        appendCategory(summary, "failures recorded", failures);
        return summary.toString().stripTrailing();
    }

    private static void appendCategory(StringBuilder summary, String title, List<?> entries) {
        summary.append(title).append(": ").append(entries.size()).append('\n');
        for (Object entry : entries.subList(0, Math.min(entries.size(), EXAMPLES_SHOWN))) {
            summary.append("  ").append(entry).append('\n');
        }
        if (entries.size() > EXAMPLES_SHOWN) {
            summary.append("  ... and ").append(entries.size() - EXAMPLES_SHOWN).append(" more\n");
        }
    }

    /**
     * A message consumed more often than the guarantee allows.
     *
     * @param id the message
     * @param consumers who consumed it, once per consumption, in order; so its size is the number of
     *     consumptions
     */
    public record Duplicate(String id, List<String> consumers) {
        public Duplicate {
            Objects.requireNonNull(id, "id");
            consumers = List.copyOf(consumers);
        }

        /** How many times the message was consumed in all. */
        public int consumptions() {
            return consumers.size();
        }

        @Override
        public String toString() {
            return id + " consumed " + consumers.size() + " times, by " + String.join(", ", consumers);
        }
    }

    /**
     * Two messages of one key that were consumed in the opposite order to the one they were sent in.
     *
     * @param key their ordering key
     * @param sentFirst the message that was sent first but consumed second
     * @param consumedFirst the message that was sent second but consumed first
     */
    public record Reordering(String key, String sentFirst, String consumedFirst) {
        public Reordering {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(sentFirst, "sentFirst");
            Objects.requireNonNull(consumedFirst, "consumedFirst");
        }

        @Override
        public String toString() {
            return "key " + key + ": " + sentFirst + " was sent before " + consumedFirst
                + " but consumed after it";
        }
    }
}
