package org.mqworkbook.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.mqworkbook.testkit.Exercise;
import org.mqworkbook.testkit.ManualClock;
import org.mqworkbook.testkit.Seeded;
import org.mqworkbook.testkit.storage.CrashMode;
import org.mqworkbook.testkit.storage.CrashPoints;
import org.mqworkbook.testkit.storage.CrashScenario;
import org.mqworkbook.testkit.storage.CrashSimulator;
import org.mqworkbook.testkit.storage.CrashSweep;

/**
 * Exercise 6.5, recovery: after a crash the log checks its tail record by record, cuts off what is
 * torn or corrupt, rebuilds its index, says what it did, and keeps what it cannot use aside. The last
 * test crashes a simulated disk at over a thousand points. README section "6.5 Recovery (日志分段与索引,
 * 顺序写与刷盘机制)".
 */
@Exercise("6.5")
@Tag("6.5")
@Timeout(60)
@ExtendWith(Seeded.class)
class RecoveryTest {
    private static final LogConfig CONFIG = LogConfig.DEFAULT.withSegmentBytes(600).withIndexIntervalBytes(64);

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private Log open() throws IOException {
        return Log.open(dir, CONFIG, FileOpener.REAL, clock);
    }

    private static void appendAll(Log log, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            log.append(null, ("m" + i).getBytes(UTF_8), List.of());
        }
    }

    private static List<String> readAll(Log log) throws IOException {
        List<String> values = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.nextOffset()) {
            List<Record> batch = log.read(next, 4096);
            for (Record r : batch) {
                assertThat(r.offset()).as("offsets follow each other").isEqualTo(next);
                values.add(new String(r.value(), UTF_8));
                next++;
            }
        }
        return values;
    }

    private Path activeLogFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void cutsOffATornRecordAtTheEndAndSaysWhere() throws IOException {
        try (Log log = open()) {
            appendAll(log, 5);
        }
        Path file = activeLogFile();
        long cleanSize = Files.size(file);
        Record next = Record.of(5, 0, "torn".getBytes(UTF_8));
        ByteBuffer half = ByteBuffer.allocate(RecordFormat.sizeOf(next));
        RecordFormat.write(next, half);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(half.flip().limit(11)); // the power failed 11 bytes into the write
        }

        try (Log log = open()) {
            assertThat(log.recoveryReport()).as("the report names the file, the position and what was cut")
                .anySatisfy(line -> assertThat(line).contains(file.getFileName().toString())
                    .contains("11 bytes truncated").contains("position " + cleanSize));
            assertThat(Files.size(file)).isEqualTo(cleanSize);
            assertThat(readAll(log)).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(log.append(null, "m5".getBytes(UTF_8), List.of())).as("appends continue at offset 5")
                .isEqualTo(5);
        }
    }

    @Test
    void cutsOffACorruptLastRecordAndKeepsEverythingBefore() throws IOException {
        try (Log log = open()) {
            appendAll(log, 3);
        }
        Path file = activeLogFile();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, channel.size() - 1);
            channel.write(ByteBuffer.wrap(new byte[] {(byte) (last.get(0) ^ 0x01)}), channel.size() - 1);
        }

        try (Log log = open()) {
            assertThat(readAll(log)).as("a bit flip in m2 is caught by its checksum; m2 is cut, never returned")
                .containsExactly("m0", "m1");
            assertThat(log.recoveryReport()).anySatisfy(line -> assertThat(line).contains("corrupt"));
        }
    }

    @Test
    void rebuildsAnIndexFullOfPlausibleJunk() throws IOException {
        try (Log log = open()) {
            appendAll(log, 40);
        }
        try (Stream<Path> indexes = Files.list(dir)) {
            for (Path index : indexes.filter(p -> p.toString().endsWith(".index")).toList()) {
                // increasing entries, so they look valid, but they point into the middle of records
                ByteBuffer junk = ByteBuffer.allocate(3 * OffsetIndex.ENTRY_BYTES);
                junk.putInt(1).putInt(3).putInt(2).putInt(7).putInt(3).putInt(50).flip();
                Files.write(index, junk.array());
            }
        }

        try (Log log = open()) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                expected.add("m" + i);
            }
            assertThat(readAll(log)).as("every offset reads back: the index was rebuilt, not trusted")
                .isEqualTo(expected);
        }
    }

    @Test
    void rebuildsAMissingIndex() throws IOException {
        try (Log log = open()) {
            appendAll(log, 20);
        }
        Files.delete(dir.resolve("00000000000000000000.index"));

        try (Log log = open()) {
            assertThat(readAll(log)).hasSize(20).startsWith("m0").endsWith("m19");
            assertThat(log.recoveryReport()).anySatisfy(line -> assertThat(line).contains("index rebuilt"));
            assertThat(Files.exists(dir.resolve("00000000000000000000.index"))).isTrue();
        }
    }

    @Test
    void keepsForeignFilesAsideInsteadOfDeletingThem() throws IOException {
        try (Log log = open()) {
            appendAll(log, 3);
        }
        Files.writeString(dir.resolve("notes.txt"), "someone's notes");
        Files.write(dir.resolve("00000000000000000099.index"), new byte[8]);

        try (Log log = open()) {
            assertThat(log.recoveryReport()).anySatisfy(line -> assertThat(line).contains("notes.txt")
                .contains("quarantine"));
            assertThat(readAll(log)).containsExactly("m0", "m1", "m2");
        }
        try (Stream<Path> aside = Files.list(dir.resolve("quarantine"))) {
            assertThat(aside.map(p -> p.getFileName().toString()))
                .as("nothing the log cannot read is destroyed")
                .anyMatch(name -> name.startsWith("notes.txt"))
                .anyMatch(name -> name.startsWith("00000000000000000099.index"));
        }
    }

    /**
     * The workload: 150 records, each fourth one waited for with {@code awaitDurable} (then it and the
     * ones before it are acknowledged); small segments, so rolls happen too.
     */
    private final class DurableAppends implements CrashScenario<String> {
        private static final int RECORDS = 150;

        @Override
        public void workload(CrashSimulator disk, Path directory, List<String> acknowledged) throws Exception {
            try (Log log = Log.open(directory, CONFIG, disk::open, new ManualClock())) {
                List<String> pending = new ArrayList<>();
                for (int i = 0; i < RECORDS; i++) {
                    long offset = log.append(null, ("m" + i).getBytes(UTF_8), List.of());
                    pending.add("m" + i);
                    if (i % 4 == 3) {
                        log.awaitDurable(offset);
                        acknowledged.addAll(pending);
                        pending.clear();
                    }
                }
            }
        }

        @Override
        public void check(Path directory, List<String> acknowledged) throws Exception {
            // Recovery reads the real files the crash left. It opens them through a simulator that never
            // crashes, only because that skips real fsyncs: a thousand recoveries need not wear the disk.
            try (Log log = Log.open(directory, CONFIG, new CrashSimulator(0)::open, new ManualClock())) {
                List<String> recovered = readAll(log);
                assertThat(recovered.size()).as("every record acknowledged as durable survives: %s", acknowledged)
                    .isGreaterThanOrEqualTo(acknowledged.size());
                assertThat(recovered.subList(0, acknowledged.size())).isEqualTo(acknowledged);
                for (int i = 0; i < recovered.size(); i++) {
                    assertThat(recovered.get(i)).as("no corrupt or phantom record at offset %d", i)
                        .isEqualTo("m" + i);
                }
                assertThat(log.append(null, "after".getBytes(UTF_8), List.of()))
                    .as("the recovered log appends right after what it kept").isEqualTo(recovered.size());
            }
        }
    }

    @Test
    void losesNoDurableRecordAndReturnsNoCorruptOneWhereverThePowerFails(Random random) throws IOException {
        long points = 0;
        for (CrashMode mode : CrashMode.values()) {
            CrashSweep sweep = CrashPoints.sweep(random.nextLong(), mode, 400, dir.resolve(mode.name()),
                new DurableAppends());
            points += sweep.crashPoints().size();
        }

        assertThat(points).as("crash points visited (all of them, in every mode)").isGreaterThanOrEqualTo(1_000);
    }
}
