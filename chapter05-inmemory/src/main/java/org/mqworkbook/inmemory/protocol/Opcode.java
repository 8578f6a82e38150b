package org.mqworkbook.inmemory.protocol;

import java.util.Optional;

/**
 * Chapter 5's API keys, the command number after the length prefix of every frame (the header is drawn
 * in {@link FrameHeader}). Requests, which clients send, are {@code 0x0000}-{@code 0x001F}; answers and
 * pushed deliveries, which only the broker sends, have bit 15 set ({@code 0x8000}-{@code 0x801F}), so
 * that a hex dump shows at a glance which way a frame was going. Later chapters number their frames in
 * their own blocks ({@code 0x0020} on for chapter 7); {@link #API_VERSIONS}, {@link #VERSIONS} and
 * {@link #ERROR} are spoken by every chapter's broker, so that a client of one chapter that connects to
 * another chapter's broker is told so instead of misreading its frames.
 *
 * <p>The numbers are the protocol: never renumber one. A new command gets a new number, a changed
 * layout a new version of its key ({@link FrameHeader}), and a broker that does not know a key answers
 * {@link org.mqworkbook.inmemory.ErrorCode#UNKNOWN_COMMAND} (Kafka does the same with its API keys, and
 * its {@code ApiVersions} request lets clients ask first).
 */
public enum Opcode {
    /** {@link Frame.ApiVersions}. */
    API_VERSIONS(0x0000),
    /** {@link Frame.DeclareQueue}. */
    DECLARE_QUEUE(0x0001),
    /** {@link Frame.Publish}. */
    PUBLISH(0x0002),
    /** {@link Frame.Receive}. */
    RECEIVE(0x0003),
    /** {@link Frame.Subscribe}. */
    SUBSCRIBE(0x0004),
    /** {@link Frame.Cancel}. */
    CANCEL(0x0005),
    /** {@link Frame.Ack}. */
    ACK(0x0006),
    /** {@link Frame.Reject}. */
    REJECT(0x0007),
    /** {@link Frame.Versions}. */
    VERSIONS(0x8000),
    /** {@link Frame.Ok}. */
    OK(0x8001),
    /** {@link Frame.Deliver}. */
    DELIVER(0x8002),
    /** {@link Frame.Empty}. */
    EMPTY(0x8003),
    /** {@link Frame.Error}. */
    ERROR(0x8004);

    private final int code;
    /** {@link #describe()}, computed once: decoding names every frame with it. */
    private final String description;

    Opcode(int code) {
        this.code = code;
        this.description = FrameHeader.hex(code) + " " + name();
    }

    /** The API key on the wire, 0 to 65,535. */
    public int code() {
        return code;
    }

    /** Whether clients send this command (as opposed to the broker). */
    public boolean isRequest() {
        return FrameHeader.isRequest(code);
    }

    /** The opcode for an API key (0 to 65,535), or empty if chapter 5 has no command with that number. */
    public static Optional<Opcode> fromWire(int code) {
        for (Opcode opcode : values()) {
            if (opcode.code == code) {
                return Optional.of(opcode);
            }
        }
        return Optional.empty();
    }

    /** The opcode as it appears in a hex dump and in error messages, for example {@code 0x0002 PUBLISH}. */
    public String describe() {
        return description;
    }
}
