package org.mqworkbook.storage.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.LogConfig;

/**
 * A process that appends records to a log and prints one line per record once it is durable:
 * {@code acked <offset> <value>}. It is meant to be killed: the demo and the process-crash test run it as
 * a separate JVM and send it SIGKILL, then check that every acknowledged record survived.
 *
 * <p>Usage: {@code LogWriterProcess <dir> <count> [group]}: appends {@code count} records
 * ({@code "record-<n>"}), and waits for durability after each {@code group} of them (default 10), so
 * that one fsync covers a group, as group commit would for concurrent producers.
 */
public final class LogWriterProcess {
    private LogWriterProcess() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: LogWriterProcess <dir> <count> [group]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int group = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        LogConfig config = LogConfig.DEFAULT.withSegmentBytes(64 * 1024);
        try (Log log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC())) {
            System.out.println("opened " + dir + " at offset " + log.nextOffset());
            long first = log.nextOffset();
            for (long n = first; n < first + count; n += group) {
                long last = -1;
                for (long i = n; i < Math.min(n + group, first + count); i++) {
                    last = log.append(null, ("record-" + i).getBytes(StandardCharsets.UTF_8), List.of());
                }
                log.awaitDurable(last); // only now may we say "stored"
                for (long i = n; i <= last; i++) {
                    System.out.println("acked " + i + " record-" + i);
                }
                System.out.flush();
            }
            System.out.println("done");
        }
    }
}
