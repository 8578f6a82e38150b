package org.mqworkbook.inmemory.protocol;

import java.util.Optional;

/**
 * The command number in byte 4 of every frame (see {@link Frame} for the header). Requests, which
 * clients send, are {@code 0x01}-{@code 0x7F}; answers and pushed deliveries, which only the broker
 * sends, have the high bit set ({@code 0x81}-{@code 0xFF}), so that a hex dump shows at a glance which
 * way a frame was going.
 *
 * <p>The numbers are the protocol: never renumber one. A new command gets a new number, and a broker
 * that does not know it answers {@link org.mqworkbook.inmemory.ErrorCode#UNKNOWN_COMMAND} (Kafka does
 * the same with its API keys, and adds an {@code ApiVersions} request so that clients can ask first).
 */
public enum Opcode {
    /** {@link Frame.DeclareQueue}. */
    DECLARE_QUEUE(0x01),
    /** {@link Frame.Publish}. */
    PUBLISH(0x02),
    /** {@link Frame.Receive}. */
    RECEIVE(0x03),
    /** {@link Frame.Subscribe}. */
    SUBSCRIBE(0x04),
    /** {@link Frame.Cancel}. */
    CANCEL(0x05),
    /** {@link Frame.Ack}. */
    ACK(0x06),
    /** {@link Frame.Reject}. */
    REJECT(0x07),
    /** {@link Frame.Ok}. */
    OK(0x81),
    /** {@link Frame.Deliver}. */
    DELIVER(0x82),
    /** {@link Frame.Empty}. */
    EMPTY(0x83),
    /** {@link Frame.Error}. */
    ERROR(0x84);

    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode opcode : values()) {
            BY_CODE[opcode.code] = opcode;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The byte on the wire, 0 to 255. */
    public int code() {
        return code;
    }

    /** Whether clients send this command (as opposed to the broker). */
    public boolean isRequest() {
        return code < 0x80;
    }

    /** The opcode for a wire byte (0 to 255), or empty if no command has that number. */
    public static Optional<Opcode> fromWire(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_CODE[code]);
    }

    /** The opcode as it appears in a hex dump and in error messages, for example {@code 0x02 PUBLISH}. */
    public String describe() {
        return String.format("0x%02X %s", code, name());
    }
}
