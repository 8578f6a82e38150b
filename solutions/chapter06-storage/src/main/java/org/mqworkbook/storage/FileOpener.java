package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * How the storage layer opens files: the one seam between the log and the disk.
 *
 * <p>In production it is {@link #REAL}, {@code FileChannel::open}. Crash tests pass the testkit's
 * crash simulator instead, which hands out channels that remember what was forced, and on a simulated
 * power loss keep only that (plus, maybe, a torn piece of what was not). An interface because there
 * are two implementations, as Kafka's {@code Time} exists for {@code MockTime}.
 */
@FunctionalInterface
public interface FileOpener {
    /** The real disk. */
    FileOpener REAL = FileChannel::open;

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
