package org.mqworkbook.marker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Thrown by the body of an exercise you have not written yet.
 *
 * <p>Every exercise in a chapter's skeleton is a marked region whose body is
 * {@code throw new ExerciseNotDone("5.3");}. Replace the whole region body with your code; the
 * {@code BEGIN EXERCISE}/{@code END EXERCISE} comment lines around it stay, so that the tools can find
 * your work.
 *
 * <p>The workbook's build uses this exception to tell "red because the exercise is not done yet" from
 * "red because something else is wrong": every exercise test must fail on the untouched skeleton
 * <em>because</em> one of these was thrown, in whatever thread. So each construction is recorded in a
 * small ledger that the test support reads ({@link #firedSince(long)}); a test whose failure follows a
 * marker thrown in a broker thread is still recognised as "exercise not done".
 *
 * <p>Methods of this class are thread safe: the ledger is guarded by the class lock and holds at most
 * the last {@value #LEDGER_SIZE} markers, so a skeleton that throws in a loop cannot exhaust memory.
 */
public final class ExerciseNotDone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private static final int LEDGER_SIZE = 256;
    private static final Deque<Fired> LEDGER = new ArrayDeque<>();
    private static long sequence;

    private final String exercise;

    /**
     * @param exercise the exercise this body belongs to, for example {@code "5.3"}
     */
    public ExerciseNotDone(String exercise) {
        super("Exercise " + exercise + " is not done yet: replace the body between "
            + "'BEGIN EXERCISE " + exercise + "' and 'END EXERCISE " + exercise + "' with your code "
            + "(the chapter README explains what it should do)");
        this.exercise = exercise;
        remember(exercise);
    }

    /** The exercise this marker belongs to, for example {@code "5.3"}. */
    public String exercise() {
        return exercise;
    }

    /** A position in the ledger: pass it to {@link #firedSince(long)} later. */
    public static synchronized long mark() {
        return sequence;
    }

    /** The exercises whose markers were thrown, in any thread, after {@code mark}. */
    public static synchronized Set<String> firedSince(long mark) {
        Set<String> fired = new LinkedHashSet<>();
        for (Fired f : LEDGER) {
            if (f.sequence() > mark) {
                fired.add(f.exercise());
            }
        }
        return fired;
    }

    private static synchronized void remember(String exercise) {
        sequence++;
        LEDGER.addLast(new Fired(sequence, exercise));
        if (LEDGER.size() > LEDGER_SIZE) {
            LEDGER.removeFirst();
        }
    }

    private record Fired(long sequence, String exercise) {
    }
}
