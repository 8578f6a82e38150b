/**
 * Chapter 7's wire protocol: chapter 5's framing (length, command, correlation id, fields) with the
 * commands of topics and groups. {@link org.mqworkbook.dispatch.protocol.Message} draws every frame;
 * {@link org.mqworkbook.dispatch.protocol.MessageCodec} turns bytes into messages and back, checking
 * every length and count against the bytes present before allocating anything.
 */
package org.mqworkbook.dispatch.protocol;
