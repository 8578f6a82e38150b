package org.mqworkbook.inmemory.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Anything that travels as one frame of the workbook's protocol, in any chapter: chapter 5's
 * {@link Frame}s, and the frames later chapters add with their own API keys. {@link FrameEncoder} writes
 * the header from these methods and the payload with {@link #writePayload}; a chapter's
 * {@link FrameReader} turns a header and payload back into its frame. Implementations are immutable
 * records, so frames may be handed between threads freely.
 */
public interface WireFrame {
    /** The frame's API key, 0 to 65,535: bit 15 set for what the broker sends (see {@link FrameHeader}). */
    int apiKey();

    /** The version of this frame's layout: 0 unless the frame's chapter says otherwise. */
    default int apiVersion() {
        return 0;
    }

    /** Chosen by the client, echoed by the broker: matches answers to requests. */
    int correlationId();

    /** Writes the fields after the header. */
    void writePayload(ByteBuf out);
}
