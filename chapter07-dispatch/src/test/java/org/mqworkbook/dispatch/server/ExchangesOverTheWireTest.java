package org.mqworkbook.dispatch.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.dispatch.broker.TopicBroker;
import org.mqworkbook.dispatch.client.DispatchClient;
import org.mqworkbook.dispatch.client.DispatchException;
import org.mqworkbook.dispatch.partition.RangeAssignor;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.routing.HeaderValue;
import org.mqworkbook.dispatch.topic.FetchResult;
import org.mqworkbook.dispatch.topic.PartitionOffset;
import org.mqworkbook.storage.Record;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;

/**
 * Exchanges served by the broker: declare, bind a queue (a topic of one partition), publish, consume —
 * over the network, durable across a restart. The cases are RabbitMQ's tutorials 3 to 5: logs fanned out
 * to every subscriber, logs routed by severity, and the topic exchange's {@code *.orange.*} and
 * {@code lazy.#}; then a headers exchange. They need the topic trie and headers matching of exercise 7.4
 * and the topics of 7.6. README section "Exchanges served by the broker".
 */
@Exercise("7.6")
@Tag("7.6")
@Timeout(30)
class ExchangesOverTheWireTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();
    private final List<DispatchClient> clients = new ArrayList<>();
    private TopicBroker broker;
    private DispatchServer server;
    private DispatchClient client;

    @BeforeEach
    void start() throws IOException {
        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), clock);
        server = DispatchServer.onLoopback(broker, 0).start();
        client = connect();
    }

    @AfterEach
    void stop() throws IOException {
        clients.forEach(DispatchClient::close);
        server.close();
        broker.close();
    }

    private DispatchClient connect() throws IOException {
        DispatchClient connected = DispatchClient.connect("127.0.0.1", server.port(), Duration.ofSeconds(10));
        clients.add(connected);
        return connected;
    }

    /** A queue: a topic of one partition, so that it keeps RabbitMQ's one order. */
    private void queues(String... names) {
        for (String name : names) {
            client.createTopic(name, 1);
        }
    }

    private List<PartitionOffset> publish(String exchange, String routingKey, String body) {
        return client.publish(exchange, routingKey, Map.of(), null, body.getBytes(UTF_8));
    }

    private List<String> consume(String queue) {
        FetchResult fetched = client.fetch(new org.mqworkbook.dispatch.partition.TopicPartition(queue, 0), 0,
            1 << 20, "*");
        List<String> bodies = new ArrayList<>();
        for (Record record : fetched.records()) {
            bodies.add(new String(record.value(), UTF_8));
        }
        return bodies;
    }

    @Test
    void fanoutDeliversEveryLogToEverySubscriber() {
        // RabbitMQ tutorial 3, publish/subscribe: exchange "logs", one queue per running receiver.
        queues("logs-receiver-1", "logs-receiver-2");
        assertThat(client.declareExchange("logs", "fanout")).as("created now").isTrue();
        assertThat(client.declareExchange("logs", "fanout")).as("declared again: nothing changes").isFalse();
        client.bind("logs", "logs-receiver-1", "");
        client.bind("logs", "logs-receiver-2", "");

        assertThat(publish("logs", "", "info: started")).as("one copy per bound queue, each on disk").hasSize(2);
        publish("logs", "ignored by fanout", "warning: disk 80% full");

        assertThat(consume("logs-receiver-1")).containsExactly("info: started", "warning: disk 80% full");
        assertThat(consume("logs-receiver-2")).containsExactly("info: started", "warning: disk 80% full");
    }

    @Test
    void directRoutesBySeverity() {
        // Tutorial 4, routing: one receiver saves errors to disk, the other prints everything.
        queues("errors-to-disk", "print-all");
        client.declareExchange("direct_logs", "direct");
        client.bind("direct_logs", "errors-to-disk", "error");
        for (String severity : List.of("info", "warning", "error")) {
            client.bind("direct_logs", "print-all", severity);
        }

        publish("direct_logs", "error", "error: out of memory");
        publish("direct_logs", "info", "info: user logged in");
        assertThat(publish("direct_logs", "debug", "debug: x = 42")).as("no binding matches: dropped").isEmpty();

        assertThat(consume("errors-to-disk")).containsExactly("error: out of memory");
        assertThat(consume("print-all")).containsExactly("error: out of memory", "info: user logged in");
    }

    @Test
    void topicRoutesByPattern() {
        // Tutorial 5, topics: Q1 is bound with *.orange.*, Q2 with *.*.rabbit and lazy.#.
        queues("Q1", "Q2");
        client.declareExchange("topic_logs", "topic");
        client.bind("topic_logs", "Q1", "*.orange.*");
        client.bind("topic_logs", "Q2", "*.*.rabbit");
        client.bind("topic_logs", "Q2", "lazy.#");

        publish("topic_logs", "quick.orange.rabbit", "1");   // both
        publish("topic_logs", "lazy.orange.elephant", "2");  // both
        publish("topic_logs", "quick.orange.fox", "3");      // Q1
        publish("topic_logs", "lazy.brown.fox", "4");        // Q2
        assertThat(publish("topic_logs", "lazy.pink.rabbit", "5")).as("two bindings of Q2 match: one copy")
            .hasSize(1);
        assertThat(publish("topic_logs", "quick.brown.fox", "6")).as("matches nothing: dropped").isEmpty();
        assertThat(publish("topic_logs", "orange", "7")).as("one word: *.orange.* wants three").isEmpty();
        publish("topic_logs", "lazy.orange.male.rabbit", "8"); // lazy.# takes any number of words

        assertThat(consume("Q1")).containsExactly("1", "2", "3");
        assertThat(consume("Q2")).containsExactly("1", "2", "4", "5", "8");
    }

    @Test
    void headersRouteByTypedArguments() {
        queues("pdf-reports", "any-urgent");
        client.declareExchange("documents", "headers");
        Map<String, HeaderValue> pdfReports = new LinkedHashMap<>();
        pdfReports.put("x-match", new HeaderValue.Text("all"));
        pdfReports.put("format", new HeaderValue.Text("pdf"));
        pdfReports.put("type", new HeaderValue.Text("report"));
        client.bindHeaders("documents", "pdf-reports", pdfReports);
        client.bindHeaders("documents", "any-urgent", Map.of("x-match", new HeaderValue.Text("any"),
            "priority", new HeaderValue.Integral(9)));

        client.publish("documents", "", Map.of("format", new HeaderValue.Text("pdf"),
            "type", new HeaderValue.Text("report")), null, "q3 report".getBytes(UTF_8));
        client.publish("documents", "", Map.of("format", new HeaderValue.Text("pdf"),
            "priority", new HeaderValue.Floating(9.0)), null, "urgent memo".getBytes(UTF_8)); // 9.0 equals 9

        assertThat(consume("pdf-reports")).containsExactly("q3 report");
        assertThat(consume("any-urgent")).containsExactly("urgent memo");
    }

    @Test
    void exchangesAndBindingsSurviveARestart() throws IOException {
        queues("Q1");
        client.declareExchange("topic_logs", "topic");
        client.bind("topic_logs", "Q1", "*.orange.*");
        clients.forEach(DispatchClient::close);
        clients.clear();
        server.close();
        broker.close();

        broker = TopicBroker.open(dir, TopicBroker.BrokerConfig.defaults(RangeAssignor::new), clock);
        server = DispatchServer.onLoopback(broker, 0).start();
        client = connect();

        assertThat(client.declareExchange("topic_logs", "topic")).as("it is still there").isFalse();
        publish("topic_logs", "quick.orange.fox", "after the restart");
        assertThat(consume("Q1")).as("and so is the binding").containsExactly("after the restart");
    }

    @Test
    void badDeclaresBindsAndPublishesAreRefusedByNameAndTheConnectionGoesOn() {
        queues("Q1");
        client.declareExchange("logs", "fanout");

        assertRefused(() -> client.declareExchange("logs", "direct"), ErrorKind.INVALID_ARGUMENT, "FANOUT");
        assertRefused(() -> client.declareExchange("x", "lifo"), ErrorKind.INVALID_ARGUMENT, "lifo");
        assertRefused(() -> client.declareExchange("../etc", "direct"), ErrorKind.INVALID_ARGUMENT, "illegal");
        assertRefused(() -> client.bind("nope", "Q1", ""), ErrorKind.INVALID_ARGUMENT, "no exchange 'nope'");
        assertRefused(() -> client.bind("logs", "missing", ""), ErrorKind.UNKNOWN_TOPIC, "missing");
        assertRefused(() -> publish("nope", "k", "v"), ErrorKind.INVALID_ARGUMENT, "no exchange 'nope'");
        client.declareExchange("topic_logs", "topic");
        assertRefused(() -> client.bind("topic_logs", "Q1", "#.#.#"), ErrorKind.INVALID_ARGUMENT, "'#' words");
        assertRefused(() -> publish("topic_logs", "k".repeat(256), "v"), ErrorKind.INVALID_ARGUMENT, "255");
        assertRefused(() -> client.bindHeaders("topic_logs", "Q1", Map.of("format", new HeaderValue.Text("pdf"))),
            ErrorKind.INVALID_ARGUMENT, "not a headers exchange");
        assertThat(publish("logs", "", "still served")).hasSize(0); // nothing bound to logs: dropped, no error
    }

    private static void assertRefused(Runnable call, ErrorKind kind, String mentions) {
        try {
            call.run();
        } catch (DispatchException e) {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(mentions);
            return;
        }
        throw new AssertionError("expected a " + kind + " refusal mentioning '" + mentions + "'");
    }
}
