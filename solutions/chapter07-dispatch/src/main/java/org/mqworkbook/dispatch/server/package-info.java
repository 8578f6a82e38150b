/**
 * Serving chapter 7's broker over TCP with Netty, and nothing more: {@link
 * org.mqworkbook.dispatch.server.DispatchServer} wires the threads and admits connections; the handler
 * hands each connection's requests, in order, to {@link org.mqworkbook.dispatch.broker.BrokerApi} and
 * writes what its futures complete with, and stops reading a connection that has too much in flight.
 * Durable acknowledgement and long polls live behind the API, in the broker package.
 */
package org.mqworkbook.dispatch.server;
