package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 7.4 through {@link Exchange}: topic exchanges (the trie) and headers exchanges
 * ({@link HeadersBinding#matches}). README section "7.4 Exchanges".
 */
@Exercise("7.4")
@Tag("7.4")
@Timeout(10)
class ExchangeRoutingTest {
    private static final String README = "README 7.4";

    /** Q-all wants format=pdf AND type=report; Q-any wants format=pdf OR type=report. */
    private static Exchange reportsExchange() {
        Exchange exchange = new Exchange("reports", ExchangeType.HEADERS);
        exchange.bind("Q-all", args("x-match", "all", "format", "pdf", "type", "report"));
        exchange.bind("Q-any", args("x-match", "any", "format", "pdf", "type", "report"));
        return exchange;
    }

    @Test
    void topicExchangeRoutesToEveryQueueWhosePatternMatchesEachOnce() {
        Exchange exchange = new Exchange("animals", ExchangeType.TOPIC);
        exchange.bind("Q1", "*.orange.*");
        exchange.bind("Q2", "*.*.rabbit");
        exchange.bind("Q2", "lazy.#");
        assertThat(exchange.route("lazy.orange.rabbit", Map.of()))
            .as("Q1 by *.orange.*, Q2 by both of its patterns but once (%s)", README)
            .containsExactlyInAnyOrder("Q1", "Q2");
        assertThat(exchange.route("lazy", Map.of())).as("lazy.# takes zero words (%s)", README)
            .containsExactly("Q2");
    }

    @ParameterizedTest(name = "headers {0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
        format=pdf;type=report        | Q-all Q-any | both arguments equal: all and any match
        format=pdf;type=report;size=9 | Q-all Q-any | extra headers do not matter
        format=pdf                    | Q-any       | type is missing: all fails, any matches on format
        format=zip;type=report        | Q-any       | format differs: all fails, any matches on type
        format=zip;type=log           | ''          | nothing equal: neither matches
        ''                            | ''          | no headers at all: neither matches
        FORMAT=pdf;type=Report        | ''          | names and values are compared exactly, case included
        """)
    void headersExchangeMatchesAllOrAnyArgument(String headers, String queues, String why) {
        assertThat(String.join(" ", reportsExchange().route("ignored", headerMap(headers)).stream().sorted()
            .toList())).as("headers %s: %s (%s)", headers, why, README).isEqualTo(queues);
    }

    @Test
    void headersExchangeIgnoresArgumentsStartingWithX() {
        Exchange exchange = new Exchange("tagged", ExchangeType.HEADERS);
        exchange.bind("Q", args("x-match", "all", "format", "pdf", "x-priority-hint", "high"));
        assertThat(exchange.route("", args("format", "pdf")))
            .as("x-priority-hint is an argument for the broker, not a header to compare; RabbitMQ filters out "
                + "x- arguments (x-match included) before matching (%s)", README)
            .containsExactly("Q");
    }

    @Test
    void headersExchangeTreatsAMissingXMatchAsAll() {
        Exchange exchange = new Exchange("default-all", ExchangeType.HEADERS);
        exchange.bind("Q", args("format", "pdf", "type", "report"));
        assertThat(exchange.route("", args("format", "pdf")))
            .as("without x-match RabbitMQ requires all arguments: type is missing (%s)", README).isEmpty();
        assertThat(exchange.route("", args("format", "pdf", "type", "report")))
            .as("without x-match, all arguments present and equal (%s)", README).containsExactly("Q");
    }

    @Test
    void headersExchangeReturnsAQueueOnceWhenSeveralOfItsBindingsMatch() {
        Exchange exchange = new Exchange("twice", ExchangeType.HEADERS);
        exchange.bind("Q", args("x-match", "any", "format", "pdf"));
        exchange.bind("Q", args("x-match", "all", "type", "report"));
        assertThat(exchange.route("", args("format", "pdf", "type", "report")))
            .as("both bindings of Q match; a queue holds one copy (%s)", README).containsExactly("Q");
    }

    @Test
    void headersExchangeComparesTypedValuesAsRabbitMqDoes() {
        Exchange exchange = new Exchange("typed", ExchangeType.HEADERS);
        exchange.bind("Q", args("size", 9, "urgent", true));
        assertThat(exchange.route("", args("size", 9L, "urgent", true)))
            .as("the number 9 and the boolean true, both present and equal (%s)", README).containsExactly("Q");
        assertThat(exchange.route("", args("size", 9.0, "urgent", true)))
            .as("9.0 is the same number as 9: RabbitMQ compares values with Erlang's ==, HeaderValue.sameValueAs "
                + "(%s)", README).containsExactly("Q");
        assertThat(exchange.route("", args("size", "9", "urgent", true)))
            .as("the string \"9\" is not the number 9: compare with sameValueAs, not by printing values (%s)",
                README).isEmpty();
        assertThat(exchange.route("", args("size", 9, "urgent", "true")))
            .as("the string \"true\" is not the boolean true (%s)", README).isEmpty();
    }

    @Test
    void headersExchangeMatchesAVoidArgumentOnPresenceAlone() {
        Exchange exchange = new Exchange("presence", ExchangeType.HEADERS);
        exchange.bind("Q", args("trace-id", null));
        assertThat(exchange.route("", args("trace-id", "abc")))
            .as("an argument without a value (void) matches any value of that header (%s)", README)
            .containsExactly("Q");
        assertThat(exchange.route("", args("trace-id", 42)))
            .as("of any type (%s)", README).containsExactly("Q");
        assertThat(exchange.route("", args("span-id", "abc")))
            .as("but the header must be there (%s)", README).isEmpty();
    }

    @Test
    void headersExchangeComparesXArgumentsOnlyWithAllWithXOrAnyWithX() {
        Exchange exchange = new Exchange("with-x", ExchangeType.HEADERS);
        exchange.bind("Q-all-with-x", args("x-match", "all-with-x", "x-region", "eu", "format", "pdf"));
        exchange.bind("Q-any-with-x", args("x-match", "any-with-x", "x-region", "eu", "format", "zip"));
        exchange.bind("Q-all", args("x-match", "all", "x-region", "eu", "format", "pdf"));
        assertThat(exchange.route("", args("x-region", "eu", "format", "pdf")))
            .as("x-region=eu and format=pdf: every binding matches (%s)", README)
            .containsExactlyInAnyOrder("Q-all-with-x", "Q-any-with-x", "Q-all");
        assertThat(exchange.route("", args("x-region", "us", "format", "pdf")))
            .as("x-region=us: all-with-x compares x-region and fails, any-with-x has nothing equal, plain all "
                + "ignores x-region and matches on format (%s)", README).containsExactly("Q-all");
        assertThat(exchange.route("", args("format", "pdf")))
            .as("no x-region header at all: only plain all, which never looks at x- arguments (%s)", README)
            .containsExactly("Q-all");
    }

    @Test
    void aVoidHeaderIsNotAWildcardOnlyAVoidArgumentIs() {
        Exchange exchange = new Exchange("valued", ExchangeType.HEADERS);
        exchange.bind("Q", args("format", "pdf"));
        assertThat(exchange.route("", args("format", null)))
            .as("the argument wants format=pdf; a header present without a value is not pdf: void matches "
                + "anything only on the binding's side (%s)", README).isEmpty();
    }

    @Test
    void onlyArgumentsStartingWithXDashAreTheBrokers() {
        Exchange exchange = new Exchange("xml", ExchangeType.HEADERS);
        exchange.bind("Q", args("x-match", "all", "xml-format", "strict"));
        assertThat(exchange.route("", args("format", "pdf")))
            .as("xml-format is an ordinary argument (it starts with \"x\", not \"x-\"): it must be compared, and "
                + "it is missing (%s)", README).isEmpty();
        assertThat(exchange.route("", args("xml-format", "strict"))).containsExactly("Q");
    }

    @Test
    void xMatchItselfIsNeverComparedNotEvenWithTheWithXForms() {
        Exchange exchange = new Exchange("with-x-only", ExchangeType.HEADERS);
        exchange.bind("Q", args("x-match", "any-with-x", "color", "red"));
        assertThat(exchange.route("", args("x-match", "any-with-x")))
            .as("a message header named x-match equal to the binding's is not a match: x-match says how to "
                + "compare, it is never compared itself, and color is missing (%s)", README).isEmpty();
    }

    @Test
    void headersExchangeWithNothingToCompareMatchesEverythingForAllAndNothingForAny() {
        Exchange exchange = new Exchange("empty-args", ExchangeType.HEADERS);
        exchange.bind("Q-all", args("x-match", "all", "x-note", "ignored"));
        exchange.bind("Q-any", args("x-match", "any", "x-note", "ignored"));
        assertThat(exchange.route("", args("format", "pdf")))
            .as("all over no arguments: nothing disagrees, so it matches; any over none: nothing agrees (%s)",
                README).containsExactly("Q-all");
    }

    @Test
    void topicExchangeAcceptsManyHashWordsWhenTheLimitIsOff() {
        Exchange exchange = new Exchange("unlimited", ExchangeType.TOPIC,
            ExchangeLimits.DEFAULT.withMaxHashWords(Integer.MAX_VALUE));
        exchange.bind("Q", "#.#.#.#.#.#.#.#.#.#.#.#.x");
        String key = String.join(".", Collections.nCopies(40, "w"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(exchange.route(key, Map.of()))
                .as("twelve '#' words and a 40-word key that almost matches (%s)", README).isEmpty();
            assertThat(exchange.route(key + ".x", Map.of())).as("and then matches (%s)", README)
                .containsExactly("Q");
        }, () -> "routing a 40-word key over one binding with twelve '#' words took more than 5 s: the trie's walk "
            + "must stay polynomial whatever is bound (" + README + ", \"Why a walk must remember where it has "
            + "been\"; ./workbook hint 7.4)");
    }

    /** {@code "a=1;b=2"} as a map of text values; {@code ""} is empty. */
    static Map<String, HeaderValue> headerMap(String text) {
        if (text.isEmpty()) {
            return Map.of();
        }
        Map<String, HeaderValue> map = new HashMap<>();
        for (String pair : text.split(";")) {
            String[] nameAndValue = pair.split("=", 2);
            map.put(nameAndValue[0], HeaderValue.of(nameAndValue[1]));
        }
        return map;
    }

    /** Names and plain Java values, alternately, as header values ({@link HeaderValue#from}; null is void). */
    static Map<String, HeaderValue> args(Object... namesAndValues) {
        Map<String, HeaderValue> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], HeaderValue.from(namesAndValues[i + 1]));
        }
        return map;
    }
}
