/**
 * The wire protocol between broker and clients: length-prefixed binary frames over TCP. It is the one
 * protocol of the whole workbook: later chapters keep its framing, header, field types and decoder, and
 * add API keys of their own ({@link org.mqworkbook.inmemory.protocol.FrameHeader} keeps the registry).
 *
 * <pre>
 *  client                                                         broker
 *  ──────                                                         ──────
 *  Frame ─► FrameEncoder ─► bytes ─────── TCP ───────► bytes ─► FrameDecoder ─► Frame
 *  Frame ◄─ FrameDecoder ◄─ bytes ◄────── TCP ──────── bytes ◄─ FrameEncoder ◄─ Frame
 *
 *  every frame:  [ length int32 ][ apiKey uint16 ][ apiVersion int16 ][ correlationId int32 ][ payload ... ]
 * </pre>
 *
 * <p>Read {@link org.mqworkbook.inmemory.protocol.Frame} first: it is the one description of chapter 5's
 * layouts, each with a worked example. {@link org.mqworkbook.inmemory.protocol.Protocol} defines the
 * field types and limits, {@link org.mqworkbook.inmemory.protocol.Opcode} chapter 5's API keys. The
 * decoder is where a broker defends itself: every length a peer sends is a claim, checked against a
 * limit and against the bytes present before anything is allocated
 * ({@link org.mqworkbook.inmemory.protocol.FrameDecoder}, {@link org.mqworkbook.inmemory.protocol.FieldReader}).
 * What a chapter adds is a {@link org.mqworkbook.inmemory.protocol.FrameReader} for its keys.
 *
 * <p>{@link org.mqworkbook.inmemory.protocol.Frame.ApiVersions} tells a client which keys and versions a
 * broker reads (Kafka's {@code ApiVersions}); a real broker also authenticates the client when the
 * connection opens (Kafka's SASL handshake, AMQP's {@code connection.start}); this one does not.
 */
package org.mqworkbook.inmemory.protocol;
