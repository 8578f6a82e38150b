/**
 * Chapter 7's wire protocol: chapter 5's, grown. The framing, the header (length, API key, version,
 * correlation id), the field types and the decoder's defences are chapter 5's
 * ({@link org.mqworkbook.inmemory.protocol}); this chapter adds API keys {@code 0x0021}-{@code 0x0031} for
 * topics and groups, drawn field by field in {@link org.mqworkbook.dispatch.protocol.Message}, and the
 * compound fields they need (lists of partitions, offsets and records). {@code ApiVersions} and the error
 * frame are shared with every chapter.
 */
package org.mqworkbook.dispatch.protocol;
