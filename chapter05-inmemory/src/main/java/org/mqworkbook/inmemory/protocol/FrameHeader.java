package org.mqworkbook.inmemory.protocol;

import org.mqworkbook.inmemory.ErrorCode;

/**
 * The 8 bytes after the length prefix that every frame of every chapter starts with — Kafka's request
 * header (v1) without its client id:
 *
 * <pre>
 *  ┌────────┬────────┬────────────┬───────────────┬───────────────────────────────┐
 *  │ length │ apiKey │ apiVersion │ correlationId │ payload (depends on the key)  │
 *  │ int32  │ uint16 │ int16      │ int32         │ length - 8 bytes              │
 *  └────────┴────────┴────────────┴───────────────┴───────────────────────────────┘
 * </pre>
 *
 * <p><b>API keys.</b> A key names a frame type, for all time: never renumber one. Bit 15 says the
 * direction — {@code 0x0000}-{@code 0x7FFF} are requests, which clients send; {@code 0x8000}-
 * {@code 0xFFFF} are answers and pushes, which only a broker sends — so a hex dump shows at a glance
 * which way a frame was going. Each chapter adds its keys in its own block, so that the protocol grows
 * the way Kafka's does (one header, new API keys per feature) instead of being rewritten:
 *
 * <pre>
 *  0x0000 / 0x8000            ApiVersions / Versions, and 0x8004 Error: every chapter's broker speaks them
 *  0x0001-0x001F / 0x8001-    chapter 5: queues
 *  0x0020-0x003F / 0x8020-    chapter 7: topics and groups
 *  0x0040-0x005F / 0x8040-    chapter 8: replication (and so on, 32 keys per chapter)
 * </pre>
 *
 * <p><b>Versions.</b> When a frame's layout changes, it keeps its key and gets a new version; a broker
 * reads the versions it knows and answers any other with {@code UNSUPPORTED_VERSION}, and
 * {@link Frame.ApiVersions} tells a client which keys and versions a broker speaks before it sends
 * them. Chapter 5's layouts are all version 0; chapter 7's {@code Describe} has a version 1.
 *
 * @param apiKey        0 to 65,535
 * @param apiVersion    the layout's version, -32,768 to 32,767 (never negative from a correct peer)
 * @param correlationId chosen by the client, echoed by the broker
 */
public record FrameHeader(int apiKey, int apiVersion, int correlationId) {
    /** Bit 15 of an API key: set on what a broker sends. */
    public static final int ANSWER_BIT = 0x8000;

    /** Whether a client sends frames with this key (bit 15 clear). */
    public static boolean isRequest(int apiKey) {
        return (apiKey & ANSWER_BIT) == 0;
    }

    /** An API key as hex dumps and error messages show it, for example {@code 0x0002}. */
    public static String hex(int apiKey) {
        return String.format("0x%04X", apiKey);
    }

    /**
     * The error for a key this reader does not serve: not fatal, since the length said where the frame
     * ends. {@code served} says what the reader does serve, so that a client of the wrong chapter learns
     * what it is talking to.
     */
    public ProtocolException unknown(String served) {
        return new ProtocolException(ErrorCode.UNKNOWN_COMMAND, correlationId, "unknown API key " + hex(apiKey)
            + " (correlation id " + correlationId + "); this broker serves " + served
            + " — send ApiVersions (0x0000) to ask which keys and versions");
    }

    /**
     * Checks that this frame's version is one the reader knows, {@code min} to {@code max}.
     *
     * @throws ProtocolException {@code UNSUPPORTED_VERSION} (not fatal) otherwise
     */
    public void requireVersion(String name, int min, int max) {
        if (apiVersion < min || apiVersion > max) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, correlationId, hex(apiKey) + " " + name
                + " version " + apiVersion + " is not one this broker reads (versions " + min + " to " + max
                + "; correlation id " + correlationId + ")");
        }
    }
}
