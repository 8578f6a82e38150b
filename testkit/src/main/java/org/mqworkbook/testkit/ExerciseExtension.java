package org.mqworkbook.testkit;

import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.mqworkbook.marker.ExerciseNotDone;

/**
 * Makes a failing exercise test say so when the reason is an unfinished exercise.
 *
 * <p>A skeleton's exercise bodies throw {@link ExerciseNotDone}. When that happens in the test's own
 * thread the failure already says "Exercise 5.3 is not done yet". When it happens in a broker thread
 * (a worker, a timer, a network handler), the test sees something else — a timeout, an error frame, an
 * empty result — and would fail with a misleading message. This extension notices every marker thrown
 * during the test, in any thread, and rewrites such a failure into one that names the unfinished
 * exercise and keeps the original failure as its cause.
 *
 * <p>It also checks that a class annotated {@code @Exercise("5.3")} carries {@code @Tag("5.3")}.
 *
 * <p>Instances are stateless; per-test state lives in the JUnit extension store, so it is safe with
 * any JUnit execution mode.
 */
public final class ExerciseExtension implements BeforeAllCallback, BeforeEachCallback,
    TestExecutionExceptionHandler {

    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(ExerciseExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        Exercise exercise = testClass.getAnnotation(Exercise.class);
        if (exercise == null) {
            return;
        }
        boolean tagged = Arrays.stream(testClass.getAnnotationsByType(Tag.class))
            .anyMatch(tag -> tag.value().equals(exercise.value()));
        if (!tagged) {
            throw new ExtensionConfigurationException(testClass.getName() + " is @Exercise(\""
                + exercise.value() + "\") but lacks @Tag(\"" + exercise.value() + "\"): add the tag so that "
                + "the exercise can be run alone");
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("mark", ExerciseNotDone.mark());
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (failure instanceof ExerciseNotDone) {
            throw failure;
        }
        Long mark = context.getStore(NAMESPACE).get("mark", Long.class);
        Set<String> fired = mark == null ? Set.of() : ExerciseNotDone.firedSince(mark);
        if (fired.isEmpty()) {
            throw failure;
        }
        AssertionError explained = new AssertionError("Exercise " + String.join(", ", fired)
            + " is not done yet: its code threw ExerciseNotDone in another thread during this test, "
            + "which then failed with: " + failure, failure);
        throw explained;
    }
}
