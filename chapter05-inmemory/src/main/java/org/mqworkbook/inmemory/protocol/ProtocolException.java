package org.mqworkbook.inmemory.protocol;

import io.netty.handler.codec.DecoderException;
import org.mqworkbook.inmemory.ErrorCode;

/**
 * The bytes a peer sent are not a frame this protocol can decode. The {@link #code()} says how bad it
 * is:
 *
 * <ul>
 *   <li>{@link ErrorCode#UNKNOWN_COMMAND} and {@link ErrorCode#UNSUPPORTED_VERSION}: a well-framed
 *       frame with an API key this broker does not serve, or a version of it that it does not read. Its
 *       length told the decoder where it ends, so the decoder skipped it and the next frame decodes
 *       normally; the peer gets an error answer and the connection stays open.
 *   <li>{@link ErrorCode#MALFORMED_FRAME} and {@link ErrorCode#FRAME_TOO_LARGE}: the length prefix or a
 *       field inside the frame cannot be trusted, so nothing after it can be either (the stream cannot
 *       be resynchronised). The connection must close ({@link #closesConnection()}).
 * </ul>
 *
 * <p>It extends Netty's {@link DecoderException} so that {@code ByteToMessageDecoder} passes it on to
 * {@code exceptionCaught} as it is, instead of wrapping it.
 */
public final class ProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int correlationId;

    /**
     * @param correlationId the correlation id of the offending frame, or 0 if its header was not read
     */
    public ProtocolException(ErrorCode code, int correlationId, String message) {
        super(message);
        this.code = code;
        this.correlationId = correlationId;
    }

    /** {@code MALFORMED_FRAME}, {@code FRAME_TOO_LARGE}, {@code UNKNOWN_COMMAND} or {@code UNSUPPORTED_VERSION}. */
    public ErrorCode code() {
        return code;
    }

    /** The correlation id of the offending frame, so the error answer can name it; 0 if unknown. */
    public int correlationId() {
        return correlationId;
    }

    /** Whether the stream is out of step and the connection must close after reporting this. */
    public boolean closesConnection() {
        return code != ErrorCode.UNKNOWN_COMMAND && code != ErrorCode.UNSUPPORTED_VERSION;
    }
}
