package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What MQTT refuses before anything reaches the trie (given code, so it passes on the skeleton too): a
 * wildcard that does not fill a level, a {@code #} before the last level, empty and overlong strings, NUL,
 * a wildcard in a topic name. Each refusal says which rule was broken. README section "7.4 Exchanges",
 * "MQTT's filters".
 */
@Timeout(10)
class MqttFilterRulesTest {
    @ParameterizedTest(name = "[{index}] refused: {1}")
    @CsvSource({
        "sport/tennis#,        whole level",
        "sport/#/ranking,      last level",
        "sport+,               whole level",
        "'',                   at least one character",
    })
    void refusesAFilterThatBreaksTheRulesAndSaysWhich(String filter, String why) {
        assertThatThrownBy(() -> new MqttSubscriptions().subscribe(filter, "c"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
    }

    @Test
    void refusesATopicNameWithAWildcardAndNulAndOverlongStrings() {
        MqttSubscriptions subscriptions = new MqttSubscriptions();
        assertThatThrownBy(() -> subscriptions.match("sport/+")).hasMessageContaining("filters only");
        assertThatThrownBy(() -> subscriptions.match("a\u0000b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> subscriptions.subscribe("x".repeat(MqttSubscriptions.MAX_BYTES + 1), "c"))
            .hasMessageContaining("65535 bytes");
    }

}
