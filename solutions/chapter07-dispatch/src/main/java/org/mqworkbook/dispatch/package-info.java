/**
 * Chapter 7, subscription and dispatch (订阅与分发机制): which consumer gets which message.
 *
 * <pre>
 *  producer ─ key ─► partition (7.1, murmur2 as Kafka) ─► topic "orders": [p0][p1][p2]  (each a chapter 6 log)
 *                                                              │    │    │
 *  consumer group "billing" ── assignor (7.3: range, round-robin, sticky) ── member A: p0, p1 · member B: p2
 *  consumer group "audit"   ── every group sees every message (publish/subscribe);
 *                              inside a group each partition has one owner (point-to-point)
 *
 *  RabbitMQ's model:  publish(exchange, routing key, headers) ─► exchange (7.4: direct, fanout, topic, headers)
 *                                                                 ─► bound queues
 *  RocketMQ's model:  subscription "TagA || TagB" (7.5) filters on the broker before delivery
 * </pre>
 *
 * <p>Packages: {@code partition} (7.1, 7.3), {@code group} (7.2), {@code routing} (7.4, 7.5), {@code topic}
 * (7.6: topics of chapter 6 logs), and the given code that makes a broker of them: {@code broker}
 * ({@code TopicBroker}: topics and groups on disk), {@code protocol}, {@code server}, {@code client},
 * {@code cli}, {@code demo} (live rebalancing) and {@code load} (the end-to-end load harness).
 */
package org.mqworkbook.dispatch;
