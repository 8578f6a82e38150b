/**
 * The client side: {@link org.mqworkbook.dispatch.client.DispatchClient}, one connection with a future
 * per request, and {@link org.mqworkbook.dispatch.client.GroupConsumer}, the loop a consumer group
 * member runs — heartbeat, adopt new assignments, long-poll, commit after processing.
 */
package org.mqworkbook.dispatch.client;
