package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link TopicPattern}, the given oracle for exercise 7.4: if it disagreed with RabbitMQ, the random
 * comparison in {@link TopicTrieTest} would teach the wrong rules. No {@code @Exercise}: this is given
 * code, so these tests pass on the skeleton too.
 */
@Timeout(10)
class TopicPatternTest {
    @ParameterizedTest(name = "\"{0}\" vs \"{1}\" → {2}")
    @MethodSource("org.mqworkbook.dispatch.routing.TopicCases#cases")
    void matchesAsRabbitMqDoes(String pattern, String routingKey, boolean expected, String why) {
        assertThat(TopicPattern.matches(pattern, routingKey))
            .as("pattern '%s' against routing key '%s': %s (README 7.4)", pattern, routingKey, why)
            .isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" has {1} words")
    @CsvSource(delimiter = '|', textBlock = """
        ''    | 0 | RabbitMQ's split_topic_key(<<>>) is [], not [<<>>]
        a     | 1 | one word
        a.b   | 2 | two words
        a..b  | 3 | the empty middle word is a word
        a.    | 2 | the trailing empty word is kept
        .     | 2 | two empty words
        """)
    void splitsKeysIntoWordsAsRabbitMqDoes(String key, int count, String why) {
        List<String> words = TopicPattern.words(key);
        assertThat(words).as("words of '%s': %s", key, why).hasSize(count);
    }
}
