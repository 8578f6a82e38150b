package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;

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
        exchange.bind("Q-all", Map.of("x-match", "all", "format", "pdf", "type", "report"));
        exchange.bind("Q-any", Map.of("x-match", "any", "format", "pdf", "type", "report"));
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
        exchange.bind("Q", Map.of("x-match", "all", "format", "pdf", "x-priority-hint", "high"));
        assertThat(exchange.route("", Map.of("format", "pdf")))
            .as("x-priority-hint is an argument for the broker, not a header to compare; RabbitMQ filters out "
                + "x- arguments (x-match included) before matching (%s)", README)
            .containsExactly("Q");
    }

    @Test
    void headersExchangeTreatsAMissingXMatchAsAll() {
        Exchange exchange = new Exchange("default-all", ExchangeType.HEADERS);
        exchange.bind("Q", Map.of("format", "pdf", "type", "report"));
        assertThat(exchange.route("", Map.of("format", "pdf")))
            .as("without x-match RabbitMQ requires all arguments: type is missing (%s)", README).isEmpty();
        assertThat(exchange.route("", Map.of("format", "pdf", "type", "report")))
            .as("without x-match, all arguments present and equal (%s)", README).containsExactly("Q");
    }

    @Test
    void headersExchangeReturnsAQueueOnceWhenSeveralOfItsBindingsMatch() {
        Exchange exchange = new Exchange("twice", ExchangeType.HEADERS);
        exchange.bind("Q", Map.of("x-match", "any", "format", "pdf"));
        exchange.bind("Q", Map.of("x-match", "all", "type", "report"));
        assertThat(exchange.route("", Map.of("format", "pdf", "type", "report")))
            .as("both bindings of Q match; a queue holds one copy (%s)", README).containsExactly("Q");
    }

    /** {@code "a=1;b=2"} as a map; {@code ""} is empty. */
    static Map<String, String> headerMap(String text) {
        if (text.isEmpty()) {
            return Map.of();
        }
        Map<String, String> map = new HashMap<>();
        for (String pair : text.split(";")) {
            String[] nameAndValue = pair.split("=", 2);
            map.put(nameAndValue[0], nameAndValue[1]);
        }
        return map;
    }
}
