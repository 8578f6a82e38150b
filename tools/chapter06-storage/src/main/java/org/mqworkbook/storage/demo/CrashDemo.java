package org.mqworkbook.storage.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mqworkbook.storage.FileOpener;
import org.mqworkbook.storage.Log;
import org.mqworkbook.storage.LogConfig;
import org.mqworkbook.storage.Record;

/**
 * Write, kill, recover, read — visibly. Starts {@link LogWriterProcess} as a separate JVM, lets it
 * acknowledge some records, kills it with SIGKILL (no shutdown hook, no final flush), then opens the log
 * in this process — which recovers it — prints the recovery report, and checks every acknowledged record.
 *
 * <p>Usage: {@code CrashDemo [dir]} (default: a new temporary directory).
 */
public final class CrashDemo {
    private CrashDemo() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("crash-demo");
        System.out.println("== 1. a writer process appends records to " + dir + " and acknowledges them after fsync");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), LogWriterProcess.class.getName(), dir.toString(),
            "1000000", "50").redirectErrorStream(true).start();
        List<Long> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
            StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null && acknowledged.size() < 5_000; line = out.readLine()) {
                if (line.startsWith("acked ")) {
                    acknowledged.add(Long.parseLong(line.split(" ")[1]));
                    if (acknowledged.size() % 1_000 == 0) {
                        System.out.println("   writer: " + line);
                    }
                } else {
                    System.out.println("   writer: " + line);
                }
            }
            System.out.println("== 2. kill -9 the writer after " + acknowledged.size()
                + " acknowledgements, mid-stream");
            writer.destroyForcibly();
            writer.waitFor(10, TimeUnit.SECONDS);
        }

        System.out.println("== 3. open the log again: recovery checks every record and cuts a torn tail");
        LogConfig config = LogConfig.DEFAULT.withSegmentBytes(64 * 1024);
        try (Log log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC())) {
            List<String> report = log.recoveryReport();
            System.out.println(report.isEmpty() ? "   recovery: every segment was clean. (kill -9 ends the process,"
                + " not the machine: the page cache keeps what was written. A power cut tears writes; the"
                + " crash simulator in RecoveryTest cuts the power at a thousand points.)"
                : "   recovery: " + String.join("\n   recovery: ", report));
            System.out.println("   the log holds offsets " + log.logStartOffset() + ".." + (log.nextOffset() - 1)
                + " in " + log.segments().size() + " segments");

            System.out.println("== 4. read back every acknowledged record");
            long last = acknowledged.isEmpty() ? -1 : acknowledged.get(acknowledged.size() - 1);
            long checked = 0;
            for (long next = 0; next <= last; ) {
                for (Record r : log.read(next, 64 * 1024)) {
                    String value = new String(r.value(), StandardCharsets.UTF_8);
                    if (!value.equals("record-" + r.offset())) {
                        throw new IllegalStateException("offset " + r.offset() + " holds '" + value + "'");
                    }
                    next = r.offset() + 1;
                    checked++;
                    if (next > last) {
                        break;
                    }
                }
            }
            System.out.println("   all " + checked + " acknowledged records are there, intact; "
                + (log.nextOffset() - 1 - last) + " more were written but not yet acknowledged when it died");
        }
    }
}
