/**
 * The broker on the network, in Netty's example shape: {@link org.mqworkbook.inmemory.server.BrokerServer}
 * (bootstrap and shutdown), {@link org.mqworkbook.inmemory.server.BrokerServerInitializer} (pipeline),
 * {@link org.mqworkbook.inmemory.server.BrokerServerHandler} (behaviour).
 *
 * <pre>
 *  client ──TCP──► event loop ─────────────────────────► RequestExecutor ──────────► Broker
 *                  FrameDecoder ─► BrokerServerHandler   (bounded queue,            MessageQueue
 *                                    │ trySubmit          worker threads)               │
 *                                    └─ false: BUSY / SHUTTING_DOWN at once             │
 *  client ◄─TCP─── FrameEncoder ◄──── channel.writeAndFlush(Ok / Error / Deliver / Empty)
 *                                       from a worker, or from whichever thread made a
 *                                       message deliverable (push, long poll)
 * </pre>
 *
 * <p>The rule that shapes it: the event-loop threads, each serving many connections, never call the
 * broker and never wait. Work crosses to the workers through the bounded request queue of exercise 5.5,
 * and when that queue is full the client hears {@code BUSY} instead of the server buffering without
 * limit. Each connection is one consumer in the broker, named after its channel id; when it closes, the
 * broker requeues every delivery it had not acknowledged.
 */
package org.mqworkbook.inmemory.server;
