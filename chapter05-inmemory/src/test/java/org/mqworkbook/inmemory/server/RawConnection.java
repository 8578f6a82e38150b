package org.mqworkbook.inmemory.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.mqworkbook.inmemory.ErrorCode;
import org.mqworkbook.inmemory.protocol.Frame;
import org.mqworkbook.inmemory.protocol.FrameEncoder;

/**
 * A plain blocking socket to the broker, for tests that must send bytes no well-behaved client would:
 * a negative length, a truncated field, an unknown API key. Reads answers at the byte level.
 *
 * <p>Not thread-safe: one test thread uses it.
 */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Encodes a well-formed frame with the real encoder and sends it. */
    void send(Frame frame) throws IOException {
        send(encode(frame));
    }

    /** The bytes of a well-formed frame, from the real encoder. */
    static byte[] encode(Frame frame) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder());
        encoder.writeOutbound(frame);
        ByteBuf encoded = encoder.readOutbound();
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        encoded.release();
        return bytes;
    }

    /** An error frame as the broker sent it. */
    record ErrorAnswer(int correlationId, ErrorCode code, String message) {
    }

    /** Reads the next frame and expects it to be an error. */
    ErrorAnswer readError() throws IOException {
        int length = in.readInt();
        int opcode = in.readUnsignedShort();
        in.readShort(); // the version
        int correlationId = in.readInt();
        if (opcode != 0x8004) {
            in.skipNBytes(length - 8);
            throw new AssertionError("expected an ERROR frame (0x8004), got API key 0x" + Integer.toHexString(opcode));
        }
        ErrorCode code = ErrorCode.fromWire(in.readInt());
        byte[] message = new byte[in.readUnsignedShort()];
        in.readFully(message);
        return new ErrorAnswer(correlationId, code, new String(message, StandardCharsets.UTF_8));
    }

    /** Reads the next frame and returns its API key, skipping the rest. */
    int readOpcode() throws IOException {
        int length = in.readInt();
        int opcode = in.readUnsignedShort();
        in.skipNBytes(length - 2);
        return opcode;
    }

    /** Whether the broker closed the connection (end of stream within the socket timeout). */
    boolean closedByBroker() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | SocketTimeoutException e) {
            return e instanceof EOFException;
        } catch (IOException e) {
            return true; // connection reset: closed too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
