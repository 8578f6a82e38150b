package org.mqworkbook.storage.museum;

import java.io.IOException;
import java.nio.file.Path;
import org.mqworkbook.storage.FileOpener;

/**
 * Exhibit 1: acknowledges a record as soon as it is written — into the operating system's page cache —
 * without waiting for {@code fsync}.
 *
 * <p>What goes wrong: the producer is told "stored"; the power fails a moment later; the page cache
 * is gone, and so is the record. It is fast, and it passes every test that does not pull the plug.
 * (Kafka does not fsync by default either, but it says so: its promise of durability is replication,
 * chapter 8 — a broker that acks unsynced writes and claims durability from one disk is this exhibit.)
 */
final class AcksBeforeFsyncLog extends TinyLog {
    AcksBeforeFsyncLog(Path dir, FileOpener opener) throws IOException {
        super(dir, opener, true, false);
    }
}
