package org.mqworkbook.dispatch.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.dispatch.protocol.MessageCodec;
import org.mqworkbook.inmemory.protocol.Protocol;
import org.mqworkbook.inmemory.protocol.WireFrame;

/**
 * A plain blocking socket to the dispatch server, for tests that must send bytes no well-behaved client
 * would (a 2 GiB length prefix, a truncated field, an unknown command) or behave as no well-behaved
 * client does (pipeline thousands of requests and never read an answer). Answers are decoded with the
 * given {@link MessageCodec}.
 *
 * <p>Not thread safe, except that one thread may write while another reads.
 */
final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Connects with the system's socket buffer sizes. */
    RawSocket(int port) throws IOException {
        this(port, 0, 0);
    }

    /**
     * Connects with small socket buffers if asked (0 = the system's default), so that the kernel holds
     * little of what the server sends or is sent: whatever piles up then piles up in the server.
     */
    RawSocket(int port, int receiveBufferBytes, int sendBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes); // before connecting: it sets the TCP window
        }
        if (sendBufferBytes > 0) {
            socket.setSendBufferSize(sendBufferBytes);
        }
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /** Sends raw bytes at once. */
    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Encodes a well-formed frame with the real codec and sends it at once. */
    void send(WireFrame message) throws IOException {
        write(message);
        out.flush();
    }

    /** Encodes a frame into the socket's buffer; {@link #flush()} sends what is buffered. */
    void write(WireFrame message) throws IOException {
        ByteBuf frame = Unpooled.buffer();
        try {
            MessageCodec.encode(message, frame, Integer.MAX_VALUE);
            frame.readBytes(out, frame.readableBytes());
        } finally {
            frame.release();
        }
    }

    void flush() throws IOException {
        out.flush();
    }

    /** Reads and decodes the next frame the server sent (waiting at most 10 s). */
    WireFrame read() throws IOException {
        int length = in.readInt();
        if (length < Protocol.HEADER_BYTES || length > MessageCodec.DEFAULT_MAX_FRAME_BYTES) {
            throw new IOException("the server sent a frame length of " + length);
        }
        byte[] frame = new byte[length];
        in.readFully(frame);
        return MessageCodec.decode(Unpooled.wrappedBuffer(frame));
    }

    /** Reads the next frame and expects an error answer. */
    Message.Error readError() throws IOException {
        WireFrame answer = read();
        if (!(answer instanceof Message.Error)) {
            throw new AssertionError("expected an Error frame (0x8004), got " + answer);
        }
        return (Message.Error) answer;
    }

    /** Whether the server closed the connection: end of stream (or a reset) within the read timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset: closed too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
