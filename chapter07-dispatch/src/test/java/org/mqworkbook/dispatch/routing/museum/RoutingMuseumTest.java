package org.mqworkbook.dispatch.routing.museum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.provider.Arguments;
import org.mqworkbook.dispatch.routing.TopicCases;

/**
 * The routing failure museum: the topic table that checks the learner's trie, run against
 * {@link WrongHashMatcher}. The table must catch it, and it must catch it on the cases where {@code #}
 * takes zero words. Then {@link ExponentialTopicTrie}, right but exponential, counted step by step.
 * README section "Failure museum".
 */
@Timeout(10)
class RoutingMuseumTest {
    @Test
    void theTopicTableCatchesAHashThatNeedsAtLeastOneWord() {
        List<String> caught = new ArrayList<>();
        for (Arguments row : TopicCases.cases().toList()) {
            Object[] cells = row.get();
            String pattern = (String) cells[0];
            String key = (String) cells[1];
            boolean expected = (Boolean) cells[2];
            if (WrongHashMatcher.matches(pattern, key) != expected) {
                caught.add("'" + pattern + "' vs '" + key + "'");
            }
        }
        assertThat(caught)
            .as("rows of the topic table that the wrong matcher gets wrong: each is a case where # must take "
                + "zero words, and a table without them would let the mistake through")
            .contains("'a.#' vs 'a'", "'lazy.#' vs 'lazy'", "'#' vs ''", "'#.b' vs 'b'", "'#.#' vs 'a'",
                "'a.#.b' vs 'a.b'");
    }

    @Test
    void theWrongMatcherStillPassesTheObviousCases() {
        assertThat(WrongHashMatcher.matches("lazy.#", "lazy.orange.male.rabbit"))
            .as("# taking several words works, which is why the mistake survives a casual test").isTrue();
        assertThat(WrongHashMatcher.matches("*.orange.*", "quick.orange.rabbit"))
            .as("patterns without # are unaffected").isTrue();
    }

    @Test
    void theWalkWithoutMemoryDoesExponentiallyMoreWorkWithEveryHashWord() {
        String key = String.join(".", Collections.nCopies(16, "w"));
        long previous = 0;
        List<String> growth = new ArrayList<>();
        for (int hashes = 1; hashes <= 8; hashes++) {
            ExponentialTopicTrie trie = new ExponentialTopicTrie();
            String pattern = String.join(".", Collections.nCopies(hashes, "#"));
            trie.add(pattern, "q");
            assertThat(trie.match(key)).as("the exhibit is slow, not wrong: '%s' matches", pattern)
                .containsExactly("q");
            growth.add(hashes + " '#': " + trie.steps() + " steps");
            if (previous > 0) {
                assertThat(trie.steps()).as("one more '#' word at least doubles the walk (%s)", growth)
                    .isGreaterThan(2 * previous);
            }
            previous = trie.steps();
        }
        // A walk that explores each ('#' node, next word) state once enters at most
        // nodes × (words + 1) = 9 × 17 = 153 nodes for eight '#' words; this one enters 1,081,575.
        assertThat(previous).as("eight '#' words against a 16-word key (%s)", growth).isGreaterThan(100 * 153);
    }
}
