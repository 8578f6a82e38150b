package org.mqworkbook.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Drives the extension's methods directly with a stand-in for JUnit's context, so that the failure
 * handling is tested without any test failing on purpose; the nested class checks the real wiring.
 */
@Timeout(10)
class SeededTest {

    private static final long PROPERTY_SEED = 1234L;
    private static final long FRESH_SEED = 99L;

    private final Seeded seeded = new Seeded(
        name -> Seeded.SEED_PROPERTY.equals(name) ? Long.toString(PROPERTY_SEED) : null, () -> FRESH_SEED);
    private final FakeTest test = new FakeTest();

    @Test
    void seedsTheRandomFromTheSeedProperty() {
        Random random = seeded.resolveParameter(test.randomParameter(), test.context());

        assertThat(random.nextLong()).isEqualTo(new Random(PROPERTY_SEED).nextLong());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = " ")
    void drawsAFreshSeedWhenTheSeedPropertyIsNotSet(String property) {
        Seeded withoutProperty = new Seeded(name -> property, () -> FRESH_SEED);

        Random random = withoutProperty.resolveParameter(test.randomParameter(), test.context());

        assertThat(random.nextLong()).isEqualTo(new Random(FRESH_SEED).nextLong());
    }

    @Test
    void rejectsASeedPropertyThatIsNotAWholeNumber() {
        Seeded misconfigured = new Seeded(name -> "12ab", () -> FRESH_SEED);

        assertThatThrownBy(() -> misconfigured.resolveParameter(test.randomParameter(), test.context()))
            .isInstanceOf(ParameterResolutionException.class)
            .hasMessageContaining("'12ab'");
    }

    @Test
    void handsEveryParameterOfOneTestTheSameRandom() {
        Random first = seeded.resolveParameter(test.randomParameter(), test.context());
        Random second = seeded.resolveParameter(test.randomParameter(), test.context());

        assertThat(second).isSameAs(first);
    }

    @Test
    void handsEachTestItsOwnRandom() {
        Random mine = seeded.resolveParameter(test.randomParameter(), test.context());
        FakeTest other = new FakeTest();

        Random theirs = seeded.resolveParameter(other.randomParameter(), other.context());

        assertThat(theirs).isNotSameAs(mine);
    }

    @Test
    void resolvesRandomParametersOfATestMethod() {
        assertThat(seeded.supportsParameter(test.randomParameter(), test.context())).isTrue();
    }

    @Test
    void doesNotResolveParametersOfOtherTypes() {
        assertThat(seeded.supportsParameter(test.nameParameter(), test.context())).isFalse();
    }

    @Test
    void doesNotResolveARandomOutsideATestMethod() {
        FakeTest classLevel = FakeTest.withoutTestMethod();

        assertThat(seeded.supportsParameter(classLevel.randomParameter(), classLevel.context())).isFalse();
    }

    @Test
    void appendsTheReplaySeedToTheMessageOfAFailedAssertion() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        AssertionError original = new AssertionError("expected 3 messages but got 2");

        Throwable reported = failTestWith(original);

