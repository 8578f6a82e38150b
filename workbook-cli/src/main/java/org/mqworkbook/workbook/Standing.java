package org.mqworkbook.workbook;

import java.util.Optional;

/**
 * Where a learner stands with one exercise, and a few words on why.
 *
 * @param exercise the exercise
 * @param state    done, in progress or not started
 * @param detail   e.g. "11 of 11 tests pass", "last run: 4 of 12 tests passed", or a marker problem
 */
record Standing(Exercise exercise, ExerciseState state, String detail) {

    /**
     * The rule: <b>done</b> when the last run of its tests passed them all and the exercise's code is still
     * the code they passed on; <b>not started</b> when its regions are still the skeleton's; otherwise
     * <b>in progress</b>. Only the regions count: given code is not the learner's progress.
     */
    static Standing of(Exercise exercise, ExerciseCode code, Progress progress) {
        String id = exercise.id();
        Optional<String> problem = code.problem(id);
        if (problem.isPresent()) {
            return new Standing(exercise, ExerciseState.IN_PROGRESS, "cannot read it: " + problem.get());
        }
        String fingerprint = code.fingerprint(id);
        Optional<Progress.LastRun> last = progress.lastRun(id);
        boolean sameCode = last.isPresent() && last.get().code().equals(fingerprint);
        if (sameCode && last.get().allPassed()) {
            return new Standing(exercise, ExerciseState.DONE, last.get().total() + " of " + last.get().total()
                + " tests pass");
        }
        if (code.untouched(id)) {
            return new Standing(exercise, ExerciseState.NOT_STARTED, "");
        }
        String detail = last.isEmpty() ? "not tested yet"
            : sameCode ? "last run: " + last.get().passed() + " of " + last.get().total() + " tests passed"
            : "changed since the last run (" + last.get().passed() + " of " + last.get().total() + " passed)";
        return new Standing(exercise, ExerciseState.IN_PROGRESS, detail);
    }
}
