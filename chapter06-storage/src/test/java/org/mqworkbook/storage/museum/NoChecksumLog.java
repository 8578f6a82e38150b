package org.mqworkbook.storage.museum;

import java.io.IOException;
import java.nio.file.Path;
import org.mqworkbook.storage.FileOpener;

/**
 * Exhibit 2: fsyncs before it acknowledges, but stores no checksum.
 *
 * <p>What goes wrong: a crash in the middle of a write leaves a torn record — a length that promises
 * bytes, and bytes that are half new data and half whatever the disk held (the crash simulator's
 * {@code TEAR_WITH_GARBAGE} mode). Without a checksum, recovery cannot tell: if the length happens to
 * fit, the garbage is read back as a record, a message nobody sent. Every serious log checksums each
 * record or batch (Kafka's CRC-32C per batch, RocketMQ's body CRC, PostgreSQL's WAL CRC).
 */
final class NoChecksumLog extends TinyLog {
    NoChecksumLog(Path dir, FileOpener opener) throws IOException {
        super(dir, opener, false, true);
    }
}
