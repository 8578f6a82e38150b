/**
 * Serving a {@code TopicBroker} over TCP with Netty. {@link org.mqworkbook.dispatch.server.DispatchServer}
 * wires the threads; the handler runs each connection's requests in order, acknowledges produced records
 * once an fsync covers them ({@code DurabilityWaiter}), parks long polls until a record arrives
 * ({@code PollWaiters}), and stops reading a connection that has too much in flight.
 */
package org.mqworkbook.dispatch.server;
