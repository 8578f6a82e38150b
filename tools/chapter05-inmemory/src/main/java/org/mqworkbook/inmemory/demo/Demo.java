package org.mqworkbook.inmemory.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.inmemory.Broker;
import org.mqworkbook.inmemory.Delivery;
import org.mqworkbook.inmemory.QueueStats;
import org.mqworkbook.inmemory.client.BrokerClient;
import org.mqworkbook.inmemory.client.BrokerClientException;
import org.mqworkbook.inmemory.server.BrokerServer;
import org.mqworkbook.inmemory.server.ServerConfig;

/**
 * Chapter 5 in about ten seconds: a broker on a real socket, two producers, two competing consumers,
 * and the two ways an unacknowledged message comes back. One instance runs once; its actors share it
 * through latches and a synchronized {@link #say} (see the last paragraph).
 *
 * <ol>
 *   <li>Producers A and B publish 6 orders each. Consumer 1 long-polls and takes its time over each
 *       order; consumer 2 is subscribed (push, prefetch 1) and gets whatever consumer 1 is too busy to
 *       take. On its third order consumer 1 hangs: its connection stays open, but it never acks.
 *   <li>Two seconds later the visibility timeout expires and consumer 2 gets that order again, with
 *       delivery count 2.
 *   <li>Consumer 1 recovers, takes three more orders without acking them, and its connection closes.
 *       The broker does not wait for the timeout this time: consumer 2 gets all three at once.
 * </ol>
 *
 * <p>It exits with 0 when every step happened, and with 1, saying which step did not, otherwise (for
 * example while an exercise is not done).
 *
 * <p>Each actor has its own thread: the producers and consumer 1 run on threads started here, consumer
 * 2's handler on its client's delivery thread, the narrator on the main thread. {@link #say} is
 * synchronized so that their lines do not interleave; the latches carry "it happened" to the narrator.
 */
public final class Demo {
    private static final String HOST = "127.0.0.1";
    private static final String QUEUE = "orders";
    private static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(2);
    private static final int ORDERS_PER_PRODUCER = 6;
    private static final long PUBLISH_EVERY_MILLIS = 250;
    /** How long consumer 1 "works" on an order; meanwhile new orders go to consumer 2. */
    private static final long CONSUMER_ONE_WORK_MILLIS = 400;
    /** Consumer 1 hangs on this order (counting from 1). */
    private static final int CONSUMER_ONE_HANGS_ON = 3;
    private static final int ORDERS_CLOSED_UNACKED = 3;
    /** A breath between acts, for whoever is watching. */
    private static final long BETWEEN_ACTS_MILLIS = 1500;

    private final long startNanos = System.nanoTime();
    /** Counted down once per order of act 1 acknowledged, by either consumer. */
    private final CountDownLatch actOneAcked = new CountDownLatch(2 * ORDERS_PER_PRODUCER);
    private final CountDownLatch consumerOneHung = new CountDownLatch(1);
    private final CountDownLatch redeliveredAfterTimeout = new CountDownLatch(1);
    private final CountDownLatch redeliveredAfterClose = new CountDownLatch(ORDERS_CLOSED_UNACKED);
    /** Consumer 2's current subscription. Main thread only. */
    private BrokerClient.PushSubscription consumerTwoSubscription;
    /** When consumer 1's connection closed; read by consumer 2's delivery thread to show how fast. */
    private volatile long closedAtNanos;

    public static void main(String[] args) throws InterruptedException {
        System.exit(new Demo().run());
    }

