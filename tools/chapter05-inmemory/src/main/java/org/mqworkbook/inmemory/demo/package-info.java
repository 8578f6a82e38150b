/**
 * A narrated run of the whole chapter over real sockets ({@link org.mqworkbook.inmemory.demo.Demo}):
 *
 * <pre>
 *  producer-A ─┐                                  ┌─► consumer-1  long poll, slow, hangs on one order,
 *              ├─► BrokerServer ─► queue "orders" ─┤                later dies with 3 orders unacked
 *  producer-B ─┘   (port 0)        (2 s visibility)└─► consumer-2  push, prefetch 1, acks everything,
 *                                                                  picks up what consumer-1 dropped
 * </pre>
 *
 * <p>It uses a real clock and pauses at human speed so that it can be watched; the chapter's tests
 * check the same behaviours with a manual clock instead.
 */
package org.mqworkbook.inmemory.demo;
