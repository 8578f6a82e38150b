package org.mqworkbook.workbook;

/** Where a learner stands with one exercise. */
enum ExerciseState {
    /** Its regions are still the skeleton's. */
    NOT_STARTED("not started"),
    /** Its code was changed, and its tests have not passed on that code (yet). */
    IN_PROGRESS("in progress"),
    /** Its tests passed on the last run, and its code has not changed since. */
    DONE("done");

    private final String label;

    ExerciseState(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