    /** Runs the demo and returns the exit status. */
    int run() throws InterruptedException {
        Broker broker = new Broker(Clock.systemUTC()); // a real clock: the timeouts really pass
        try (BrokerServer server = new BrokerServer(broker, ServerConfig.DEFAULT.port(0)).start()) {
            int port = server.port();
            say("broker listening on " + HOST + ":" + port);
            try (BrokerClient consumer1 = BrokerClient.connect(HOST, port);
                 BrokerClient consumer2 = BrokerClient.connect(HOST, port)) {
                consumer1.declareQueue(QUEUE, 100, VISIBILITY_TIMEOUT);
                say("declared queue '" + QUEUE + "', visibility timeout "
                    + VISIBILITY_TIMEOUT.toSeconds() + " s");
                if (!actOne(port, consumer1, consumer2) || !actTwo()
                    || !actThree(port, consumer1, consumer2)) {
                    return 1;
                }
                QueueStats stats = broker.queue(QUEUE).stats();
                say("");
                say("queue stats: published " + stats.published() + ", acknowledged " + stats.acknowledged()
                    + ", redelivered " + stats.redelivered() + ", ready " + stats.ready() + ", in flight "
                    + stats.inFlight());
            }
            say("closing the broker gracefully");
        } catch (BrokerClientException | IOException e) {
            say("the demo failed: " + e.getMessage());
            return 1;
        }
        say("done");
        return 0;
    }

    // ---------------------------------------------------------------------------------------------
    // The three acts, narrated from the main thread
    // ---------------------------------------------------------------------------------------------

    private boolean actOne(int port, BrokerClient consumer1, BrokerClient consumer2)
        throws InterruptedException {
        say("");
        say("== Act 1: two producers, two competing consumers ==");
        consumerTwoSubscription = consumer2.subscribe(QUEUE, 1, delivery -> consumerTwo(consumer2, delivery));
        say("consumer-2 subscribed (push, prefetch 1)");
        Thread consumerOne = start("consumer-1", () -> consumerOne(consumer1));
        Thread producerA = start("producer-A", () -> produce(port, "A"));
        Thread producerB = start("producer-B", () -> produce(port, "B"));
        producerA.join();
        producerB.join();
        boolean hung = await(consumerOneHung, 5, "consumer-1 never got its order number "
            + CONSUMER_ONE_HANGS_ON);
        consumerOne.join();
        return hung;
    }

    private boolean actTwo() throws InterruptedException {
        pause(BETWEEN_ACTS_MILLIS);
        say("");
        say("== Act 2: the visibility timeout rescues the order consumer-1 is stuck on ==");
        say("consumer-1's connection is still open, so only the visibility timeout can give that order "
            + "to someone else");
        return await(redeliveredAfterTimeout, 8, "the stuck order was not redelivered (exercise 5.3?)")
            && await(actOneAcked, 5, "not every order of act 1 was acknowledged");
    }

    private boolean actThree(int port, BrokerClient consumer1, BrokerClient consumer2)
        throws InterruptedException {
        pause(BETWEEN_ACTS_MILLIS);
        say("");
        say("== Act 3: a consumer's connection closes with unacknowledged orders ==");
        consumerTwoSubscription.cancel();
        say("consumer-2 steps away (cancels its subscription), so consumer-1 gets the next orders");
        try (BrokerClient producer = BrokerClient.connect(HOST, port)) {
            for (int i = 1; i <= ORDERS_CLOSED_UNACKED; i++) {
                String body = "C-" + i;
                long id = producer.publish(QUEUE, body.getBytes(StandardCharsets.UTF_8));
                say("producer-C published '" + body + "' as message " + id);
            }
        }
        for (int i = 1; i <= ORDERS_CLOSED_UNACKED; i++) {
            Optional<Delivery> received = consumer1.receive(QUEUE, Duration.ofSeconds(2));
            if (received.isEmpty()) {
                say("STOP: consumer-1 found no order to take");
                return false;
            }
            say("consumer-1 got " + describe(received.get()) + ", does not ack it");
        }
        consumerTwoSubscription = consumer2.subscribe(QUEUE, 1, delivery -> consumerTwo(consumer2, delivery));
        say("consumer-2 is back (subscribed again); nothing for it: the orders are in flight "
            + "with consumer-1");
        pause(1000);
        say("consumer-1's process dies: its connection closes with " + ORDERS_CLOSED_UNACKED
            + " orders unacknowledged");
        closedAtNanos = System.nanoTime();
        consumer1.close();
        return await(redeliveredAfterClose, 5, "the orders of the closed connection were not redelivered "
            + "(exercise 5.3?)");
    }

