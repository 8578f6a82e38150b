package org.mqworkbook.workbook;

import java.util.Optional;

/**
 * What a command works on: a whole chapter ({@code ./workbook test 5}) or one of its exercises
 * ({@code ./workbook test 5.3}).
 */
record Target(Chapter chapter, Optional<Exercise> exercise) {

    /** "5.3", or "chapter 5". */
    String label() {
        return exercise.map(Exercise::id).orElse("chapter " + chapter.number());
    }

    /** The exercise id, or empty for the whole chapter (the form the test runner's filter takes). */
    String exerciseId() {
        return exercise.map(Exercise::id).orElse("");
    }
}
