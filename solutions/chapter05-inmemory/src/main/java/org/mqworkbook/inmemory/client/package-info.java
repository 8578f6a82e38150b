/**
 * The client library: {@link org.mqworkbook.inmemory.client.BrokerClient}, one blocking method per
 * request, over the protocol of package {@code protocol}.
 *
 * <pre>
 *  caller thread                         I/O thread (event loop)                 broker
 *  ─────────────                         ───────────────────────                 ──────
 *  publish("q", body)
 *   ├─ corr = 42, pending[42] = future
 *   ├─ writeAndFlush(Publish 42) ──────► FrameEncoder ────────────────────────► ...
 *   └─ future.get(timeout) ...                                                  │
 *                                        FrameDecoder ◄── Ok(42, id) ◄───────────┘
 *      ◄── id ◄───────────────────────── pending.remove(42).complete(Ok)
 *
 *  subscription handler ◄── delivery thread ◄── Deliver(corr of the Subscribe) ◄── push
 * </pre>
 *
 * <p>Many threads may share one client: the correlation id, not the order of arrival, pairs each
 * answer with its request. Refusals worth retrying ({@code QUEUE_FULL}, {@code BUSY}) are retried by
 * {@code publish} a bounded number of times with growing pauses
 * ({@link org.mqworkbook.inmemory.client.RetryPolicy}); every other failure is a
 * {@link org.mqworkbook.inmemory.client.BrokerClientException} carrying the broker's error code.
 */
package org.mqworkbook.inmemory.client;
