package org.mqworkbook.engine;

import java.util.Set;

/**
 * What happened to one test in one run.
 *
 * @param testClass   the test class's simple name
 * @param test        the test's display name (method name, parameters)
 * @param exercise    the exercise it checks ("5.3"), or empty for a test of given code
 * @param status      passed, failed, or skipped
 * @param markers     the exercises whose {@code ExerciseNotDone} marker was thrown during the test, in
 *                    any thread; not empty means "red because an exercise is not done"
 * @param message     the first line of the failure, or empty
 * @param location    where in the test class it failed, {@code TopicTrieTest.java:93} (the deepest frame of
 *                    the failure's stack that is in the test class), or empty
 */
public record TestOutcome(String testClass, String test, String exercise, Status status, Set<String> markers,
                          String message, String location) {

    /** An outcome without a location: passed, skipped, or failed outside the test class's code. */
    public TestOutcome(String testClass, String test, String exercise, Status status, Set<String> markers,
                       String message) {
        this(testClass, test, exercise, status, markers, message, "");
    }

    /** How a test ended. */
    public enum Status { PASSED, FAILED, SKIPPED }

    /** Failed, and because an exercise is not done. */
    public boolean redForMarker() {
        return status == Status.FAILED && !markers.isEmpty();
    }

    public boolean isExerciseTest() {
        return !exercise.isEmpty();
    }

    /** "ClassName.test" for messages. */
    public String name() {
        return testClass + "." + test;
    }
}
