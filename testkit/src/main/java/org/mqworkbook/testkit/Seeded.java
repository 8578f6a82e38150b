package org.mqworkbook.testkit;

import java.lang.reflect.Parameter;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * A JUnit 5 extension that hands each test a {@link Random} with a known seed and, when the test fails,
 * adds that seed to the failure so that the same run can be replayed. Instances are thread safe: apart
 * from their final configuration they hold no state; the seed of each test lives in that test's
 * {@link ExtensionContext} store, so tests that JUnit runs in parallel each get their own.
 *
 * <p>Use it like this:
 *
 * <pre>{@code
 * @ExtendWith(Seeded.class)
 * class ShuffledDeliveryTest {
 *     @Test
 *     void deliversEveryMessageWhateverTheInterleaving(Random random) {
 *         ... random.nextInt(10) ...
 *     }
 * }
 * }</pre>
 *
 * <p>The seed is the system property {@value #SEED_PROPERTY} when it is set ({@code -Dseed=1234}),
 * otherwise a fresh random number for each test, so that every run explores new cases. A failing test
 * reports, for example,
 * {@code expected: 3 but was: 2 [replay with -Dseed=-4962768465676381896]}; run it again with that
 * property and the test draws the same numbers. On success the extension prints nothing.
 *
 * <p>Every parameter and every {@code @BeforeEach}/{@code @AfterEach} method of one test gets the same
 * {@code Random} instance: two instances with one seed would draw the same numbers, which is rarely what
 * a test means. {@code @BeforeAll} methods and constructors cannot take one, because there is no single
 * test whose failure would report its seed.
 *
 * <p>How the seed reaches the report depends on what failed. An {@link AssertionError} is rethrown as a
 * copy whose message is the original message followed by the hint, with the original as its cause and
 * the original's stack trace, so an IDE still jumps to the failing line and still shows the
 * expected/actual diff. Any other exception is rethrown as it is, with the hint attached as a suppressed
 * exception: its type is part of the diagnosis (an {@code ExerciseNotDone} or an
 * {@code IllegalStateException} says what went wrong before its message does), and wrapping it in an
 * {@code AssertionError} would turn an error into a failure. A test that was aborted by an assumption is
 * left alone, and so is a failure of a test that never asked for a {@code Random}.
 */
public final class Seeded
    implements ParameterResolver, TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** The system property that fixes the seed: {@code -Dseed=1234}. */
    public static final String SEED_PROPERTY = "seed";

    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(Seeded.class);
    private static final String DRAW_KEY = "draw";

    private final UnaryOperator<String> systemProperties;
    private final LongSupplier freshSeeds;

    /** The extension as JUnit creates it: seeds come from {@code -Dseed} or are fresh random numbers. */
    public Seeded() {
        this(System::getProperty, () -> ThreadLocalRandom.current().nextLong());
    }

    /**
     * The extension with its two sources of seeds replaced, so that its own tests are deterministic.
     *
     * @param systemProperties looks up a system property by name; returns {@code null} if it is not set
     * @param freshSeeds supplies a seed when the property is not set
     */
    Seeded(UnaryOperator<String> systemProperties, LongSupplier freshSeeds) {
        this.systemProperties = Objects.requireNonNull(systemProperties, "systemProperties");
        this.freshSeeds = Objects.requireNonNull(freshSeeds, "freshSeeds");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Parameter parameter = parameterContext.getParameter();
        return parameter.getType() == Random.class && extensionContext.getTestMethod().isPresent();
    }

    @Override
    public Random resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return extensionContext.getStore(NAMESPACE)
            .getOrComputeIfAbsent(DRAW_KEY, key -> new Draw(chooseSeed()), Draw.class)
            .random();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withSeedOf(context, failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
        throws Throwable {
        throw withSeedOf(context, failure);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure)
        throws Throwable {
        throw withSeedOf(context, failure);
    }

    private long chooseSeed() {
        String property = systemProperties.apply(SEED_PROPERTY);
        if (property == null || property.isBlank()) {
            // Maven passes an empty string for a property that is declared but not given: no seed.
            return freshSeeds.getAsLong();
        }
        try {
            return Long.parseLong(property.strip());
        } catch (NumberFormatException e) {
            throw new ParameterResolutionException("The system property " + SEED_PROPERTY
                + " must be a whole number that fits in a long, but it is '" + property + "'", e);
        }
    }

    private static Throwable withSeedOf(ExtensionContext context, Throwable failure) {
        Draw draw = context.getStore(NAMESPACE).get(DRAW_KEY, Draw.class);
        if (draw == null || failure instanceof TestAbortedException) {
            return failure;
        }
        String hint = "[replay with -D" + SEED_PROPERTY + "=" + draw.seed() + "]";
        if (!(failure instanceof AssertionError)) {
            failure.addSuppressed(new ReplayHint(hint));
            return failure;
        }
        String original = failure.getMessage();
        String message = original == null ? hint
            : original + (original.contains("\n") ? "\n" : " ") + hint;
        AssertionError decorated;
        if (failure instanceof AssertionFailedError diff
            && diff.isExpectedDefined() && diff.isActualDefined()) {
            decorated = new AssertionFailedError(message,
                diff.getExpected().getEphemeralValue(), diff.getActual().getEphemeralValue(), failure);
        } else if (failure instanceof AssertionFailedError) {
            decorated = new AssertionFailedError(message, failure);
        } else {
            decorated = new AssertionError(message, failure);
        }
        // Point at the test's own line, not at this extension: that is where the reader must look.
        decorated.setStackTrace(failure.getStackTrace());
        return decorated;
    }

    /** The seed one test drew and the generator made from it. */
    private record Draw(long seed, Random random) {
        Draw(long seed) {
            this(seed, new Random(seed));
        }
    }

    /**
     * Carries the replay hint on an exception whose type must not change. It has no stack trace of its
     * own: it would only show this extension, which is not where anything went wrong.
     */
    private static final class ReplayHint extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplayHint(String hint) {
            super(hint, null, false, false);
        }
    }
}
