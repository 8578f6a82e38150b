/**
 * The wire protocol between broker and clients: length-prefixed binary frames over TCP.
 *
 * <pre>
 *  client                                                         broker
 *  ──────                                                         ──────
 *  Frame ─► FrameEncoder ─► bytes ─────── TCP ───────► bytes ─► FrameDecoder ─► Frame
 *  Frame ◄─ FrameDecoder ◄─ bytes ◄────── TCP ──────── bytes ◄─ FrameEncoder ◄─ Frame
 *
 *  every frame:  [ length int32 ][ opcode int8 ][ correlationId int32 ][ payload ... ]
 * </pre>
 *
 * <p>Read {@link org.mqworkbook.inmemory.protocol.Frame} first: it is the one description of every
 * layout, each with a worked example. {@link org.mqworkbook.inmemory.protocol.Protocol} defines the
 * field types and limits, {@link org.mqworkbook.inmemory.protocol.Opcode} the command numbers. The
 * decoder is where a broker defends itself: every length a peer sends is a claim, checked against a
 * limit and against the bytes present before anything is allocated
 * ({@link org.mqworkbook.inmemory.protocol.FrameDecoder}).
 *
 * <p>A real broker's protocol also negotiates a version when the connection opens (Kafka's
 * {@code ApiVersions}, AMQP's protocol header and {@code connection.tune}) and authenticates the
 * client; this one does neither.
 */
package org.mqworkbook.inmemory.protocol;
