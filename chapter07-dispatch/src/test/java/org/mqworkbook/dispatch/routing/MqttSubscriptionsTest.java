package org.mqworkbook.dispatch.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.Seeded;

/**
 * MQTT's topic filters (given code) on exercise 7.4's trie: the examples of MQTT 3.1.1 section 4.7, the
 * rules that differ from AMQP's, the subscription limit, and a seeded comparison with a level-by-level matcher
 * written from the specification. Through the trie, so red on the skeleton. README section "7.4
 * Exchanges", "MQTT's filters".
 */
@Exercise("7.4")
@Tag("7.4")
@Timeout(20)
@ExtendWith(Seeded.class)
class MqttSubscriptionsTest {
    private static Set<String> match(String filter, String topic) {
        MqttSubscriptions subscriptions = new MqttSubscriptions();
        subscriptions.subscribe(filter, "c");
        return subscriptions.match(topic);
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        // the specification's own examples
        "sport/tennis/player1/#,  sport/tennis/player1,                    true",
        "sport/tennis/player1/#,  sport/tennis/player1/ranking,            true",
        "sport/tennis/player1/#,  sport/tennis/player1/score/wimbledon,    true",
        "sport/#,                 sport,                                   true",
        "#,                       sport/tennis,                            true",
        "sport/tennis/+,          sport/tennis/player1,                    true",
        "sport/tennis/+,          sport/tennis/player1/ranking,            false",
        "sport/+,                 sport,                                   false",
        "sport/+,                 sport/,                                  true",
        "+/+,                     /finance,                                true",
        "/+,                      /finance,                                true",
        "+,                       /finance,                                false",
        "+/monitor/Clients,       $SYS/monitor/Clients,                    false",
        "#,                       $SYS/uptime,                             false",
        "$SYS/#,                  $SYS/uptime,                             true",
        "$SYS/monitor/+,          $SYS/monitor/Clients,                    true",
        // where MQTT and AMQP differ, and what the mapping must not break
        "a/*,                     a/*,                                     true",
        "a/*,                     a/b,                                     false",
        "a.b/+,                   a.b/c,                                   true",
        "a.b/+,                   a/b/c,                                   false",
        "sport/tennis,            Sport/tennis,                            false",
        "sport//tennis,           sport//tennis,                           true",
        "sport/+/tennis,          sport//tennis,                           true",
    })
    void routesAsTheSpecificationSays(String filter, String topic, boolean matches) {
        assertThat(match(filter, topic)).as("%s against %s", filter, topic)
            .isEqualTo(matches ? Set.of("c") : Set.of());
    }

    @Test
    void routesToEachClientOnceAndBoundsTheSubscriptions() {
        MqttSubscriptions subscriptions = new MqttSubscriptions(3);
        subscriptions.subscribe("sport/#", "c1");
        subscriptions.subscribe("sport/+", "c1");
        subscriptions.subscribe("sport/+", "c1"); // again: not a new subscription
        subscriptions.subscribe("#", "c2");

        assertThat(subscriptions.match("sport/tennis")).containsExactlyInAnyOrder("c1", "c2");
        assertThatThrownBy(() -> subscriptions.subscribe("news/#", "c3")).hasMessageContaining("limit");
    }

    /** Level by level, straight from section 4.7: the oracle the trie is compared with. */
    private static boolean oracle(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true; // the parent level and everything below it
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    @Test
    void agreesWithALevelByLevelMatcherOnSeededFiltersAndTopics(Random random) {
        String[] levels = {"a", "b", "", "*", "$x", "a.b"};
        for (int round = 0; round < 300; round++) {
            MqttSubscriptions subscriptions = new MqttSubscriptions();
            List<String> filters = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                List<String> filter = new ArrayList<>();
                int length = 1 + random.nextInt(4);
                for (int l = 0; l < length; l++) {
                    int pick = random.nextInt(levels.length + 2);
                    filter.add(pick == levels.length ? "+" : pick == levels.length + 1
                        ? (l == length - 1 ? "#" : "+") : levels[pick]);
                }
                String joined = String.join("/", filter);
                filters.add(joined.isEmpty() ? "+" : joined); // "" is no filter at all: refused, tested above
                subscriptions.subscribe(filters.get(i), "client" + i);
            }
            List<String> topic = new ArrayList<>();
            for (int l = 0, length = 1 + random.nextInt(4); l < length; l++) {
                topic.add(levels[random.nextInt(levels.length)]);
            }
            String name = String.join("/", topic);
            if (name.isEmpty()) {
                continue; // not a topic name: refused, tested above
            }
            Set<String> expected = new LinkedHashSet<>();
            for (int i = 0; i < filters.size(); i++) {
                if (oracle(filters.get(i), name)) {
                    expected.add("client" + i);
                }
            }
            assertThat(subscriptions.match(name)).as("%s against %s", filters, name)
                .containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
