package org.mqworkbook.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Names the exercise a test class checks, for example {@code @Exercise("5.3")}.
 *
 * <p>JUnit tags are fixed strings, so the class also carries the same id as a tag,
 * {@code @Tag("5.3")}: that is what lets one exercise run alone ({@code ./mvnw test -pl
 * chapter05-inmemory -Dexercise=5.3}, or {@code -Dgroups=5.3} in an IDE's JUnit run configuration).
 * {@link ExerciseExtension} fails a class whose tag and annotation disagree, so they cannot drift.
 *
 * <p>Tests without this annotation in a chapter module check given code (the network codec, for
 * example): they must pass on the skeleton and on the solution alike.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ExerciseExtension.class)
public @interface Exercise {
    /** The exercise id: chapter, dot, number, as in the chapter README ("5.3"). */
    String value();
}