    // ---------------------------------------------------------------------------------------------
    // The actors
    // ---------------------------------------------------------------------------------------------

    /** A producer: publishes its orders at a steady pace, on its own connection. */
    private void produce(int port, String name) {
        try (BrokerClient producer = BrokerClient.connect(HOST, port)) {
            for (int i = 1; i <= ORDERS_PER_PRODUCER; i++) {
                String body = name + "-" + i;
                long id = producer.publish(QUEUE, body.getBytes(StandardCharsets.UTF_8));
                say("producer-" + name + " published '" + body + "' as message " + id);
                pause(PUBLISH_EVERY_MILLIS);
            }
        } catch (BrokerClientException e) {
            say("producer-" + name + " failed: " + e.getMessage());
        }
    }

    /** Consumer 1 in act 1: long-polls, works on each order, and hangs on one without acking it. */
    private void consumerOne(BrokerClient consumer1) {
        try {
            for (int taken = 1; taken <= CONSUMER_ONE_HANGS_ON; taken++) {
                Optional<Delivery> received = consumer1.receive(QUEUE, Duration.ofSeconds(5));
                if (received.isEmpty()) {
                    return;
                }
                Delivery delivery = received.get();
                if (taken == CONSUMER_ONE_HANGS_ON) {
                    say("consumer-1 got " + describe(delivery) + " ... and hangs: it will never ack it");
                    consumerOneHung.countDown();
                    return;
                }
                say("consumer-1 got " + describe(delivery) + ", works on it for " + CONSUMER_ONE_WORK_MILLIS
                    + " ms");
                pause(CONSUMER_ONE_WORK_MILLIS);
                consumer1.ack(QUEUE, delivery.tag());
                actOneAcked.countDown();
            }
        } catch (BrokerClientException e) {
            say("consumer-1 failed: " + e.getMessage());
        }
    }

    /** Consumer 2's subscription handler, on its client's delivery thread: acks everything. */
    private void consumerTwo(BrokerClient consumer2, Delivery delivery) {
        String body = new String(delivery.body(), StandardCharsets.UTF_8);
        boolean afterClose = body.startsWith("C-");
        String why = "";
        if (delivery.redelivered()) {
            why = afterClose
                ? "  <- redelivered " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAtNanos)
                    + " ms after consumer-1's connection closed, no timeout needed"
                : "  <- redelivered: consumer-1 did not ack it within the visibility timeout";
        }
        say("consumer-2 got " + describe(delivery) + why);
        try {
            consumer2.ack(QUEUE, delivery.tag());
        } catch (BrokerClientException e) {
            say("consumer-2 could not ack: " + e.getMessage());
            return;
        }
        if (afterClose) {
            redeliveredAfterClose.countDown();
        } else {
            actOneAcked.countDown();
            if (delivery.redelivered()) {
                redeliveredAfterTimeout.countDown();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Narration
    // ---------------------------------------------------------------------------------------------

    private synchronized void say(String line) {
        if (line.isEmpty()) {
            System.out.println();
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        System.out.printf("[%2d.%03d s] %s%n", millis / 1000, millis % 1000, line);
    }

    private static String describe(Delivery delivery) {
        return "'" + new String(delivery.body(), StandardCharsets.UTF_8) + "' (message "
            + delivery.messageId() + ", tag " + delivery.tag() + ", delivery " + delivery.deliveryCount()
            + ")";
    }

    private boolean await(CountDownLatch latch, int seconds, String failure) throws InterruptedException {
        if (latch.await(seconds, TimeUnit.SECONDS)) {
            return true;
        }
        say("STOP: " + failure + " within " + seconds + " s");
        return false;
    }

    private static Thread start(String name, Runnable actor) {
        Thread thread = new Thread(actor, name);
        thread.start();
        return thread;
    }

    /** The demo runs at human speed on purpose; a test would advance a manual clock instead. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
