package org.mqworkbook.dispatch.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures what one fsync costs on the disk the run uses: append 4 KiB to a file and force it
 * ({@code force(false)}, the call a partition log's group commit makes), a few dozen times, and report the
 * median and the slowest. It puts the run's fsync counts in proportion: the price of a durable
 * acknowledgement is set by the disk, not by the broker.
 */
final class FsyncProbe {
    private static final int BLOCK = 4096;

    private FsyncProbe() {
    }

    /** One line for the report, e.g. "4 KiB append + fsync: median 0.81 ms, max 2.10 ms (50 samples)". */
    static String describe(Path dir, int samples) throws IOException {
        Path file = Files.createTempFile(dir, "fsync-probe-", ".bin");
        long[] nanos = new long[samples];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            for (int i = 0; i < samples; i++) {
                block.clear();
                long start = System.nanoTime();
                while (block.hasRemaining()) {
                    channel.write(block);
                }
                channel.force(false);
                nanos[i] = System.nanoTime() - start;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "4 KiB append + fsync in %s: median %.2f ms, max %.2f ms (%d samples)",
            dir, nanos[samples / 2] / 1e6, nanos[samples - 1] / 1e6, samples);
    }
}
