/**
 * Chapter 5, a minimum viable message queue (最小可用消息队列): in-memory queues, many producer and
 * consumer threads, acknowledgements with redelivery, push and pull consumers, served over TCP.
 *
 * <pre>
 *  producers                         Broker                                   consumers
 *  ─────────                         ──────                                   ─────────
 *  publish ─┐                  ┌─ MessageQueue "orders" ─────────────┐
 *  (waits   │   declareQueue   │  ready: [m7][m8][m9]                │ ──► poll     (pull, 5.2)
 *   while   ├────────────────► │  inFlight: tag 4 → m5 (consumer c1)  │ ──► receive  (long poll, 5.4)
 *   full)   │                  │  waiters, subscriptions             │ ──► push     (prefetch, 5.4)
 *  tryPub. ─┘                  └─────────────────────────────────────┘ ◄── ack / reject (5.3)
 *                                   ▲ tick(): visibility timeouts, long-poll deadlines (5.3, 5.4)
 *
 *  over the network (package server):
 *  socket ─► event loop: FrameDecoder ─► BrokerServerHandler ─► RequestExecutor (5.5) ─► Broker
 *                                                  ◄── responses and pushed deliveries ◄──┘
 * </pre>
 *
 * <p>Exercises: 5.1 {@link org.mqworkbook.inmemory.BoundedBlockingQueue}; 5.2
 * {@link org.mqworkbook.inmemory.Broker#declareQueue} and publishing/polling in
 * {@link org.mqworkbook.inmemory.MessageQueue}; 5.3 acks and redelivery in {@code MessageQueue}; 5.4
 * long polling and push with prefetch in {@code MessageQueue}; 5.5
 * {@link org.mqworkbook.inmemory.RequestExecutor}. The network layer, client and command line are
 * given.
 */
package org.mqworkbook.inmemory;
