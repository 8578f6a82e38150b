package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 7.5, RocketMQ's tag subscription expressions: {@link TagFilter#parse} and
 * {@link TagFilter#accepts}. README section "7.5 Tag filters".
 */
@Exercise("7.5")
@Tag("7.5")
@Timeout(10)
class TagFilterTest {
    private static final String README = "README 7.5";

    @ParameterizedTest(name = "\"{0}\" accepts tag {1}: {2}")
    @CsvSource(delimiter = ';', nullValues = "null", textBlock = """
        *                 ; TagA ; true  ; * accepts every tag
        *                 ; null ; true  ; * accepts untagged messages too: the only expression that does
        *                 ; ''   ; true  ; an empty tag is no tag
        ' * '             ; TagA ; true  ; whitespace around * is ignored
        TagA              ; TagA ; true  ; the one tag
        TagA              ; TagB ; false ; another tag
        TagA              ; taga ; false ; tags are case-sensitive
        TagA              ; null ; false ; an untagged message is accepted only by *
        TagA              ; ''   ; false ; an empty tag is no tag
        TagA || TagB      ; TagB ; true  ; either tag
        TagA || TagB      ; TagC ; false ; neither tag
        '  TagA||TagB  '  ; TagA ; true  ; whitespace around tags is ignored, and optional
        TagA || TagB      ; null ; false ; untagged: not accepted by a list of tags
        TagA || TagB      ; '*'  ; false ; a message tagged * is not special
        """)
    void acceptsTagsAsRocketMqDoes(String expression, String tag, boolean expected, String why) {
        assertThat(TagFilter.parse(expression).accepts(tag))
            .as("subscription '%s', message tag %s: %s (%s)", expression, tag == null ? "none" : "'" + tag + "'",
                why, README)
            .isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @CsvSource(delimiter = ';', nullValues = "null", textBlock = """
        ''                ; empty: RocketMQ would read it as *, here a typo must not subscribe to everything
        '   '             ; blank
        null              ; no expression at all
        TagA ||           ; an empty alternative at the end
        || TagA           ; an empty alternative at the start
        TagA |||| TagB    ; an empty alternative in the middle
        TagA | TagB       ; a single | is not the separator
        Tag A             ; whitespace inside a tag
        TagA || *         ; * must stand alone
        """)
    void rejectsEmptyOrMalformedExpressionsNamingThem(String expression, String why) {
        assertThatThrownBy(() -> TagFilter.parse(expression))
            .as("subscription '%s': %s (%s)", expression, why, README)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'" + expression + "'");
    }

    @Test
    void remembersTheExpressionAsWritten() {
        assertThat(TagFilter.parse(" TagA || TagB ").expression())
            .as("the expression is kept for error messages and for the consumer's subscription data (%s)", README)
            .isEqualTo(" TagA || TagB ");
    }
}