        assertThat(reported)
            .isInstanceOf(AssertionError.class)
            .hasMessage("expected 3 messages but got 2 [replay with -Dseed=1234]")
            .hasCause(original);
    }

    @Test
    void putsTheReplaySeedOnItsOwnLineAfterAMessageOfSeveralLines() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        AssertionError original = new AssertionError("\nexpected: 3\n but was: 2");

        Throwable reported = failTestWith(original);

        assertThat(reported).hasMessage("\nexpected: 3\n but was: 2\n[replay with -Dseed=1234]");
    }

    @Test
    void keepsTheStackTraceOfTheFailedAssertion() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        AssertionError original = new AssertionError("boom");

        Throwable reported = failTestWith(original);

        assertThat(reported.getStackTrace()).isEqualTo(original.getStackTrace());
    }

    @Test
    void keepsExpectedAndActualOfAnAssertionFailedError() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        AssertionFailedError original = new AssertionFailedError("expected: 3 but was: 2", 3, 2);

        Throwable reported = failTestWith(original);

        assertThat(reported).isInstanceOf(AssertionFailedError.class)
            .hasMessage("expected: 3 but was: 2 [replay with -Dseed=1234]");
        AssertionFailedError diff = (AssertionFailedError) reported;
        assertThat(diff.getExpected().getValue()).isEqualTo(3);
        assertThat(diff.getActual().getValue()).isEqualTo(2);
    }

    @Test
    void attachesTheReplaySeedToAnUnexpectedExceptionWithoutReplacingIt() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        IllegalStateException original = new IllegalStateException("queue closed");

        Throwable reported = failTestWith(original);

        assertThat(reported).isSameAs(original).hasMessage("queue closed");
        assertThat(reported.getSuppressed()).singleElement()
            .satisfies(hint -> assertThat(hint).hasMessage("[replay with -Dseed=1234]"));
    }

    @Test
    void leavesATestAbortedByAnAssumptionAlone() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        TestAbortedException original = new TestAbortedException("needs Linux");

        Throwable reported = failTestWith(original);

        assertThat(reported).isSameAs(original).hasMessage("needs Linux");
        assertThat(reported.getSuppressed()).isEmpty();
    }

    @Test
    void rethrowsTheFailureUnchangedWhenTheTestTookNoRandom() {
        AssertionError original = new AssertionError("expected 3 messages but got 2");

        Throwable reported = failTestWith(original);

        assertThat(reported).isSameAs(original).hasMessage("expected 3 messages but got 2");
    }

    @Test
    void appendsTheReplaySeedToAFailureInABeforeEachMethod() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        AssertionError original = new AssertionError("setup failed");

        Throwable reported = catchThrowable(
            () -> seeded.handleBeforeEachMethodExecutionException(test.context(), original));

        assertThat(reported).hasMessage("setup failed [replay with -Dseed=1234]");
    }

    @Test
    void appendsTheReplaySeedToAFailureInAnAfterEachMethod() {
        seeded.resolveParameter(test.randomParameter(), test.context());
        AssertionError original = new AssertionError("teardown failed");

        Throwable reported = catchThrowable(
            () -> seeded.handleAfterEachMethodExecutionException(test.context(), original));

        assertThat(reported).hasMessage("teardown failed [replay with -Dseed=1234]");
    }

    /** Hands {@code failure} to the extension as JUnit does when a test throws it; returns the result. */
    private Throwable failTestWith(Throwable failure) {
        return catchThrowable(() -> seeded.handleTestExecutionException(test.context(), failure));
    }

    /** The method whose parameters the stand-in contexts describe; JUnit does not run it. */
    static void sampleTest(Random random, String name) {
    }

    @Nested
    @Timeout(10)
    @ExtendWith(Seeded.class)
    class WhenRegisteredWithExtendWith {

        private Random fromBeforeEach;

        @BeforeEach
        void rememberTheRandom(Random random) {
            fromBeforeEach = random;
        }

        @Test
        void injectsARandomIntoATestParameter(Random random) {
            assertThat(random).isNotNull();
        }

        @Test
        void givesTheTestTheSameRandomAsItsBeforeEachMethod(Random random) {
            assertThat(random).isSameAs(fromBeforeEach);
        }
    }

    /**
     * A stand-in for what JUnit hands an extension while it runs one test of {@link #sampleTest}: a
     * context with its own store and the two parameter contexts. Only the methods the extension calls
     * are answered; any other call fails loudly, so a change in what the extension asks shows here.
     */
    private static final class FakeTest {
        private static final Method SAMPLE_TEST = sampleTestMethod();

        private final Optional<Method> testMethod;
        private final MapStore store = new MapStore();

        private FakeTest(Optional<Method> testMethod) {
            this.testMethod = testMethod;
        }

        FakeTest() {
            this(Optional.of(SAMPLE_TEST));
        }

        static FakeTest withoutTestMethod() {
            return new FakeTest(Optional.empty());
        }

        ExtensionContext context() {
            return stub(ExtensionContext.class, Map.of(
                "getStore", store,
                "getTestMethod", testMethod));
        }

        ParameterContext randomParameter() {
            return parameter(0);
        }

        ParameterContext nameParameter() {
            return parameter(1);
        }

        private static ParameterContext parameter(int index) {
            Parameter parameter = SAMPLE_TEST.getParameters()[index];
            return stub(ParameterContext.class, Map.of("getParameter", parameter, "getIndex", index));
        }

        private static <T> T stub(Class<T> type, Map<String, Object> answers) {
            Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> {
                    if (method.getName().equals("toString")) {
                        return "stub " + type.getSimpleName();
                    }
                    if (!answers.containsKey(method.getName())) {
                        throw new UnsupportedOperationException("The stub does not answer " + method);
                    }
                    return answers.get(method.getName());
                });
            return type.cast(proxy);
        }

        private static Method sampleTestMethod() {
            try {
                return SeededTest.class.getDeclaredMethod("sampleTest", Random.class, String.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("SeededTest.sampleTest was renamed", e);
            }
        }
    }

    /** A store that keeps its values in a map, one per test, ignoring JUnit's parent stores. */
    private static final class MapStore implements ExtensionContext.Store {
        private final Map<Object, Object> values = new HashMap<>();

        @Override
        public Object get(Object key) {
            return values.get(key);
        }

        @Override
        public <V> V get(Object key, Class<V> requiredType) {
            return requiredType.cast(values.get(key));
        }

        @Override
        public <K, V> Object getOrComputeIfAbsent(K key, Function<K, V> defaultCreator) {
            return values.computeIfAbsent(key, absent -> defaultCreator.apply(key));
        }

        @Override
        public <K, V> V getOrComputeIfAbsent(K key, Function<K, V> defaultCreator, Class<V> requiredType) {
            return requiredType.cast(getOrComputeIfAbsent(key, defaultCreator));
        }

        @Override
        public void put(Object key, Object value) {
            values.put(key, value);
        }

        @Override
        public Object remove(Object key) {
            return values.remove(key);
        }

        @Override
        public <V> V remove(Object key, Class<V> requiredType) {
            return requiredType.cast(values.remove(key));
        }
    }
}
