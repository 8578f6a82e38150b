package org.mqworkbook.dispatch.routing;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The topic-matching table, written from RabbitMQ's documentation (tutorial five) and its implementation
 * ({@code split_topic_key}: {@code ""} is zero words, empty words are words), not from any matcher in
 * this repository. Shared by {@link TopicPatternTest}, {@link TopicTrieTest} and the failure museum, so
 * that the learner's trie, the oracle and the museum's wrong matcher all face the same cases.
 */
public final class TopicCases {
    /** pattern | routing key | matches | why. {@code ''} is the empty string. */
    private static final String TABLE = """
        *.orange.*    | quick.orange.rabbit      | true  | tutorial five: * is exactly one word on each side
        *.orange.*    | quick.orange.male.rabbit | false | tutorial five: the last * cannot take two words
        *.*.rabbit    | quick.orange.rabbit      | true  | tutorial five
        *.*.rabbit    | lazy.brown.fox           | false | tutorial five: the last word differs
        lazy.#        | lazy                     | true  | # takes zero words
        lazy.#        | lazy.orange.male.rabbit  | true  | # takes three words
        lazy.#        | quick.lazy               | false | the first word must be lazy
        #             | ''                       | true  | # matches everything, the empty key included
        #             | a.b.c                    | true  | # matches everything
        #             | .                        | true  | # matches two empty words too
        *             | a                        | true  | * takes the one word
        *             | a.b                      | false | * takes exactly one word, not two
        *             | ''                       | false | '' has zero words in RabbitMQ, and * needs one
        ''            | ''                       | true  | the empty binding key matches the empty routing key
        ''            | a                        | false | the empty binding key has no words to match a
        a.*.#         | a                        | false | * still needs a word after a
        a.*.#         | a.b                      | true  | * takes b, # takes nothing
        a.*.#         | a.b.c.d                  | true  | * takes b, # takes c.d
        #.b           | b                        | true  | # takes nothing before b
        #.b           | a.a.b                    | true  | # takes a.a
        #.b           | b.a                      | false | the key must end with b
        #.#           | ''                       | true  | both # take nothing
        #.#           | a                        | true  | one # takes a
        a.#.b         | a.b                      | true  | # between two words takes nothing
        a.#.b         | a.x.y.b                  | true  | # between two words takes two
        a.#.b         | a.b.c                    | false | the key must end with b
        a.*.b         | a..b                     | true  | a..b has three words: * takes the empty one
        a.b           | a..b                     | false | the empty middle word is a word: three words, not two
        a.            | a                        | false | a. has two words, the second empty
        a.*           | a.                       | true  | * takes the trailing empty word
        .             | ''                       | false | . is two empty words, '' is none
        a*            | ab                       | false | * is special only as a whole word
        a*            | a*                       | true  | a* is the literal word a*
        a.#           | a                        | true  | the museum exhibit: # takes zero words
        #.a.#         | a                        | true  | both # take nothing
        """;

    private TopicCases() {
    }

    /** The table as JUnit arguments: pattern, routing key, expected, why. */
    public static Stream<Arguments> cases() {
        return TABLE.lines().map(line -> {
            String[] cells = line.split("\\|", 4);
            return Arguments.of(unquote(cells[0].strip()), unquote(cells[1].strip()),
                Boolean.parseBoolean(cells[2].strip()), cells[3].strip());
        });
    }

    private static String unquote(String cell) {
        return cell.equals("''") ? "" : cell;
    }
}
