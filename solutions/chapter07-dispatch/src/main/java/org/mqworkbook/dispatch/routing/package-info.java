/**
 * Exchange routing in RabbitMQ's model (exercise 7.4) and RocketMQ's broker-side tag filter (7.5).
 *
 * <pre>
 *  publish(routing key "quick.orange.rabbit", headers {format=pdf})
 *        │
 *        ▼
 *  {@link org.mqworkbook.dispatch.routing.Exchange} ── DIRECT:  key equals binding key
 *        │                                            ├ FANOUT:  every bound queue
 *        │                                            ├ TOPIC:   {@link org.mqworkbook.dispatch.routing.TopicTrie}
 *        │                                            │          ("*.orange.*", "lazy.#")
 *        │                                            └ HEADERS: {@link org.mqworkbook.dispatch.routing.HeadersBinding}
 *        ▼                                                       (x-match all / any)
 *  set of queue names, each once
 *
 *  RocketMQ: consumer subscribes "TagA || TagB" ─► {@link org.mqworkbook.dispatch.routing.TagFilter}
 *            ─► the broker delivers only messages whose tag is accepted
 * </pre>
 *
 * <p>{@link org.mqworkbook.dispatch.routing.TopicPattern} is the slow, obviously correct topic matcher
 * (given code): the tests use it as an oracle for the trie, and a benchmark compares the two.
 */
package org.mqworkbook.dispatch.routing;
