package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The given parts of {@link Exchange}: direct and fanout routing, the checks made when a binding is
 * created or a key routed, and {@link HeaderValue}'s comparison. No {@code @Exercise}: they pass on the
 * skeleton too. README section "7.4 Exchanges".
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
        Map<String, HeaderValue> unknown = Map.of("x-match", HeaderValue.of("some"), "a", HeaderValue.of("1"));
        assertThatThrownBy(() -> exchange.bind("q", unknown))
            .as("x-match is all, any, all-with-x or any-with-x; anything else is refused when binding, naming it")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("some").hasMessageContaining("'q'");
        assertThatThrownBy(() -> exchange.bind("q", Map.of("x-match", HeaderValue.of(1), "a", HeaderValue.of("1"))))
            .as("x-match must be a string, as RabbitMQ requires a longstr")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x-match");
    }

    @Test
    void bindingTheWrongKindOfArgumentNamesTheExchange() {
        assertThatThrownBy(() -> new Exchange("h", ExchangeType.HEADERS).bind("q", "key"))
            .as("a headers exchange takes arguments, not a key")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'h'");
        assertThatThrownBy(() -> new Exchange("d", ExchangeType.DIRECT).bind("q", Map.of("a", HeaderValue.of("1"))))
            .as("a direct exchange takes a key, not arguments")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'d'");
    }

    @Test
    void refusesABindingKeyLongerThan255BytesInUtf8() {
        Exchange exchange = new Exchange("logs", ExchangeType.DIRECT);
        exchange.bind("q", "é".repeat(127)); // 254 bytes: accepted
        assertThatThrownBy(() -> exchange.bind("q", "é".repeat(128)))
            .as("128 two-byte characters are 256 bytes: more than AMQP's short string holds")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 bytes")
            .hasMessageContaining("255").hasMessageContaining("'logs'");
    }

    @Test
    void refusesARoutingKeyLongerThan255BytesInUtf8() {
        Exchange exchange = new Exchange("logs", ExchangeType.DIRECT);
        assertThatThrownBy(() -> exchange.route("k".repeat(256), Map.of()))
            .as("a routing key is an AMQP short string too: at most 255 bytes")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("routing key")
            .hasMessageContaining("256 bytes");
    }

    @Test
    void refusesATopicBindingWithMoreThanTwoHashWordsByDefault() {
        Exchange exchange = new Exchange("events", ExchangeType.TOPIC);
        assertThatThrownBy(() -> exchange.bind("audit", "#.orders.#.eu.#"))
            .as("three '#' words: over RabbitMQ's default limit of two, refused naming the binding")
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'#.orders.#.eu.#'")
            .hasMessageContaining("'audit'").hasMessageContaining("3 '#' words").hasMessageContaining("at most 2");
        assertThat(exchange.bindings()).as("a refused binding is not half-made").isZero();
    }

    @Test
    void theHashWordLimitIsConfigurable() {
        Exchange strict = new Exchange("mqtt-like", ExchangeType.TOPIC, ExchangeLimits.DEFAULT.withMaxHashWords(1));
        assertThatThrownBy(() -> strict.bind("q", "#.error.#"))
            .as("with a limit of one, as MQTT 5 filters have").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("at most 1");
    }

    @Test
    void refusesBindingsBeyondTheExchangeLimitAndCountsEachBindingOnce() {
        Exchange exchange = new Exchange("logs", ExchangeType.DIRECT, ExchangeLimits.DEFAULT.withMaxBindings(2));
        exchange.bind("a", "error");
        exchange.bind("a", "error");
        exchange.bind("b", "error");
        assertThat(exchange.bindings()).as("binding the same queue with the same key twice is one binding")
            .isEqualTo(2);
        assertThatThrownBy(() -> exchange.bind("c", "info"))
            .as("a third binding is over the limit of two").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'c'").hasMessageContaining("2 bindings");
        exchange.bind("a", "error");
        assertThat(exchange.route("error", Map.of())).as("the bindings made before the refusal still route")
            .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void headerValuesFromPlainJavaValuesKeepTheirType() {
        assertThat(HeaderValue.from(9)).isEqualTo(HeaderValue.of(9L));
        assertThat(HeaderValue.from(9.5f)).isEqualTo(HeaderValue.of(9.5));
        assertThat(HeaderValue.from("9")).isEqualTo(HeaderValue.of("9"));
        assertThat(HeaderValue.from(true)).isEqualTo(HeaderValue.of(true));
        assertThat(HeaderValue.from(null)).isEqualTo(HeaderValue.VOID);
        assertThatThrownBy(() -> HeaderValue.from(new int[] {1}))
            .as("arrays are among the AMQP types the workbook leaves out").isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("[I");
    }

    @ParameterizedTest(name = "{0} vs {1} → {2}")
    @CsvSource(delimiter = '|', textBlock = """
        int:9       | int:9       | true  | equal whole numbers
        int:9       | float:9.0   | true  | numbers compare by value across kinds, as Erlang's ==
        float:9.0   | int:9       | true  | and the other way round
        float:0.0   | float:-0.0  | true  | 0.0 and -0.0 are the same number
        int:9       | text:9      | false | a number is never a string
        bool:true   | text:true   | false | a boolean is never a string
        int:9007199254740993 | float:9007199254740992 | false | no rounding of a long into a double
        text:pdf    | text:PDF    | false | strings are compared exactly
        """)
    void headerValuesAreComparedAsRabbitMqComparesThem(String left, String right, boolean same, String why) {
        assertThat(value(left).sameValueAs(value(right))).as(why).isEqualTo(same);
    }

    /** {@code "int:9"}, {@code "float:9.0"}, {@code "text:pdf"}, {@code "bool:true"} as a header value. */
    private static HeaderValue value(String typed) {
        String[] kindAndValue = typed.split(":", 2);
        return switch (kindAndValue[0]) {
            case "int" -> HeaderValue.of(Long.parseLong(kindAndValue[1]));
            case "float" -> HeaderValue.of(Double.parseDouble(kindAndValue[1]));
            case "bool" -> HeaderValue.of(Boolean.parseBoolean(kindAndValue[1]));
            case "text" -> HeaderValue.of(kindAndValue[1]);
            default -> throw new IllegalArgumentException(typed);
        };
    }
}
