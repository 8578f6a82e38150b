package org.mqworkbook.inmemory.protocol;

/**
 * How one chapter's protocol reads the payload of each frame it knows, given its header: the part of
 * decoding that grows, chapter by chapter, while {@link FrameDecoder} (the length prefix, the header,
 * the limits) stays the same. Chapter 5's is {@link Frame#read}; chapter 7 adds topics and groups,
 * chapter 8 replication.
 *
 * <p>A reader must be thread safe (the decoders of every connection share one) and must either return
 * the frame or throw a {@link ProtocolException}: {@link FrameHeader#unknown} for an API key it does
 * not serve and {@link FrameHeader#requireVersion} for a version it does not read (both keep the
 * connection open), or what {@link FieldReader} throws for a malformed payload (which closes it).
 */
@FunctionalInterface
public interface FrameReader {
    /** Reads the payload of a frame with this header; {@code in} holds exactly its bytes. */
    WireFrame read(FrameHeader header, FieldReader in);
}
