package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The given parts of {@link Exchange}: direct and fanout routing and the checks made when a binding is
 * created. No {@code @Exercise}: they pass on the skeleton too. README section "7.4 Exchanges".
 */
@Timeout(10)
class DirectAndFanoutExchangeTest {
    @Test
    void directExchangeRoutesToQueuesWhoseBindingKeyEqualsTheRoutingKey() {
        Exchange exchange = new Exchange("logs", ExchangeType.DIRECT);
        exchange.bind("errors", "error");
        exchange.bind("all", "error");
        exchange.bind("all", "info");
        assertThat(exchange.route("error", Map.of())).as("two queues bound with 'error'")
            .containsExactlyInAnyOrder("errors", "all");
        assertThat(exchange.route("info", Map.of())).as("only 'all' is bound with 'info'").containsExactly("all");
        assertThat(exchange.route("err*", Map.of())).as("a direct exchange has no wildcards").isEmpty();
    }

    @Test
    void directExchangeReturnsAQueueOnceWhenBoundTwiceWithTheSameKey() {
        Exchange exchange = new Exchange("logs", ExchangeType.DIRECT);
        exchange.bind("q", "error");
        exchange.bind("q", "error");
        assertThat(exchange.route("error", Map.of())).as("a second identical binding changes nothing")
            .containsExactly("q");
    }

    @Test
    void fanoutExchangeRoutesToEveryBoundQueueWhateverTheKey() {
        Exchange exchange = new Exchange("broadcast", ExchangeType.FANOUT);
        exchange.bind("a", "ignored");
        exchange.bind("b", "");
        assertThat(exchange.route("anything.at.all", Map.of())).as("fanout ignores keys")
            .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void anExchangeWithoutBindingsRoutesNowhere() {
        assertThat(new Exchange("empty", ExchangeType.DIRECT).route("k", Map.of()))
            .as("no binding: the message is dropped (RabbitMQ would return a mandatory one)").isEmpty();
    }

    @Test
    void headersBindingRejectsAnUnknownXMatch() {
        Exchange exchange = new Exchange("h", ExchangeType.HEADERS);
        assertThatThrownBy(() -> exchange.bind("q", Map.of("x-match", "any-with-x", "a", "1")))
            .as("the workbook supports only all and any")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("any-with-x");
    }

    @Test
    void bindingTheWrongKindOfArgumentNamesTheExchange() {
        assertThatThrownBy(() -> new Exchange("h", ExchangeType.HEADERS).bind("q", "key"))
            .as("a headers exchange takes arguments, not a key")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'h'");
        assertThatThrownBy(() -> new Exchange("d", ExchangeType.DIRECT).bind("q", Map.of("a", "1")))
            .as("a direct exchange takes a key, not arguments")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'d'");
    }
}
